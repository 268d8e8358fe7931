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
		{map[string]string{}, "less"},
		{map[string]string{"PAGER": "more"}, "more"},
		{map[string]string{"PAGER": "more", "DLAB_PAGER": " most -s "}, "most -s"},
		{map[string]string{"DLAB_PAGER": "cat"}, "cat"},
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
