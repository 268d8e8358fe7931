package normal

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"dlab/demos/launch/reexec"

	"golang.org/x/sys/unix"
)

func init() {
	reexec.Register("normal-leader", runLeader)
	reexec.Register("normal-program", runProgram)
}

// runLeader plays the interactive shell of a terminal: the launcher started
// it as the leader of a new session with the pseudo-terminal as its
// controlling terminal (so it is the controlling process), and it runs the
// program as the foreground job, waits for it and reports what happens to
// it, the way a shell prints "Stopped" or "Interrupt".
//
// On a hang-up (the master side closed) the kernel sends SIGHUP to the
// controlling process. Like an interactive bash, the leader resends it to
// its job (with SIGCONT, in case the job is stopped), waits for the job to
// end, and then dies of the hang-up itself.
func runLeader(args []string) int {
	runtime.LockOSThread() // see runProgram
	a, err := parseRoleArgs("normal-leader", args)
	if err != nil {
		return 2
	}
	rep := newReporter("leader", a.EventsFD)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM)
	if err := reexec.DefaultSignals(syscall.SIGHUP, syscall.SIGTERM); err != nil {
		rep.send(Event{Kind: "note", Text: err.Error()})
		return 1
	}
	var events *os.File
	if rep.w != nil {
		events = rep.w
	}
	// No PR_SET_PDEATHSIG here: when the leader dies, the kernel itself
	// sends SIGHUP to the terminal's foreground group, and the lesson
	// shows exactly that.
	job, err := startJob(os.Stdin, events, roleArgs{Report: a.Report, Lifetime: a.Lifetime}, false)
	if err != nil {
		rep.send(Event{Kind: "note", Text: "cannot start the program: " + err.Error()})
		return 1
	}
	pgid := job.Process.Pid
	rep.send(Event{Kind: "note", Text: fmt.Sprintf("started the program, PID %d, in process group %d, and made that group the terminal's foreground group", pgid, pgid)})

	changes := watchJob(pgid)
	// A bound on the leader too, in case the job stays stopped forever.
	lifetime := time.NewTimer(a.Lifetime + 10*time.Second)
	hungUp := false
	for {
		select {
		case c := <-changes:
			switch c.Kind {
			case "stopped":
				rep.send(Event{Kind: "stopped", Signal: sigName(c.Signal), How: c.How, Text: "the program was " + c.How + " (ps state T)"})
				if a.Resume {
					rep.send(Event{Kind: "note", Text: "resuming it with SIGCONT, as fg would"})
					signalGroup(pgid, unix.SIGCONT)
				}
			case "continued":
				rep.send(Event{Kind: "continued", How: c.How, Text: "the program continued"})
			case "ended":
				rep.send(Event{Kind: "ended", Signal: sigName(c.Signal), How: c.How, Text: "the program " + c.How})
				if hungUp {
					dieOf(syscall.SIGHUP)
				}
				return 0
			}
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				hungUp = true
				rep.send(Event{Kind: "signal", Signal: "SIGHUP", Text: "the terminal hung up: SIGHUP to the session leader; resending it to the job, as an interactive shell does"})
			} else {
				rep.send(Event{Kind: "signal", Signal: "SIGTERM", Text: "SIGTERM: ending the job with SIGHUP first, as a shell that exits would"})
			}
			signalGroup(pgid, unix.SIGHUP)
			signalGroup(pgid, unix.SIGCONT)
		case <-lifetime.C:
			signalGroup(pgid, unix.SIGKILL)
		}
	}
}

func sigName(s unix.Signal) string {
	if s <= 0 {
		return ""
	}
	return unix.SignalName(s)
}
