package compare

import (
	"bytes"
	"strings"
	"testing"
)

// The text table marks an inconclusive experiment as such (yellow on a
// colour terminal), shows its evidence, says what to do, and calls it no
// mismatch.
func TestTextMarksAnInconclusiveExperiment(t *testing.T) {
	e := newExperiment(SendHUP, NormalProcess, 42, "kill -HUP 42", "default",
		Observation{Outcome: Inconclusive, Text: "inconclusive: the machine was too busy (load 85.0 on 2 CPUs; waited 30s)",
			Evidence: []string{"it did not exit within 30s", "a zombie (state Z)"}})
	ok := newExperiment(SendHUP, SysVDaemon, 43, "kill -HUP 43", "caught", Observation{Outcome: Reloaded, Text: "reloaded"})
	es := Experiments{e, ok}
	var plain, colour bytes.Buffer
	es.WriteText(&plain, false, 0)
	es.WriteText(&colour, true, 0)
	out := plain.String()
	for _, want := range []string{"? inconclusive", "  - a zombie (state Z)", "1 inconclusive: the machine was too busy", "run dlab demo compare again"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "MISMATCH") || strings.Contains(out, "mismatch(es)") {
		t.Errorf("an inconclusive experiment shown as a mismatch:\n%s", out)
	}
	if !strings.Contains(colour.String(), "\x1b[33m? inconclusive\x1b[0m") {
		t.Errorf("no yellow mark on a colour terminal:\n%q", colour.String())
	}
}
