package spectrum

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// runJobShell is the smallest shell that shows what nohup and setsid are
// for: the session leader of a terminal (its controlling process) that
// starts one command as a background job, in a process group of its own
// as a job-control shell does, and keeps the terminal's foreground for
// itself.
//
// On a hang-up it does what an interactive bash does (facts: "an
// interactive shell that gets SIGHUP resends it to its jobs"): it sends
// SIGHUP to each job's process group, then exits.
func runJobShell(args []string) int {
	rf, job, err := parseRoleFlags(roleShell, args, nil)
	if err != nil || len(job) == 0 {
		return 2
	}
	lg := roleLog("shell", rf.log)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGHUP, unix.SIGTERM)

	ready := announce(rf.readyFD, "shell")
	cmd := exec.Command(job[0], job[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// A job gets its own process group and stays in the background: the
	// terminal's foreground group (tpgid) remains the shell's.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if ready != nil {
		cmd.ExtraFiles = []*os.File{ready}
	}
	if err := cmd.Start(); err != nil {
		lg.Printf("cannot start %s: %v", job[0], err)
		return 1
	}
	rec := recordChild(cmd, "job")
	if ready != nil {
		ready.Close()
	}
	pgid := cmd.Process.Pid
	lg.Printf("started job %q as process group %d, in the background", job[0], pgid)
	go func() {
		state, _ := cmd.Process.Wait()
		rec.forget()
		lg.Printf("job %d (%s) %s", pgid, job[0], describeState(state))
	}()

	select {
	case sig := <-sigs:
		if sig != unix.SIGHUP {
			lg.Printf("%v: exiting", sig)
			return 0
		}
		err := unix.Kill(-pgid, unix.SIGHUP)
		lg.Printf("hang-up: SIGHUP from the kernel (this shell is the controlling process); sent SIGHUP to job process group %d (%v); exiting", pgid, errText(err))
		return 128 + int(unix.SIGHUP)
	case <-time.After(rf.lifetime):
		lg.Printf("lifetime over: exiting")
		return 0
	}
}

func errText(err error) string {
	if err == nil {
		return "sent"
	}
	return err.Error()
}
