package inspect

import (
	"dlab/demos/proc"

	"golang.org/x/sys/unix"
)

// Gather reads the facts about pid. Only a missing stat is an error: what
// else can't be read is recorded in Facts.Unreadable.
func Gather(fs proc.FS, pid int) (Facts, error) {
	st, err := fs.Stat(pid)
	if err != nil {
		return Facts{}, err
	}
	f := Facts{
		PID: st.PID, Comm: st.Comm, State: string(st.State), PPID: st.PPID,
		SID: st.SID, PGID: st.PGID, TTY: proc.TTYName(st.TTY), TPGID: st.TPGID,
		SessionLeader: st.IsSessionLeader(), Foreground: st.InForeground(),
		StartTime: st.StartTime, Umask: -1, UID: -1,
	}
	if pst, err := fs.Stat(st.PPID); err == nil {
		f.ParentComm = pst.Comm
	}
	if status, err := fs.Status(pid); err == nil {
		f.Umask = status.Umask
		f.UID = status.UID[0]
		f.Signals = map[string]string{}
		for _, s := range []unix.Signal{unix.SIGHUP, unix.SIGINT, unix.SIGTERM} {
			f.Signals[proc.SignalName(s)] = string(status.DispositionOf(s))
		}
	}
	f.Cmdline, _ = fs.Cmdline(pid)
	f.Cwd, _ = fs.Link(pid, "cwd")
	for i := range f.FD {
		f.FD[i], _ = fs.Link(pid, "fd/"+string(rune('0'+i)))
	}
	return f, nil
}
