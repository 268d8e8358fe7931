package inspect

// Judge decides the verdict from the facts. It is pure: the same facts give
// the same report.
func Judge(f Facts) Report {
	r := Report{PID: f.PID, Command: f.Comm, Facts: f}
	switch {
	case f.State == "Z":
		r.Verdict = Zombie
	case f.TTY == "?" && f.PPID == 2 || f.PID == 2:
		r.Verdict = KernelThread
	case f.TTY == "?":
		r.Verdict = Daemon
	default:
		r.Verdict = Normal
	}
	return r
}
