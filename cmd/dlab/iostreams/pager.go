package iostreams

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// pager is the command that Out goes through while StartPager is in force.
type pager struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out io.Writer // Out before the pager took it
}

// PagerCommand picks the pager the way git and gh do: DLAB_PAGER, then
// PAGER, then less. An empty result or "cat" means no pager. On a terminal
// that can't move its cursor (TERM=dumb, as in an editor's shell buffer, or
// TERM unset) less and more only complain and wait for Return, so there is
// no pager there unless DLAB_PAGER asks for one by name.
func PagerCommand(getenv func(string) string) string {
	if c := strings.TrimSpace(getenv("DLAB_PAGER")); c != "" {
		return c
	}
	if t := getenv("TERM"); t == "" || t == "dumb" {
		return ""
	}
	if c := strings.TrimSpace(getenv("PAGER")); c != "" {
		return c
	}
	return "less"
}

// StartPagerFromEnv pages Out through the pager the environment names (see
// PagerCommand) when Out and In are a terminal, until StopPager. A report
// that fits one screen is printed as it is: less is started with -F.
func (s *IOStreams) StartPagerFromEnv(getenv func(string) string) error {
	return s.StartPager(PagerCommand(getenv))
}

// StartPager sends Out through command (run by sh -c) until StopPager, when
// both Out and In are a terminal: a person is reading, and the pager can
// take keys. It does nothing for "" or "cat", or when command's program is
// not installed (the text then goes straight to the terminal, as before).
func (s *IOStreams) StartPager(command string) error {
	if !s.IsTerminal || !s.InIsTerminal || s.pager != nil {
		return nil
	}
	fields := strings.Fields(command)
	if len(fields) == 0 || fields[0] == "cat" {
		return nil
	}
	if _, err := exec.LookPath(fields[0]); err != nil {
		return nil
	}
	cmd := exec.Command("sh", "-c", command)
	cmd.Env = pagerEnv(os.Environ())
	cmd.Stdout, cmd.Stderr = s.Out, s.ErrOut
	in, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("cannot start the pager %q: %w", command, err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start the pager %q (set DLAB_PAGER=cat to do without): %w", command, err)
	}
	s.pager = &pager{cmd: cmd, in: in, out: s.Out}
	s.Out = in
	return nil
}

// StopPager ends the input of the pager and waits until the reader quits it.
func (s *IOStreams) StopPager() {
	if s.pager == nil {
		return
	}
	s.pager.in.Close()
	// The pager's own exit status (q, or ^C in less) is not dlab's concern.
	var ee *exec.ExitError
	if err := s.pager.cmd.Wait(); err != nil && !errors.As(err, &ee) {
		fmt.Fprintf(s.ErrOut, "dlab: the pager: %v\n", err)
	}
	s.Out = s.pager.out
	s.pager = nil
}

// StopPagerWithNote writes note at the end of what the pager shows, then
// stops it as StopPager does. Said through the pager, the note stays where
// the reader is looking; written to stderr it would be drawn over the
// pager's prompt and the pager's next redraw would wipe it out. Without a
// pager the note goes to ErrOut.
func (s *IOStreams) StopPagerWithNote(note string) {
	if s.pager == nil {
		fmt.Fprintln(s.ErrOut, note)
		return
	}
	fmt.Fprintf(s.Out, "\n%s\n", note)
	s.StopPager()
}

// Paging reports whether Out goes through a pager now.
func (s *IOStreams) Paging() bool { return s.pager != nil }

// pagerEnv is environ with the settings the pager needs that the user has
// not made.
func pagerEnv(environ []string) []string {
	set := map[string]bool{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		set[k] = v != ""
	}
	env := slices.Clone(environ)
	for _, d := range []struct{ key, value string }{
		// Quit at once if it fits one screen, pass colours through, and
		// leave the text on the screen afterwards.
		{"LESS", "FRX"},
		{"LV", "-c"},
		// dlab writes UTF-8 whatever the locale. Under LANG=C (su -, a
		// minimal container) less would otherwise show ▶ as <E2><96><B6>.
		{"LESSCHARSET", "utf-8"},
	} {
		if !set[d.key] {
			env = append(env, d.key+"="+d.value)
		}
	}
	return env
}
