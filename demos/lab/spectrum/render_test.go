package spectrum

import (
	"bytes"
	"testing"

	"dlab/demos/core/inspect"
)

func spectrumFixture() Showing {
	f := inspect.Facts{PID: 30, PPID: 20, SID: 20, PGID: 30, TPGID: 20, TTY: "pts/4", State: "S",
		FD:      [3]string{"/dev/null", "/d/nohup.out", "/d/nohup.out"},
		Signals: map[string]string{"SIGHUP": "ignored"}}
	r := inspect.Report{PID: 30, Verdict: inspect.Normal, Mixed: true, Facts: f}
	return Showing{Kind: Nohup, Title: Titles[Nohup], Dir: "/d",
		Before: []Snapshot{{Member: Member{Role: "program", PID: 30}, Report: &r}},
		Checks: []Check{{Claim: "nohup made the program ignore SIGHUP", Observed: "SIGHUP ignored (SigIgn)", Holds: true},
			{Claim: "its output goes to nohup.out", Observed: "fds 0 /dev/null, 1 /d/nohup.out", Holds: false}}}
}

// A table that fits is a table; one that doesn't is turned on its side.
func TestShowingTextGolden(t *testing.T) {
	for _, c := range []struct {
		width int
		name  string
	}{{0, "nohup-piped.txt"}, {60, "nohup-60.txt"}} {
		var b bytes.Buffer
		spectrumFixture().WriteText(&b, false, c.width)
		golden(t, c.name, b.Bytes())
	}
}
