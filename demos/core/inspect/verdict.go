package inspect

import "dlab/demos/core/proc"

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
func VerdictOf(st proc.Stat) Verdict {
	switch {
	case st.State == 'Z' || st.State == 'X':
		return Zombie
	case st.IsKernelThread():
		return KernelThread
	case st.HasTTY():
		return Normal
	}
	return Daemon
}
