package reaper

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/fakeproc"
	"dlab/demos/testkit/leakcheck"
	"dlab/demos/testkit/poll"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }

func pidsOf(sts []proc.Stat) []int {
	var out []int
	for _, st := range sts {
		out = append(out, st.PID)
	}
	return out
}

func TestDescendantsFollowsParentLinks(t *testing.T) {
	// 1 ─ 10 (harness) ─ 11 ─ 12 ─ 13
	//             └─ 20 (adopted daemon) ─ 21 (zombie)
	// 1 ─ 30 (someone else's) ─ 31
	fs := fakeproc.Tree(t, map[int]int{1: 0, 10: 1, 11: 10, 12: 11, 13: 12, 20: 10, 21: 20, 30: 1, 31: 30}, map[int]byte{21: 'Z'}, nil)
	got, err := fs.Descendants(10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{11, 12, 13, 20, 21}; !reflect.DeepEqual(pidsOf(got), want) {
		t.Errorf("descendants of 10 = %v, want %v", pidsOf(got), want)
	}
	if want := []int{11, 12, 13, 20}; !reflect.DeepEqual(pidsOf(Alive(got)), want) {
		t.Errorf("alive = %v, want %v", pidsOf(Alive(got)), want)
	}
	if got, _ := fs.Descendants(13); len(got) != 0 {
		t.Errorf("a leaf has descendants %v", pidsOf(got))
	}
}

func TestPidsCgroupDirs(t *testing.T) {
	mountinfo := []byte(`31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 /ctr /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`)
	tests := []struct {
		name   string
		cgroup string
		want   []string
	}{
		{"v1 pids first, then v2", "8:pids:/user/1000\n0::/ctr/app\n", []string{"/sys/fs/cgroup/pids/user/1000", "/sys/fs/cgroup/unified/app"}},
		{"v2 only", "0::/ctr/app\n", []string{"/sys/fs/cgroup/unified/app"}},
		{"no pids controller", "9:name=systemd:/\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cgs, err1 := proc.ParseCgroup([]byte(tt.cgroup))
			ms, err2 := proc.ParseMountInfo(mountinfo)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if got := pidsCgroupDirs(cgs, ms); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEndAllEndsATreeThatKeepsForking(t *testing.T) {
	// A parent whose children each keep starting more.
	cmd := exec.Command("bash", "-c", `for i in 1 2 3; do (while :; do sleep 1000 & sleep 0.01; done) & done; wait`)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	fs := proc.Live()
	// Each loop has at most one short-lived process at a time (a sleep
	// 0.01, or a fork not yet exec'd), so 12 alive means at least 9 that
	// stay until they are killed. Fewer by the deadline: EndAll is tried
	// on what there is.
	poll.For(5*time.Second, func() bool {
		sts, _ := fs.Descendants(cmd.Process.Pid)
		return len(Alive(sts)) >= 12
	})
	n, err := EndAll(fs, cmd.Process.Pid, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if n < 9 {
		t.Errorf("ended %d processes, want at least 9", n)
	}
	if sts, _ := fs.Descendants(cmd.Process.Pid); len(Alive(sts)) != 0 {
		t.Errorf("still running: %v", pidsOf(Alive(sts)))
	}
}

func FuzzPidsCgroupDirs(f *testing.F) {
	f.Add("8:pids:/a\n0::/b\n", "39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n")
	f.Add("0::/\n", "41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n")
	f.Add(":::\n", " - \n")
	f.Fuzz(func(t *testing.T, cgroup, mountinfo string) {
		cgs, err1 := proc.ParseCgroup([]byte(cgroup))
		ms, err2 := proc.ParseMountInfo([]byte(mountinfo))
		if err1 != nil || err2 != nil {
			return
		}
		for _, d := range pidsCgroupDirs(cgs, ms) {
			if d == "" {
				t.Error("an empty directory")
			}
		}
	})
}

// BenchmarkDescendants is one scan of the live /proc, which the harness
// repeats every 10-20ms while it waits.
func BenchmarkDescendants(b *testing.B) {
	fs := proc.Live()
	for i := 0; i < b.N; i++ {
		if _, err := fs.Descendants(os.Getpid()); err != nil {
			b.Fatal(err)
		}
	}
}

// A harness killed with its guard leaves its pids cgroup, with whatever the
// program forked after the harness last looked: EndStale ends them.
func TestEndStaleEndsWhatAKilledHarnessLeft(t *testing.T) {
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	const prefix = "dlab-test-stale-"
	l, err := NewPidsLimit(prefix+strconv.Itoa(gone.Process.Pid), 64)
	if err != nil {
		t.Skipf("no pids cgroup here: %v", err)
	}
	defer l.Remove(5 * time.Second)
	left := exec.Command("sleep", "1000")
	if err := left.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	go func() { left.Wait(); close(waited) }()
	defer func() { left.Process.Kill(); <-waited }()
	if err := l.Join(left.Process.Pid); err != nil {
		t.Skipf("cannot move a process into the cgroup: %v", err)
	}
	n, err := EndStale([]string{l.Dir, filepath.Join(filepath.Dir(l.Dir), "not-"+prefix+"1")}, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("EndStale ended %d cgroups, want 1", n)
	}
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		t.Fatal("the process in the stale cgroup is still running")
	}
	if _, err := os.Stat(l.Dir); !os.IsNotExist(err) {
		t.Errorf("%s is still there", l.Dir)
	}
}
