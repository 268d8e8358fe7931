package main

import (
	"bytes"
	"strings"
	"testing"

	"dlab/cmd/dlab/iostreams"
)

// The fixture /proc of a Debian host that demos/core/inspect's tests use.
const hostProc = "../../demos/core/inspect/testdata/proc"

func TestExplainFlagsFillTheOptions(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *explainOptions
	cmd := newExplainCmd(ios, func(o *explainOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--tree", "--children", "--raw", "--json", "--proc-root", "/x", "4054"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !got.Tree || !got.Children || !got.Raw || !got.JSON || got.ProcRoot != "/x" || got.Target != "4054" {
		t.Errorf("options %+v", got)
	}
}

// On a colour terminal the report goes through glamour; piped, or with
// NO_COLOR, it is plain aligned text with no escape sequences.
func TestExplainRendersForATerminalAndForAPipe(t *testing.T) {
	for _, c := range []struct {
		name            string
		terminal, color bool
		want            string
		escapes         bool
	}{
		{"colour terminal", true, true, "sleep (PID 701): normal process", true},
		{"NO_COLOR terminal", true, false, "  no  terminal           controlling terminal pts/0", false},
		{"pipe", false, false, "  no  terminal           controlling terminal pts/0", false},
	} {
		ios, _, out, errOut := iostreams.Test()
		ios.IsTerminal, ios.Color, ios.Width = c.terminal, c.color, 100
		opts := &explainOptions{IO: ios, ProcRoot: hostProc, Target: "701"}
		if err := runExplain(opts); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		text := out.String()
		if !strings.Contains(stripANSI(text), c.want) {
			t.Errorf("%s: output lacks %q:\n%s", c.name, c.want, text)
		}
		if got := strings.Contains(text, "\x1b["); got != c.escapes {
			t.Errorf("%s: escape sequences %v, want %v", c.name, got, c.escapes)
		}
		if errOut.Len() != 0 {
			t.Errorf("%s: stderr %q", c.name, errOut)
		}
	}
}

// explain renders as dlab lesson does (issue 12): --plain beats everything,
// --style beats detection (even piped), $GLAMOUR_STYLE applies only where
// colour is on, and a style that doesn't exist is an error naming it.
func TestExplainHonoursStylePlainAndGlamourStyle(t *testing.T) {
	const aligned = "  no  terminal           controlling terminal pts/0"
	for _, c := range []struct {
		name   string
		color  bool
		style  string
		plain  bool
		env    string
		styled bool
		err    string
	}{
		{"--plain on a colour terminal", true, "dark", true, "dark", false, ""},
		{"--style dark, piped", false, "dark", false, "", true, ""},
		{"GLAMOUR_STYLE=notty on a colour terminal", true, "", false, "notty", false, ""},
		{"GLAMOUR_STYLE=light on a colour terminal", true, "", false, "light", true, ""},
		{"GLAMOUR_STYLE=dark, piped", false, "", false, "dark", false, ""},
		{"--style that does not exist", true, "nosuch", false, "", false, `no style "nosuch"`},
	} {
		ios, _, out, _ := iostreams.Test()
		ios.IsTerminal, ios.Color, ios.Width = c.color, c.color, 100
		env := map[string]string{"GLAMOUR_STYLE": c.env, "TERM": "xterm-256color"}
		opts := &explainOptions{IO: ios, ProcRoot: hostProc, Target: "701", Style: c.style, Plain: c.plain, NoPager: true,
			Getenv: func(k string) string { return env[k] }}
		err := runExplain(opts)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one saying %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		text := out.String()
		if got := strings.Contains(text, "\x1b["); got != c.styled {
			t.Errorf("%s: escape sequences %v, want %v", c.name, got, c.styled)
		}
		if got := strings.Contains(text, aligned); got == c.styled {
			t.Errorf("%s: the plain aligned text %v, want %v:\n%s", c.name, got, !c.styled, text)
		}
	}
}

func TestExplainErrorsAreOneLine(t *testing.T) {
	for _, target := range []string{"abc", "0", "99999999", "4194304", ":x", "980"} {
		ios, _, out, _ := iostreams.Test()
		err := runExplain(&explainOptions{IO: ios, ProcRoot: hostProc, Target: target})
		if err == nil || strings.Contains(err.Error(), "\n") || out.Len() != 0 {
			t.Errorf("%s: err %v, stdout %q", target, err, out)
		}
	}
}

func stripANSI(s string) string {
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && !(s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
