// Package safe makes untrusted strings (a process name from /proc, a line a
// student's program printed) harmless to print on a terminal.
//
// A process can rename itself to any bytes (prctl PR_SET_NAME, or writing
// its own argv), so "\x1b[2J" in a comm would clear the reader's screen and
// "\x1b]0;…\a" would retitle their window. ps prints "?" for such bytes; dlab
// shows them escaped, so the reader still sees what is there. JSON output
// keeps the exact bytes: encoding/json escapes control characters itself.
package safe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text returns s with every control character and invalid UTF-8 byte written
// as a visible escape (\e, \a, \t, \n, \xNN, \u009b), and a backslash doubled
// so an escape can't be forged. Printable text, wide runes included, is kept.
func Text(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == 0x1b:
			b.WriteString(`\e`)
		case r == '\a':
			b.WriteString(`\a`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.In(r, unicode.Cf) && r != '\u200d':
			// C1 controls (U+0080–U+009F include CSI, U+009B) and invisible
			// format characters such as the bidi overrides.
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isPlain says whether s needs no escaping: the common case, checked without
// allocating.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}
