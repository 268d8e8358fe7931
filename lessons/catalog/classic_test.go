package catalog

import (
	"strings"
	"testing"

	"dlab/content"
	"dlab/demos/lab/compare"
	"dlab/lessons"
)

// The compare demo quotes the classic tables under each row it checks: its
// words must be the lessons' own, row by row, so that what a student reads
// in the lesson is what the demo holds up against the live processes.
func TestTheDemosQuoteTheClassicTablesOfTheLessons(t *testing.T) {
	ls, err := lessons.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{}
	for _, l := range ls {
		// Inline code marks (`pts/3`) are the lesson's typography, not words.
		bodies[l.Name] = strings.ReplaceAll(l.Body, "`", "")
	}
	row := func(cells ...string) string { return "| " + strings.Join(cells, " | ") + " |" }
	for _, c := range compare.ClassicTable {
		if want := row(c.Aspect, c.Says.Normal, c.Says.Daemon); !strings.Contains(bodies["differences"], want) {
			t.Errorf("lesson differences has no row %q", want)
		}
	}
	for _, ev := range []compare.Event{compare.SendTERM, compare.SendHUP, compare.SendINT, compare.SendKILL} {
		says := compare.ClassicSignals
		if want := row(string(ev), says[compare.NormalProcess][ev], says[compare.SysVDaemon][ev]); !strings.Contains(bodies["signals"], want) {
			t.Errorf("lesson signals has no row %q", want)
		}
	}
}
