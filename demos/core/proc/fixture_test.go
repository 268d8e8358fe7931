package proc

import (
	"reflect"
	"strings"
	"testing"
)

// testdata/proc holds the nasty cases: 42 has the command name
// "((a b ) ( c d) )"; 2 is a kernel thread with an empty cmdline; 43 is a
// zombie; 44 has no Umask line and a dangling fd link; 45 has a truncated
// stat and status; 46 has no closing parenthesis and a bad Umask.
var nasty = FS{Root: "testdata/proc"}

func TestFixturePIDs(t *testing.T) {
	pids, err := nasty.PIDs()
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 42, 43, 44, 45, 46}; !reflect.DeepEqual(pids, want) {
		t.Errorf("PIDs = %v, want %v (uptime and other names are not processes)", pids, want)
	}
}

func TestFixtureCommandNameWithParentheses(t *testing.T) {
	s, err := nasty.Stat(42)
	if err != nil {
		t.Fatal(err)
	}
	if s.Comm != "((a b ) ( c d) )" || s.State != 'S' || TTYName(s.TTY) != "pts/0" || !s.InForeground() {
		t.Errorf("got %+v", s)
	}
	o, err := nasty.StatReader().Read(42)
	if err != nil || o.Stat != s {
		t.Errorf("StatReader: %+v, %v", o, err)
	}
}

func TestFixtureKernelThread(t *testing.T) {
	s, err := nasty.Stat(2)
	if err != nil {
		t.Fatal(err)
	}
	if !s.IsKernelThread() {
		t.Errorf("flags %#x: PF_KTHREAD not seen", s.Flags)
	}
	args, err := nasty.Cmdline(2)
	if err != nil || args != nil {
		t.Errorf("cmdline = %q, %v; want empty", args, err)
	}
}

func TestFixtureZombie(t *testing.T) {
	s, err := nasty.Stat(43)
	if err != nil || s.State != 'Z' {
		t.Errorf("got %+v, %v", s, err)
	}
}

func TestFixtureMissingUmaskAndDanglingLink(t *testing.T) {
	st, err := nasty.Status(44)
	if err != nil {
		t.Fatal(err)
	}
	if st.Umask != -1 {
		t.Errorf("Umask = %d, want -1", st.Umask)
	}
	if l, err := nasty.Link(44, "fd/0"); err != nil || l != "/nonexistent/dangling" {
		t.Errorf("fd/0 = %q, %v", l, err)
	}
	fds, err := nasty.FDs(44)
	if err != nil || len(fds) != 1 || fds[0] != (FD{0, "/nonexistent/dangling"}) {
		t.Errorf("FDs = %+v, %v", fds, err)
	}
}

func TestFixtureMalformedFilesAreErrorsThatNameTheFile(t *testing.T) {
	for _, c := range []struct {
		read func() error
		want string
	}{
		{func() error { _, err := nasty.Stat(45); return err }, "testdata/proc/45/stat"},
		{func() error { _, err := nasty.StatReader().Read(45); return err }, "testdata/proc/45/stat"},
		{func() error { _, err := nasty.Stat(46); return err }, "no command name"},
		{func() error { _, err := nasty.Status(46); return err }, "testdata/proc/46/status"},
		{func() error { _, err := nasty.Status(45); return err }, "bad Uid line"},
	} {
		err := c.read()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v should mention %q", err, c.want)
		}
	}
}

func TestFixtureUptime(t *testing.T) {
	if u, err := nasty.Uptime(); err != nil || u != 100.25 {
		t.Errorf("uptime %v, %v", u, err)
	}
}
