package proc

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

func TestParseExeLink(t *testing.T) {
	for target, want := range map[string]Exe{
		"/usr/sbin/nginx":                {Path: "/usr/sbin/nginx"},
		"/usr/sbin/nginx (deleted)":      {Path: "/usr/sbin/nginx", Deleted: true},
		"/opt/a (deleted) b":             {Path: "/opt/a (deleted) b"},
		"/opt/x (deleted) (deleted)":     {Path: "/opt/x (deleted)", Deleted: true},
		" (deleted)":                     {Path: " (deleted)"},
		"":                               {},
		"/memfd:payload (deleted)":       {Path: "/memfd:payload", Deleted: true},
		"/with\nnewline/prog (deleted)":  {Path: "/with\nnewline/prog", Deleted: true},
		"/usr/bin/((a b ) ( c d) )":      {Path: "/usr/bin/((a b ) ( c d) )"},
		"/usr/bin/x(deleted)":            {Path: "/usr/bin/x(deleted)"},
		"/usr/bin/x  (deleted)":          {Path: "/usr/bin/x ", Deleted: true},
		"/usr/bin/x (deleted)\x00suffix": {Path: "/usr/bin/x (deleted)\x00suffix"},
	} {
		if got := ParseExeLink(target); got != want {
			t.Errorf("ParseExeLink(%q) = %+v, want %+v", target, got, want)
		}
	}
}

// A refused readlink is not a closed fd: the two errors must never be
// confused, whatever the kernel returned.
func TestFDErrorsKeepRefusedApartFromClosed(t *testing.T) {
	for _, c := range []struct {
		err          error
		gone, denied bool
	}{
		{&os.PathError{Op: "readlink", Err: syscall.ENOENT}, true, false},
		{&os.PathError{Op: "readlink", Err: syscall.ESRCH}, true, false},
		{&os.PathError{Op: "readlink", Err: syscall.EACCES}, false, true},
		{&os.PathError{Op: "readlink", Err: syscall.EPERM}, false, true},
		{&os.PathError{Op: "readlink", Err: syscall.EIO}, false, false},
	} {
		err := fdError(7, 3, c.err)
		if errors.Is(err, ErrGone) != c.gone || errors.Is(err, ErrPermission) != c.denied {
			t.Errorf("%v -> %v: gone %v denied %v", c.err, err, errors.Is(err, ErrGone), errors.Is(err, ErrPermission))
		}
		if !strings.Contains(err.Error(), "fd 3 of process 7") {
			t.Errorf("%v does not name the fd", err)
		}
	}
}

func TestParseStatusThreadTracerAndPending(t *testing.T) {
	in := "Name:\tbio\nTgid:\t900\nPid:\t903\nPPid:\t1\nTracerPid:\t77\nSigPnd:\t0000000000000001\nShdPnd:\t0000000000000100\n" +
		"SigBlk:\t0000000000010002\nNSpid:\t903\n"
	s, err := ParseStatus([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if s.Tgid != 900 || s.PID != 903 || s.PPID != 1 || s.TracerPid != 77 || !s.IsThread() || s.IsNamespaceInit() || s.NamespacePID() != 903 {
		t.Errorf("parsed %+v", s)
	}
	if got := s.Pending().String(); got != "SIGHUP,SIGKILL" {
		t.Errorf("pending = %s", got)
	}
	if got := s.SigBlk.String(); got != "SIGINT,SIGCHLD" {
		t.Errorf("SigBlk = %s", got)
	}
	// Kernels before 4.1 have no NSpid line.
	old, err := ParseStatus([]byte("Name:\tx\n"))
	if err != nil || old.NamespacePID() != 0 || old.IsNamespaceInit() || old.IsThread() {
		t.Errorf("no NSpid: %+v, %v", old, err)
	}
	for _, bad := range []string{"Name:\tx\nTracerPid:\tme\n", "Name:\tx\nTgid:\t\n", "Name:\tx\nShdPnd:\tzz\n", "Name:\tx\nSigPnd:\t10000000000000000\n"} {
		if _, err := ParseStatus([]byte(bad)); err == nil {
			t.Errorf("%q parsed without error", bad)
		}
	}
}

func TestParseNetUnixRejectsWhatIsNoRecord(t *testing.T) {
	for _, bad := range []string{
		"h\ngarbage\n",
		"h\n0: 2 0 zz 1 3 9501\n",
		"h\n0: 2 0 0 1 3 -1\n",
		"h\n0 2 0 0 1 3 9501\n", // no colon after Num
	} {
		if _, err := ParseNetUnix([]byte(bad)); err == nil {
			t.Errorf("%q parsed without error", bad)
		}
	}
	socks, err := ParseNetUnix([]byte("Num RefCount Protocol Flags Type St Inode Path\n"))
	if err != nil || len(socks) != 0 {
		t.Errorf("header only: %+v, %v", socks, err)
	}
	socks, err = ParseNetUnix([]byte("h\n0: 2 0 0 3 1 5\n"))
	if err != nil || socks[0].Type != "type 3" || socks[0].Listen {
		t.Errorf("SOCK_RAW: %+v, %v", socks, err)
	}
}

// The live kernel: an fd of our own to a file we then delete shows the mark.
func TestLiveDeletedFileAndClosedFD(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gone soon")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	got, err := Live().FDTarget(os.Getpid(), int(f.Fd()))
	if err != nil || ParseExeLink(got) != (Exe{Path: path, Deleted: true}) {
		t.Errorf("fd link %q, %v; want %s marked deleted", got, err, path)
	}
	// 1<<20 is above any fd limit this test runs with: never open.
	if _, err := Live().FDTarget(os.Getpid(), 1<<20); !errors.Is(err, ErrGone) || errors.Is(err, ErrPermission) {
		t.Errorf("closed fd: %v", err)
	}
}

// Where the kernel refuses to show another process's fd links (not root; or
// root in a sandbox, where even PID 1's are hidden), FDs keeps every fd the
// listing shows, marked refused, instead of dropping it as closed.
func TestLiveRefusedFDsAreKept(t *testing.T) {
	names, err := os.ReadDir("/proc/1/fd")
	if err != nil {
		t.Skipf("cannot list PID 1's fds here: %v", err)
	}
	fds, err := Live().FDs(1)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, fd := range fds {
		if !fd.Readable() {
			refused++
			if !errors.Is(fd.Err, ErrPermission) || errors.Is(fd.Err, ErrGone) || fd.Target != "" {
				t.Errorf("fd %d: %+v", fd.Num, fd)
			}
		}
	}
	if len(fds) != len(names) {
		t.Errorf("FDs(1) has %d fds, the listing %d", len(fds), len(names))
	}
	t.Logf("PID 1: %d fds, %d refused", len(fds), refused)
}

func TestLiveThreadGroupOfOurThreads(t *testing.T) {
	tids, err := Live().Tasks(os.Getpid())
	if err != nil || len(tids) < 2 {
		t.Fatalf("Tasks(self) = %v, %v (a Go program has several threads)", tids, err)
	}
	for _, tid := range tids {
		tgid, err := Live().ThreadGroup(tid)
		if errors.Is(err, ErrGone) {
			continue // the runtime let that thread exit
		}
		if err != nil || tgid != os.Getpid() {
			t.Errorf("ThreadGroup(%d) = %d, %v", tid, tgid, err)
		}
	}
}

func TestNewSaysWhenTheRootIsMissing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for root, want := range map[string]string{
		filepath.Join(t.TempDir(), "nonexistent"): "the directory does not exist",
		file: "is not a directory",
		"":   "no /proc root given",
	} {
		_, err := New(root)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New(%q) = %v, want an error saying %q", root, err, want)
		}
		if root != "" && !errors.Is(err, ErrNoRoot) {
			t.Errorf("New(%q): %v is not ErrNoRoot", root, err)
		}
	}
	fs, err := New("testdata/proc")
	if err != nil || fs.Root != "testdata/proc" {
		t.Errorf("New(testdata/proc) = %+v, %v", fs, err)
	}
}

// The zero value reads the machine's /proc, never a relative path such as
// "42/stat" in whatever directory dlab runs in.
func TestZeroFSReadsTheDefaultRoot(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "1", "stat"), []byte("1 (decoy) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	var zero FS
	if got := zero.Path(1, "stat"); got != "/proc/1/stat" {
		t.Errorf("Path = %q", got)
	}
	if s, err := zero.Stat(1); err == nil && s.Comm == "decoy" {
		t.Errorf("the zero FS read ./1/stat")
	}
}

func TestFixtureSelfAndThreadSelf(t *testing.T) {
	fds, err := nasty.SelfFDNums()
	if err != nil || !reflect.DeepEqual(fds, []int{0, 3, 4, 5}) {
		t.Errorf("SelfFDNums = %v, %v", fds, err)
	}
	cgs, err := nasty.SelfCgroup()
	if err != nil || len(cgs) != 1 || cgs[0].Path != "/ctr/app" {
		t.Errorf("SelfCgroup = %+v, %v", cgs, err)
	}
	ms, err := nasty.SelfMounts()
	if err != nil || len(ms) != 5 {
		t.Fatalf("SelfMounts = %+v, %v", ms, err)
	}
	if ms[2].FSType != "cgroup" || !ms[2].HasSuperOption("pids") || ms[2].HasSuperOption("rw,pids") || ms[3].Root != "/ctr" {
		t.Errorf("cgroup mounts: %+v", ms[2:4])
	}
	if ms[4].MountPoint != "/mnt/with space" || ms[4].Source != `/dev/disk\x` {
		t.Errorf("escaped paths: %+v", ms[4])
	}
	st, err := nasty.ThreadSelfStatus()
	if err != nil || st.PID != 48 || st.SigBlk != 0xfffffffe7ffbfeff {
		t.Errorf("ThreadSelfStatus = %+v, %v", st, err)
	}
	if _, err := (FS{Root: t.TempDir()}).SelfFDNums(); err == nil {
		t.Error("SelfFDNums on an empty tree: no error")
	}
}

func TestFixtureChildrenOfEveryThread(t *testing.T) {
	if !nasty.CanListChildren(47) || nasty.CanListChildren(42) {
		t.Errorf("CanListChildren: 47 has children files, 42 has none")
	}
	kids, err := nasty.Children(47)
	if err != nil || !reflect.DeepEqual(kids, []int{52, 44, 60}) {
		t.Errorf("Children(47) = %v, %v (60 was adopted by thread 48)", kids, err)
	}
	if _, err := nasty.Children(99999); !errors.Is(err, ErrGone) {
		t.Errorf("gone: %v", err)
	}
}

func TestFixtureEnviron(t *testing.T) {
	env, err := nasty.Environ(47)
	want := []string{"PATH=/usr/bin", "DLAB_LEAKCHECK=1-2", "EMPTY=", "weird entry without equals"}
	if err != nil || !reflect.DeepEqual(env, want) {
		t.Errorf("Environ = %q, %v", env, err)
	}
}

func TestParseExitCodeOfAZombie(t *testing.T) {
	b, err := nasty.ReadFile(43, "stat")
	if err != nil {
		t.Fatal(err)
	}
	if code, err := ParseExitCode(b); err != nil || code != 256 {
		t.Errorf("exit code %d, %v; want 256 (exit status 1)", code, err)
	}
	for _, bad := range []string{"", "1 (x) S 1 2", sleepStat[:len(sleepStat)-3] + " x\n"} {
		if _, err := ParseExitCode([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if code, err := ParseExitCode([]byte(sleepStat)); err != nil || code != 0 {
		t.Errorf("sleep: %d, %v", code, err)
	}
}

func TestParseChildrenAndMountInfoRejectGarbage(t *testing.T) {
	if kids, err := ParseChildren([]byte("")); err != nil || kids != nil {
		t.Errorf("empty: %v, %v", kids, err)
	}
	for _, bad := range []string{"12 x", "-3", "0"} {
		if _, err := ParseChildren([]byte(bad)); err == nil {
			t.Errorf("children %q parsed", bad)
		}
	}
	for _, bad := range []string{"no separator here\n", "1 2 - cgroup2\n", "1 2 3 / /x rw - cgroup2\n"} {
		if _, err := ParseMountInfo([]byte(bad)); err == nil {
			t.Errorf("mountinfo %q parsed", bad)
		}
	}
}

func TestLiveSelfReaders(t *testing.T) {
	fds, err := Live().SelfFDNums()
	if err != nil || len(fds) < 3 || fds[0] != 0 {
		t.Errorf("SelfFDNums = %v, %v", fds, err)
	}
	if _, err := Live().SelfMounts(); err != nil {
		t.Error(err)
	}
	if _, err := Live().SelfCgroup(); err != nil {
		t.Error(err)
	}
	st, err := Live().ThreadSelfStatus()
	if err != nil || st.Tgid != os.Getpid() {
		t.Errorf("ThreadSelfStatus: %+v, %v", st, err)
	}
	env, err := Live().Environ(os.Getpid())
	if err != nil || len(env) == 0 {
		t.Errorf("Environ(self) = %d entries, %v", len(env), err)
	}
}

func TestHasTTYName(t *testing.T) {
	for name, want := range map[string]bool{"pts/3": true, "tty1": true, "console": true, NoTTY: false, "": false} {
		if got := HasTTYName(name); got != want {
			t.Errorf("HasTTYName(%q) = %v", name, got)
		}
	}
	if HasTTYName(TTYName(0)) || !HasTTYName(TTYName(136<<8)) {
		t.Error("HasTTYName disagrees with TTYName")
	}
}
