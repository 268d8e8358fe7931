package grade

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"
	"unsafe"

	"dlab/demos/core/grade/reaper"
	"dlab/demos/launch/event"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"

	"golang.org/x/sys/unix"
)

const (
	harnessRole = "grade-harness"
	shellRole   = "grade-shell"
	execRole    = "grade-exec"
)

func init() {
	reexec.Register(harnessRole, harnessMain)
	reexec.Register(shellRole, shellMain)
	reexec.Register(execRole, execMain)
}

// shellMain is the interactive shell the student would have typed the
// command into, reduced to what matters here: it is the session leader of
// the terminal (the controlling process), it runs the command as a
// foreground job in a process group of its own, takes the terminal back when
// the job ends, and on a hang-up passes SIGHUP on to a job still running and
// exits, as bash does.
//
// Arguments: UMASK CGROUP NPROC -- COMMAND [ARGS...]. Its stdio is the
// terminal; fd 3 is the event pipe to the harness: an "error" event of the
// shell, or the program's "started" and then "exited" events.
func shellMain(args []string) int {
	events := event.Inherit(3)
	fail := func(err string) {
		e := event.Self("shell", "error")
		e.Error = err
		event.Send(events, e)
	}
	if len(args) < 5 || args[3] != "--" {
		fail("bad arguments to the shell role")
		return 2
	}
	mask, _ := strconv.ParseUint(args[0], 8, 32)
	syscall.Umask(int(mask))
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, unix.SIGHUP)

	cmd, err := reexec.Command(execRole, append([]string{args[1], args[2], "--"}, args[4:]...)...)
	if err != nil {
		fail(err.Error())
		return 1
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// A job of its own in the foreground of the terminal (fd 0 here), as a
	// shell with job control runs a command typed at the prompt.
	cmd.SysProcAttr = &syscall.SysProcAttr{Foreground: true, Ctty: 0}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fail(err.Error())
		<-hup
		return 1
	}
	pgid := cmd.Process.Pid
	// Read before the wait below: until then the program can't be reaped,
	// so its PID is still its own.
	started := event.Of("program", "started", pgid)
	event.Send(events, started)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		exited := started
		exited.Kind = "exited"
		exited.Exit = describeWait(cmd.ProcessState, err)
		exited.Exit.After = time.Since(start)
		takeTerminalBack()
		event.Send(events, exited)
		<-hup
	case <-hup:
		// The terminal hung up while the job was running: like bash, pass
		// the SIGHUP on to the job (and SIGCONT, in case it is stopped).
		unix.Kill(-pgid, unix.SIGHUP)
		unix.Kill(-pgid, unix.SIGCONT)
	}
	return 0
}

func describeWait(ps *os.ProcessState, err error) *event.Exit {
	if ps == nil {
		return &event.Exit{How: fmt.Sprintf("could not be waited for: %v", err), Code: -1}
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok {
		return &event.Exit{How: ps.String(), Code: ps.ExitCode()}
	}
	return &event.Exit{How: pidfd.Exit{Status: unix.WaitStatus(ws), Known: true}.String(), Code: ps.ExitCode()}
}

// takeTerminalBack makes the shell's own process group the foreground one
// again, as a shell does when a job ends. The shell is then a background
// process for the terminal, and tcsetpgrp from the background raises SIGTTOU
// unless it is ignored.
func takeTerminalBack() {
	signal.Ignore(unix.SIGTTOU)
	defer signal.Reset(unix.SIGTTOU)
	unix.IoctlSetPointerInt(0, unix.TIOCSPGRP, unix.Getpgrp())
}

// execMain becomes the program under test: it joins the pids cgroup (or
// lowers RLIMIT_NPROC) so the program is contained from its first fork,
// resets the signals a caller may have ignored, and executes the program.
//
// Arguments: CGROUP NPROC -- COMMAND [ARGS...]; CGROUP is "" and NPROC "0"
// when not used.
func execMain(args []string) int {
	if len(args) < 4 || args[2] != "--" {
		fmt.Fprintln(os.Stderr, "dlab: bad arguments to the exec role")
		return 2
	}
	if args[0] != "" {
		if err := reaper.JoinPath(args[0]); err != nil {
			fmt.Fprintf(os.Stderr, "dlab: %v\n", err)
		}
	}
	if n, _ := strconv.ParseUint(args[1], 10, 64); n > 0 {
		reaper.LimitNPROC(n)
	}
	prog := args[3]
	path, err := exec.LookPath(prog)
	if err != nil {
		fmt.Fprintf(os.Stderr, "dlab: cannot run %s: %v\n", prog, errors.Unwrap(err))
		return 127
	}
	// Signals ignored by whoever started dlab (nohup dlab check ...) would
	// stay ignored across exec and make the program look as if it ignored
	// them itself.
	for _, sig := range []unix.Signal{unix.SIGHUP, unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGPIPE, unix.SIGTTOU, unix.SIGTTIN, unix.SIGTSTP} {
		setDefault(sig)
	}
	err = unix.Exec(path, args[3:], os.Environ())
	fmt.Fprintf(os.Stderr, "dlab: cannot run %s: %v\n", prog, err)
	return 126
}

// setDefault sets sig's disposition to SIG_DFL behind the Go runtime's back;
// only right before exec, when the runtime no longer matters.
func setDefault(sig unix.Signal) {
	var act struct {
		handler  uintptr
		flags    uint64
		restorer uintptr
		mask     uint64
	}
	unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
}
