package grade

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"dlab/demos/core/grade/reaper"
	"dlab/demos/core/proc"
	"dlab/demos/lab/sdnotify"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"

	"golang.org/x/sys/unix"
)

// guardRole is the harness's parent. The harness adopts the daemon that
// double-forked away, and ends it at the end of the check; but a harness that
// dies (the OOM killer, a SIGKILL) can end nothing, and its adopted children
// would go to init. The guard is a child subreaper too, so they go to it
// instead: when the harness is gone it ends everything left below it,
// kills the harness's pids cgroup, and exits. The harness in turn dies with
// the guard (PR_SET_PDEATHSIG), and records the program's processes in
// dlab's registry, for 'dlab demo cleanup' when both are killed at once.
const guardRole = "grade-guard"

// cgroupPrefix names the harness's pids cgroup, followed by its PID.
const cgroupPrefix = "dlab-check-"

// EndLeftoverChecks ends what killed checks left in their pids cgroups, for
// 'dlab demo cleanup': the processes of a program that forked after its
// harness last recorded one, when the harness and its guard were killed
// together. The cgroups are the ones the registry's ended entries name. It
// returns how many checks it cleaned up after.
func EndLeftoverChecks(ended []registry.Ended) (int, error) {
	seen := map[string]bool{}
	var dirs []string
	for _, e := range ended {
		if d := e.Entry.Cgroup; d != "" && !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	return reaper.EndStale(dirs, cgroupPrefix)
}

func init() { reexec.Register(guardRole, guardMain) }

// guardMain: the arguments are the harness's; stdin (the control pipe), the
// standard streams and fd 3 (the report) are passed on to the harness.
func guardMain(args []string) int {
	if err := reaper.Become(); err != nil {
		fmt.Fprintf(os.Stderr, "dlab: %v\n", err)
		return 1
	}
	r := reaper.Start()
	defer r.Stop()
	self, err := reexec.Self()
	if err != nil {
		fmt.Fprintf(os.Stderr, "dlab: cannot find dlab's own executable to start the grader's harness: %v\n", err)
		return 1
	}
	report := os.NewFile(3, "report")
	// A signal to the guard is a request to stop the check: pass it on, so
	// that the harness ends the program and still sends its report.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGINT, unix.SIGTERM, unix.SIGHUP)
	h, err := os.StartProcess(self, reexec.Args(harnessRole, args...), &os.ProcAttr{
		Env:   os.Environ(),
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr, report},
		Sys:   &syscall.SysProcAttr{Pdeathsig: unix.SIGKILL},
	})
	// Only the harness writes the report: dlab reads it to the end, which
	// comes when the harness exits, however it exits.
	report.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "dlab: cannot start the grader's harness: %v\n", err)
		return 1
	}
	harness := h.Pid
	// The harness's registry entries are owned by it, by PID and start
	// time; read now, while it is our unwaited child and the PID is its.
	owner := registry.Owner{PID: harness}
	if st, err := proc.Live().Stat(harness); err == nil {
		owner.StartTime = st.StartTime
	}
	h.Release() // the reaper waits for it
	go func() {
		for sig := range sigs {
			unix.Kill(harness, sig.(unix.Signal))
		}
	}()
	var e reaper.Exit
	for ok := false; !ok; {
		e, ok = r.WaitExit(harness, time.Hour)
	}
	if e.Status.Exited() && e.Status.ExitStatus() == 0 {
		return 0
	}
	// The harness died before it could clean up: what it adopted is now the
	// guard's. The pids cgroup's kill file ends its members at once (Linux
	// 5.14+); EndAll stops and kills whatever is below the guard.
	limit := reaper.FindPidsLimit(cgroupPrefix + strconv.Itoa(harness))
	if limit != nil {
		limit.Kill()
	}
	n, err := reaper.EndAll(proc.Live(), os.Getpid(), 10*time.Second)
	if limit != nil {
		limit.Remove(2 * time.Second)
	}
	// A killed harness could not remove its NOTIFY_SOCKET directory.
	for _, dir := range sdnotify.LeftBy(harness) {
		os.RemoveAll(dir)
	}
	// What the guard ended needs no 'dlab demo cleanup'; what escaped it
	// (a process outside the guard's tree) stays recorded for it.
	if owner.StartTime != 0 {
		registry.ForgetEnded(owner)
	}
	if e.Status.Exited() && n == 0 && err == nil {
		return e.Status.ExitStatus() // the harness said why on stderr
	}
	msg := fmt.Sprintf("dlab: the grader's harness %s before it finished", e.Exit.String())
	if n > 0 {
		msg += fmt.Sprintf("; dlab ended the %d process(es) of the program it left", n)
	}
	if err != nil {
		msg += fmt.Sprintf("; %v", err)
	}
	fmt.Fprintln(os.Stderr, msg)
	return 1
}
