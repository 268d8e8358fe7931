package proc_test

import (
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/testkit/poll"
)

// start runs a command and ends it when the test ends.
func start(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start %s: %v", cmd.Path, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Skip(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// A program whose file was removed while it runs (an upgrade replaced it)
// shows " (deleted)"; one whose file is really named "x (deleted)" does not
// count as deleted.
func TestLiveDeletedExecutable(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		remove  bool
		deleted bool
	}{
		{"removed", true, true},
		{"named (deleted)", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name)
			copyFile(t, sleep, path)
			cmd := exec.Command(path, "1000")
			start(t, cmd)
			fs := proc.Live()
			poll.Until(t, 5*time.Second, "the exec has happened", func() bool {
				e, err := fs.Exe(cmd.Process.Pid)
				return err == nil && filepath.Dir(e.Path) == dir
			})
			if c.remove {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			}
			e, err := fs.Exe(cmd.Process.Pid)
			if err != nil || e.Deleted != c.deleted || e.Path != path {
				t.Errorf("Exe = %+v, %v; want path %q deleted %v", e, err, path, c.deleted)
			}
		})
	}
}

// A process started under ptrace shows its tracer in TracerPid: the thread
// that traces it (a TID), whose group is this test.
func TestLiveTracerPid(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(sleep, "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	start(t, cmd)
	var st proc.Status
	poll.Until(t, 5*time.Second, "TracerPid is set", func() bool {
		st, err = proc.Live().Status(cmd.Process.Pid)
		return err == nil && st.TracerPid != 0
	})
	if tgid, err := proc.Live().ThreadGroup(st.TracerPid); err != nil || tgid != os.Getpid() {
		t.Errorf("TracerPid %d is a thread of %d (%v), want this test (%d)", st.TracerPid, tgid, err, os.Getpid())
	}
}

// unshare -fp makes its child PID 1 of a new PID namespace: NSpid shows both
// numbers and the reader calls it its namespace's init.
func TestLiveNamespaceInit(t *testing.T) {
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip(err)
	}
	args := []string{"--fork", "--pid", "sleep", "1000"}
	if os.Geteuid() != 0 {
		// A new PID namespace needs CAP_SYS_ADMIN: an ordinary user gets it
		// inside a user namespace of their own.
		args = append([]string{"--user", "--map-root-user"}, args...)
	}
	cmd := exec.Command(unshare, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start(t, cmd)
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	fs := proc.Live()
	var kids []int
	exited := false
	poll.Until(t, 5*time.Second, "unshare's child is there", func() bool {
		kids, _ = fs.Children(cmd.Process.Pid)
		st, err := fs.Stat(cmd.Process.Pid)
		exited = err != nil || st.State == 'Z'
		return len(kids) == 1 || exited
	})
	if len(kids) != 1 && exited {
		t.Skipf("unshare %v could not make a PID namespace here (no privilege, or user namespaces are off)", args)
	}
	var st proc.Status
	poll.Until(t, 5*time.Second, "the child has exec'd", func() bool {
		st, err = fs.Status(kids[0])
		return err == nil && st.Name == "sleep" || errors.Is(err, proc.ErrGone)
	})
	if err != nil {
		t.Skipf("unshare --pid failed here (no privilege?): %v", err)
	}
	if !st.IsNamespaceInit() || len(st.NSpid) != 2 || st.NSpid[0] != kids[0] {
		t.Errorf("NSpid %v: want [%d 1]", st.NSpid, kids[0])
	}
	if me, err := fs.Status(os.Getpid()); err != nil || me.IsNamespaceInit() {
		t.Errorf("this test is not a namespace's init: %+v, %v", me.NSpid, err)
	}
}

// Our own unix sockets appear in the namespace's table with their type,
// state and names: a path with a space, an abstract name, a bound datagram
// socket (as /dev/log is).
func TestLiveUnixSockets(t *testing.T) {
	dir := t.TempDir()
	stream := filepath.Join(dir, "with space.sock")
	l, err := net.Listen("unix", stream)
	if err != nil {
		t.Skip(err)
	}
	defer l.Close()
	abstract := "@dlab-proc-test-" + filepath.Base(dir)
	la, err := net.Listen("unix", abstract)
	if err != nil {
		t.Skip(err)
	}
	defer la.Close()
	dgram := filepath.Join(dir, "log")
	d, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: dgram, Net: "unixgram"})
	if err != nil {
		t.Skip(err)
	}
	defer d.Close()
	c, err := net.Dial("unix", stream)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	socks, err := proc.Live().NamespaceSockets()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]proc.Socket{}
	for _, s := range socks {
		// A server's connections (accepted or not yet) carry its
		// path too: keep the listener when there is one.
		if s.Proto == "unix" && s.Local != "" && !found[s.Local].Listen {
			found[s.Local] = s
		}
	}
	if s := found[stream]; s.Type != proc.Stream || !s.Listen || s.Connected {
		t.Errorf("listener %q: %+v", stream, s)
	}
	if s := found[abstract]; s.Type != proc.Stream || !s.Listen || !s.IsAbstract() {
		t.Errorf("abstract %q: %+v", abstract, s)
	}
	if s := found[dgram]; s.Type != proc.Datagram || s.Listen || s.Connected || !s.IsBound() {
		t.Errorf("datagram %q: %+v", dgram, s)
	}
}

// A process that changed its uid without exec is not dumpable: the kernel
// gives its /proc files to root, and only the directory's owner and status
// show who it runs as.
func TestLiveEffectiveUserOfANonDumpableProcess(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can change its uid")
	}
	perl, err := exec.LookPath("perl")
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(perl, "-e", "$< = $> = 65534; sleep 1000")
	start(t, cmd)
	pid := cmd.Process.Pid
	fs := proc.Live()
	poll.Until(t, 5*time.Second, "the uid has changed", func() bool {
		st, err := fs.Status(pid)
		return err == nil && st.UID[1] == 65534
	})
	var file syscall.Stat_t
	if err := syscall.Stat(fs.Path(pid, "stat"), &file); err != nil || file.Uid != 0 {
		t.Fatalf("stat file owned by %d, %v: want root, as the kernel shows a non-dumpable process", file.Uid, err)
	}
	r := fs.StatReader()
	o, err := r.Read(pid)
	if err != nil || o.UID != 65534 || o.PID != pid {
		t.Errorf("Read = uid %d, %+v, %v; want the effective uid 65534", o.UID, o.Stat, err)
	}
	// A dumpable process owns its files too, and gets the same.
	self, err := r.Read(os.Getpid())
	if err != nil || self.UID != os.Geteuid() {
		t.Errorf("self: %d, %v", self.UID, err)
	}
}

// A zombie has no memory left, so the kernel gives its /proc files to root,
// whoever it ran as; the directory keeps the effective uid, which ps shows.
func TestLiveZombieKeepsItsUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can start a process as another user")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip(err)
	}
	// sleep 1000 never reaps the sleep 0 that sh started before exec.
	cmd := exec.Command(sh, "-c", "sleep 0 & exec sleep 1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	start(t, cmd)
	fs := proc.Live()
	zombie := 0
	poll.Until(t, 10*time.Second, "sleep 0 is a zombie child", func() bool {
		kids, _ := fs.Children(cmd.Process.Pid)
		for _, k := range kids {
			if st, err := fs.Stat(k); err == nil && st.State == 'Z' {
				zombie = k
				return true
			}
		}
		return false
	})
	var file syscall.Stat_t
	if err := syscall.Stat(fs.Path(zombie, "stat"), &file); err != nil || file.Uid != 0 {
		t.Fatalf("zombie's stat file owned by uid %d, %v: want root", file.Uid, err)
	}
	o, err := fs.StatReader().Read(zombie)
	if err != nil || o.UID != 65534 || o.State != 'Z' {
		t.Errorf("Read(zombie) = uid %d state %c, %v; want 65534 Z", o.UID, o.State, err)
	}
}
