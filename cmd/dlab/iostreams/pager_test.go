package iostreams

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"dlab/demos/testkit/leakcheck"
)

func TestMain(m *testing.M) { os.Exit(leakcheck.Main(m)) }

func TestPagerCommandPrefersDlabPagerThenPagerThenLess(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"TERM": "xterm"}, "less"},
		{map[string]string{"TERM": "xterm", "PAGER": "more"}, "more"},
		{map[string]string{"TERM": "xterm", "PAGER": "more", "DLAB_PAGER": " most -s "}, "most -s"},
		{map[string]string{"TERM": "xterm", "DLAB_PAGER": "cat"}, "cat"},
		// less and more can't work on a dumb terminal: no pager, unless
		// asked for by name.
		{map[string]string{"TERM": "dumb"}, ""},
		{map[string]string{"TERM": "dumb", "PAGER": "less"}, ""},
		{map[string]string{}, ""},
		{map[string]string{"TERM": "dumb", "DLAB_PAGER": "cat -n"}, "cat -n"},
	}
	for _, tt := range tests {
		got := PagerCommand(func(k string) string { return tt.env[k] })
		if got != tt.want {
			t.Errorf("PagerCommand(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestStartPagerSendsOutThroughTheCommandUntilStopPager(t *testing.T) {
	ios, _, out, _ := Test()
	ios.IsTerminal, ios.InIsTerminal = true, true
	if err := ios.StartPager("sed s/^/paged:/"); err != nil {
		t.Fatal(err)
	}
	if !ios.Paging() {
		t.Fatal("Paging() = false after StartPager on a terminal")
	}
	fmt.Fprint(ios.Out, "a\nb\n")
	ios.StopPager()
	if got, want := out.String(), "paged:a\npaged:b\n"; got != want {
		t.Errorf("pager output = %q, want %q", got, want)
	}
	if ios.Out != out || ios.Paging() {
		t.Error("StopPager did not give Out back")
	}
}

func TestStartPagerDoesNothingWhereNoOneReadsPages(t *testing.T) {
	tests := []struct {
		name    string
		out, in bool
		command string
	}{
		{"stdout piped", false, true, "less"},
		{"stdin not a terminal", true, false, "less"},
		{"cat means none", true, true, "cat"},
		{"no command", true, true, ""},
		{"program missing", true, true, "no-such-pager-dlab -x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, _ := Test()
			ios.IsTerminal, ios.InIsTerminal = tt.out, tt.in
			if err := ios.StartPager(tt.command); err != nil {
				t.Fatal(err)
			}
			if ios.Paging() {
				t.Fatal("Paging() = true")
			}
			fmt.Fprint(ios.Out, "text\n")
			ios.StopPager()
			if out.String() != "text\n" {
				t.Errorf("output = %q, want it unchanged", out.String())
			}
		})
	}
}

func TestPagerEnvAddsOnlyWhatTheUserHasNotSet(t *testing.T) {
	got := pagerEnv([]string{"HOME=/h", "LESS=-S", "LANG=C"})
	want := []string{"HOME=/h", "LESS=-S", "LANG=C", "LV=-c", "LESSCHARSET=utf-8"}
	if !slices.Equal(got, want) {
		t.Errorf("pagerEnv = %q, want %q", got, want)
	}
	got = pagerEnv([]string{"LESSCHARSET=latin1", "LV="})
	want = []string{"LESSCHARSET=latin1", "LV=", "LESS=FRX", "LV=-c"}
	if !slices.Equal(got, want) {
		t.Errorf("pagerEnv = %q, want %q", got, want)
	}
}

func TestStopPagerWithNoteWritesTheNoteIntoThePager(t *testing.T) {
	ios, _, out, errOut := Test()
	ios.IsTerminal, ios.InIsTerminal = true, true
	if err := ios.StartPager("sed s/^/paged:/"); err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(ios.Out, "text\n")
	ios.StopPagerWithNote("dlab: interrupted")
	if got, want := out.String(), "paged:text\npaged:\npaged:dlab: interrupted\n"; got != want {
		t.Errorf("pager output = %q, want %q", got, want)
	}
	if errOut.Len() != 0 {
		t.Errorf("the note also went to stderr: %q", errOut.String())
	}

	// Without a pager, the note is a line on stderr.
	ios, _, out, errOut = Test()
	ios.StopPagerWithNote("dlab: interrupted")
	if out.Len() != 0 || errOut.String() != "dlab: interrupted\n" {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
}
