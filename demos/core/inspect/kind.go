package inspect

import (
	"fmt"
	"strings"

	"dlab/demos/core/proc"
)

// Kind is the finer answer an expert gives after "daemon or normal": how
// the process came to be what it is. daemon(7) defines a daemon as a
// long-running service out of reach of terminals and login sessions; having
// no terminal is necessary, not sufficient.
type Kind string

const (
	// Normal processes.
	KindInteractive   Kind = "interactive"    // on a terminal, talking to a person (a shell, an editor, a foreground command)
	KindBackgroundJob Kind = "background-job" // a shell's job on a terminal, not in the foreground
	KindHangupProof   Kind = "nohup-job"      // on a terminal with SIGHUP ignored (nohup): survives a hang-up, still a job
	KindBatchJob      Kind = "batch-job"      // no terminal, run and waited for by a parent (cron job, CI step, ssh host cmd)

	// Daemons.
	KindServiceManager Kind = "service-manager"    // supervises services itself: systemd, supervisord, runsvdir, runsv, s6
	KindManaged        Kind = "managed-service"    // a service a service manager started (a systemd unit)
	KindSupervised     Kind = "supervised-service" // run in the foreground by a supervisor that watches it
	KindSysV           Kind = "sysv-daemon"        // detached itself: fork, setsid, (fork), reparented to init
	KindWorker         Kind = "daemon-worker"      // a child of a daemon doing its work (nginx worker, sshd's per-connection child)
	KindDetachedJob    Kind = "detached-job"       // out of reach of the terminal by accident or half-way: setsid or a lost terminal, not a service
	KindNamespaceInit  Kind = "namespace-init"     // PID 1 of a PID namespace that is not an init system

	KindKernelThread Kind = "kernel-thread"
	KindZombie       Kind = "zombie"
	KindUnknown      Kind = "unknown" // its parent could not be read
)

// supervisor is what dlab knows about a program that runs services in the
// foreground and watches them: what it does when the service exits, and
// what happens to the service when the supervisor itself is stopped.
type supervisor struct {
	Name     string // as a person names it
	Restarts string // when it restarts the service
	// OnStop is what it does to the service when it is stopped the usual
	// way (SIGTERM or its own stop command); "" when dlab doesn't know.
	OnStop string
	// StopEffect is OnStop's effect on the service.
	StopEffect Effect
}

// supervisors by the comm of the supervising process. Each entry follows the
// program's man page.
var supervisors = map[string]supervisor{
	"supervisord": {Name: "supervisord",
		Restarts:   "restarts it when it exits unexpectedly if its [program:x] section has autorestart=true or unexpected (the default: an exit code not in exitcodes)",
		OnStop:     "supervisord stops every program (stopsignal, default SIGTERM, then SIGKILL after stopwaitsecs) before it exits",
		StopEffect: EffectEnds},
	"runsv": {Name: "runit's runsv",
		Restarts:   "always restarts it when it exits, unless the service was taken down (sv down, sv once, or a down file)",
		OnStop:     "runsv takes the service down (SIGTERM then SIGCONT, as `sv x` does) and then exits",
		StopEffect: EffectEnds},
	"s6-supervise": {Name: "s6's s6-supervise",
		Restarts:   "restarts it when it exits, unless it was brought down (s6-svc -d)",
		OnStop:     "s6-supervise brings the service down and exits, as s6-svc -xd does",
		StopEffect: EffectEnds},
	"supervise": {Name: "daemontools' supervise",
		Restarts: "restarts it when it exits, unless it was brought down (svc -d)"},
	"daemon": {Name: "libslack's daemon(1)",
		Restarts:   "restarts it only when started with --respawn (its command line says)",
		OnStop:     "daemon(1) passes SIGTERM on to the program it runs, then exits",
		StopEffect: EffectEnds},
	"containerd-shim": {Name: "containerd-shim (a container's runtime shim)",
		Restarts: "does not restart it itself: the container's restart policy (docker, kubelet) decides"},
	"conmon": {Name: "conmon (podman's container monitor)",
		Restarts: "does not restart it itself: podman's restart policy decides"},
	"supervise-daemon": {Name: "OpenRC's supervise-daemon",
		Restarts: "restarts it when it exits (respawn_delay, respawn_max in the service script)"},
}

// serviceManagers are programs whose job is to run and watch services.
var serviceManagers = map[string]string{
	"systemd":          "systemd, the service manager",
	"init":             "init",
	"runit":            "runit, the init",
	"runsvdir":         "runit's runsvdir, which starts a runsv for each service directory",
	"s6-svscan":        "s6-svscan, which starts an s6-supervise for each service",
	"svscan":           "daemontools' svscan",
	"openrc-init":      "OpenRC's init",
	"tini":             "tini, a container init that reaps orphans and forwards signals",
	"dumb-init":        "dumb-init, a container init that forwards signals",
	"containerd":       "containerd, the container manager",
	"dockerd":          "dockerd, the Docker daemon",
	"supervisord":      "supervisord, which runs programs in the foreground and watches them",
	"runsv":            "runit's runsv, which runs one service and restarts it",
	"s6-supervise":     "s6-supervise, which runs one service and restarts it",
	"supervise":        "daemontools' supervise, which runs one service and restarts it",
	"supervise-daemon": "OpenRC's supervise-daemon",
}

// batchRunners run jobs and wait for them: what they start is a batch job.
var batchRunners = map[string]string{
	"cron": "cron", "crond": "cron", "anacron": "anacron", "atd": "at's atd",
}

// supervisorOf is the supervisor that runs f in the foreground, if its
// parent is one dlab knows.
func supervisorOf(f Facts) (supervisor, bool) {
	p, ok := parentOf(f)
	if !ok {
		return supervisor{}, false
	}
	s, ok := supervisors[p.Comm]
	return s, ok
}

// isNamespaceInit is true for PID 1 of a PID namespace: PID 1 as dlab sees
// it, or a process whose innermost PID in NSpid is 1.
func (f Facts) isNamespaceInit() bool {
	if f.PID == 1 {
		return true
	}
	return len(f.NSpid) > 1 && f.NSpid[len(f.NSpid)-1] == 1
}

// observerHoldsForeground is true when dlab itself (run from this process's
// terminal) is the terminal's foreground group: a shell that ran `dlab
// explain $$` is in the background only while dlab runs.
func (f Facts) observerHoldsForeground() bool {
	o := f.Observer
	return o.Known && f.hasTTY() && o.TTYNr == f.TTYNr && o.PGID == f.TPGID && f.TPGID != f.PGID
}

// knownInit is true for PID 1 programs that are init systems; a sandbox's
// PID 1 (a process API, a CI agent) starts jobs, not services.
func knownInit(comm string) bool {
	switch comm {
	case "systemd", "init", "runit", "s6-svscan", "openrc-init", "tini", "dumb-init", "busybox", "launchd", "upstart":
		return true
	}
	return false
}

// classify gives the verdict and the kind, with why, from the facts alone.
func classify(f Facts) (Verdict, Kind, string) {
	switch {
	case f.State == "Z" || f.State == "X":
		return Zombie, KindZombie, "it has exited and waits to be reaped"
	case f.Flags&proc.PFKthread != 0:
		return KernelThread, KindKernelThread, "PF_KTHREAD is set: a thread of the kernel"
	}
	if f.hasTTY() {
		return classifyOnTerminal(f)
	}
	name := func(a Ancestor) string { return fmt.Sprintf("%s (PID %d)", a.Comm, a.PID) }
	if f.PID == 1 || f.PPID == 0 {
		if knownInit(f.Comm) {
			return Daemon, KindServiceManager, fmt.Sprintf("it is PID 1, the init of its PID namespace: %s starts and adopts every other process", f.Comm)
		}
		return Daemon, KindNamespaceInit, fmt.Sprintf("it is PID 1 of its PID namespace, but %s is not an init system: it adopts orphans because the kernel makes PID 1 do so", f.Comm)
	}
	if what, ok := serviceManagers[f.Comm]; ok {
		return Daemon, KindServiceManager, "it is " + what + ": a daemon whose service is running other services"
	}
	parent, ok := parentOf(f)
	if s, sup := supervisorOf(f); sup {
		return Daemon, KindSupervised, fmt.Sprintf("%s runs it in the foreground and watches it: %s %s", name(parent), s.Name, s.Restarts)
	}
	if f.CgroupKind == CgroupService && f.PPID == 1 && pid1Name(f) == "systemd" {
		return Daemon, KindManaged, fmt.Sprintf("systemd started it as the service %s and watches it (Restart= in the unit decides whether it restarts)", f.CgroupUnit)
	}
	if !ok {
		return Daemon, KindUnknown, fmt.Sprintf("its parent, PID %d, could not be read, so dlab can't tell a service from a job", f.PPID)
	}
	onTerm := stdioOnTerminal(f) != ""
	if parent.PID == 1 || parent.Subreaper != "" {
		adopter := fmt.Sprintf("PID 1 (%s)", pid1Name(f))
		if parent.PID != 1 {
			adopter = "the subreaper " + name(parent)
		}
		switch {
		case !f.SessionLeader && f.PGID != f.SID && f.SID > 0:
			// daemon(7): a daemon is a service. Out of reach of the terminal
			// is daemon-like, but a job that outlived its shell serves no one.
			return Normal, KindDetachedJob, fmt.Sprintf("its process group %d is not its session %d: it was a job of a job-control shell, and the session lost its terminal when the shell exited; it never ran setsid, and %s adopted it. No terminal reaches it now (daemon-like), but it is a leftover job, not a service: not a daemon", f.PGID, f.SID, adopter)
		case onTerm:
			return Daemon, KindDetachedJob, "it left the terminal's session (setsid) but its stdio still point at that terminal: half-way to a daemon"
		case !knownInit(pid1Name(f)) && parent.PID == 1 && stdioPipes(f) && len(f.Listening) == 0:
			return Normal, KindBatchJob, fmt.Sprintf("PID 1 here is %s, not an init system, and its stdio are pipes or sockets: a job that %s runs and collects the output of (a sandbox's or CI agent's command), not a service", pid1Name(f), pid1Name(f))
		case f.SessionLeader:
			return Daemon, KindSysV, fmt.Sprintf("it leads its own session with no terminal (setsid, daemon(7) step 6) and its parent is %s: it detached itself and the process that started it is gone", adopter)
		}
		return Daemon, KindSysV, fmt.Sprintf("it is in a session with no terminal that it does not lead, and %s is its parent: the classic double fork (daemon(7) steps 5-8)", adopter)
	}
	if r, ok := batchRunners[parent.Comm]; ok {
		return Normal, KindBatchJob, fmt.Sprintf("%s runs it as a job and waits for it: %s collects its output and mails it, it is no service of its own", name(parent), r)
	}
	if parent.Verdict == Daemon && (parent.Comm == f.Comm || len(f.Listening) > 0) {
		return Daemon, KindWorker, fmt.Sprintf("a child of the daemon %s doing its work (a worker, or a per-connection process): it lives as long as its master wants", name(parent))
	}
	if parent.Comm == "sshd" {
		return Normal, KindBatchJob, fmt.Sprintf("sshd runs it for a client (`ssh host cmd` without -t): %s waits for it and ends the connection when it exits", name(parent))
	}
	if onTerm {
		return Daemon, KindDetachedJob, fmt.Sprintf("it has no controlling terminal, but its stdio still point at a terminal and it is still the child of %s: half-way to a daemon (setsid without redirection)", name(parent))
	}
	if parent.Verdict == Normal {
		if onTerm {
			return Daemon, KindDetachedJob, fmt.Sprintf("it left the terminal's session (setsid) but is still the child of %s on %s, and its stdio still point at that terminal", name(parent), parent.TTY)
		}
		return Daemon, KindDetachedJob, fmt.Sprintf("it has no terminal of its own (setsid), but it is still the child of %s on %s: detached from the terminal, not yet from the login", name(parent), parent.TTY)
	}
	if f.SessionLeader {
		// setsid() took it out of every terminal's reach, but the parent
		// that started it still runs and will collect its exit: a sandbox's
		// shell, a CI runner's step, a program a test started.
		return Normal, KindBatchJob, fmt.Sprintf("it leads its own session (setsid) with no terminal, but its parent %s is alive and is no supervisor: a job that parent runs and waits for (a sandbox's shell, a CI step), not a daemon", name(parent))
	}
	return Normal, KindBatchJob, fmt.Sprintf("its parent, %s, is alive and is no supervisor: a program with no terminal that a parent runs and waits for (a cron job, a CI step, `ssh host cmd`, a script's child) is a normal process, not a daemon", name(parent))
}

func classifyOnTerminal(f Facts) (Verdict, Kind, string) {
	switch {
	case f.Signals["SIGHUP"] == "ignored" && !f.SessionLeader && !f.Foreground:
		return Normal, KindHangupProof, fmt.Sprintf("a job on %s that ignores SIGHUP (as `nohup` arranges): the hang-up won't end it, but it is still in the terminal's session", f.TTY)
	case f.observerHoldsForeground():
		return Normal, KindInteractive, fmt.Sprintf("dlab itself holds the foreground of %s while it runs (its group %d); once dlab exits, %s is back in the foreground, talking to you", f.TTY, f.TPGID, f.Comm)
	case f.Foreground:
		return Normal, KindInteractive, fmt.Sprintf("in the foreground of %s: the terminal's input and ^C go to it", f.TTY)
	case f.SessionLeader:
		return Normal, KindInteractive, fmt.Sprintf("it leads the session of %s (a login shell or the program a terminal was opened for) and waits while a job runs in the foreground", f.TTY)
	}
	return Normal, KindBackgroundJob, fmt.Sprintf("a background job on %s (its group %d is not the foreground group %d)", f.TTY, f.PGID, f.TPGID)
}

// kindPhrase names the kind in a sentence.
func kindPhrase(k Kind) string {
	return map[Kind]string{
		KindInteractive: "an interactive process", KindBackgroundJob: "a background job", KindHangupProof: "a nohup job",
		KindBatchJob: "a batch job", KindServiceManager: "a service manager", KindManaged: "a managed service",
		KindSupervised: "a supervised service", KindSysV: "a SysV-style daemon", KindWorker: "a daemon's worker",
		KindDetachedJob: "a detached job", KindNamespaceInit: "the init of a PID namespace",
		KindKernelThread: "a kernel thread", KindZombie: "a zombie", KindUnknown: "of an unknown kind",
	}[k]
}

var _ = strings.TrimSpace
