// Package paint colours the text dlab prints for people, and holds the
// marks every report uses: one set of colours and marks, so that a check,
// an experiment and a claim look alike wherever they are shown.
//
// Colour is decided once, by the caller's I/O streams (a terminal, NO_COLOR
// unset, TERM not dumb); here it is only a yes or no.
package paint

// ANSI SGR codes.
const (
	Reset  = "\x1b[0m"
	Bold   = "\x1b[1m"
	Dim    = "\x1b[2m"
	Red    = "\x1b[31m"
	Green  = "\x1b[32m"
	Yellow = "\x1b[33m"
)

// The marks of a claim or an experiment: it holds, it does not, nobody can
// tell yet.
const (
	Holds   = "✓"
	Fails   = "✗"
	Unknown = "?"
)

// If is s in the colour code, reset after it, when on; s as it is
// otherwise, for pipes and golden files.
func If(on bool, code, s string) string {
	if !on || s == "" {
		return s
	}
	return code + s + Reset
}
