package inspect

import (
	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// VerdictOf decides from /proc/PID/stat alone, so dlab ps can judge every
// process from one file and dlab explain agrees with it.
//
// The rule judges what ties a process to a terminal, not how it got there
// (a systemd service is a session leader, a nohup job survives hang-ups):
//   - state Z (or X): a zombie, whatever it was;
//   - PF_KTHREAD in the flags: a kernel thread, which is neither;
//   - a controlling terminal (tty_nr != 0): a normal process, because that
//     terminal can hang it up, interrupt it and stop it;
//   - otherwise a daemon: no terminal can reach it.
//
// What else ties it to a login (its stdio, its parent, its cgroup) does not
// change the verdict; Judge reports it as mixed evidence.
func VerdictOf(st proc.Stat) Verdict { return verdict(st.State, st.Flags, st.HasTTY()) }

// verdictOfFacts is VerdictOf for facts, which tests may build by hand with
// a TTY name and no tty_nr.
func verdictOfFacts(f Facts) Verdict {
	var state byte
	if f.State != "" {
		state = f.State[0]
	}
	return verdict(state, f.Flags, f.HasTTY())
}

// verdict is the rule itself, over the three facts it reads.
func verdict(state byte, flags uint64, hasTTY bool) Verdict {
	switch {
	case state == 'Z' || state == 'X':
		return Zombie
	case flags&proc.PFKthread != 0:
		return KernelThread
	case hasTTY:
		return Normal
	}
	return Daemon
}

// HasTTY reports whether the process has a controlling terminal (stat's
// tty_nr is not 0; TTY names it). Every package asks this, rather than
// spelling TTY != "?".
func (f Facts) HasTTY() bool { return proc.HasTTYName(f.TTY) }

// hasTTY is the name the judge, rows and predictions were written with.
func (f Facts) hasTTY() bool { return f.HasTTY() }

// Disposition is what the process does with sig, as its SigIgn and SigCgt
// masks say: proc.Default, proc.Ignored or proc.Caught; "" when its status
// could not be read, or for a signal Gather does not record (it records
// SIGHUP, SIGINT and SIGTERM).
func (f Facts) Disposition(sig unix.Signal) proc.Disposition {
	return proc.Disposition(f.Signals[proc.SignalName(sig)])
}
