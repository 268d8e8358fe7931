package proc_test

import (
	"os/exec"
	"reflect"
	"sort"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/testkit/fakeproc"
	"dlab/demos/testkit/poll"
)

func pidsOf(sts []proc.Stat) []int {
	var out []int
	for _, st := range sts {
		out = append(out, st.PID)
	}
	return out
}

func TestDescendantsFollowParentLinksWithoutChildrenFiles(t *testing.T) {
	// 1 ─ 10 ─ 11 ─ 12 ─ 13
	//       └─ 20 ─ 21 (zombie)
	//       └─ 25, a reused PID: started before 10, so not its child
	// 1 ─ 30 ─ 31
	fs := fakeproc.Tree(t, map[int]int{1: 0, 10: 1, 11: 10, 12: 11, 13: 12, 20: 10, 21: 20, 25: 10, 30: 1, 31: 30},
		map[int]byte{21: 'Z'}, map[int]int{25: 5})
	got, err := fs.Descendants(10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{11, 12, 13, 20, 21}; !reflect.DeepEqual(pidsOf(got), want) {
		t.Errorf("descendants of 10 = %v, want %v", pidsOf(got), want)
	}
	if got, err := fs.Descendants(13); err != nil || len(got) != 0 {
		t.Errorf("a leaf has descendants %v, %v", pidsOf(got), err)
	}
	if _, err := fs.Descendants(99); err == nil {
		t.Error("descendants of a missing process: no error")
	}
}

func TestDescendantsFollowTheChildrenFiles(t *testing.T) {
	// testdata/proc/47's thread 47 lists children 52 (gone: no stat) and
	// 44 (started before 47: a PID reused since); its thread 48 lists 60,
	// an orphan it adopted.
	got, err := proc.FS{Root: "testdata/proc"}.Descendants(47)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{60}; !reflect.DeepEqual(pidsOf(got), want) {
		t.Errorf("descendants of 47 = %v, want %v", pidsOf(got), want)
	}
}

// The walk down the children files finds what a scan of every process's
// parent finds.
func TestLiveDescendantsBothWaysAgree(t *testing.T) {
	cmd := exec.Command("bash", "-c", `(sleep 1000 & sleep 1000 & wait) & sleep 1000 & echo ready; wait`)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // one group to end at once
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	buf := make([]byte, 6)
	out.Read(buf) // "ready": the children have been forked
	fs := proc.Live()
	if !fs.CanListChildren(cmd.Process.Pid) {
		t.Skip("this kernel has no /proc/PID/task/TID/children")
	}
	top, err := fs.Stat(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	// The subshell's sleeps may still be starting.
	var byChildren, byParent, all []proc.Stat
	if !poll.For(5*time.Second, func() bool {
		byChildren = proc.DescendantsByChildren(fs, top)
		if byParent, err = proc.DescendantsByParent(fs, top); err != nil {
			t.Fatal(err)
		}
		if all, err = fs.Descendants(top.PID); err != nil {
			t.Fatal(err)
		}
		return len(byChildren) == 4 && len(byParent) == 4 && len(all) == 4
	}) {
		t.Fatalf("children walk %v, parent scan %v, want the same 4", pidsOf(byChildren), pidsOf(byParent))
	}
	a, b := pidsOf(byChildren), pidsOf(byParent)
	sort.Ints(a)
	sort.Ints(b)
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(pidsOf(all), a) {
		t.Fatalf("children walk %v, parent scan %v, Descendants %v", a, b, pidsOf(all))
	}
}
