package grade

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/term"

	"golang.org/x/sys/unix"
)

// quietPeriod is how long the set of adopted processes must stay the same
// before dlab takes the daemon to be in place, when no PID file tells it
// sooner: the first child of a double fork lingers for a moment after the
// original exits.
const quietPeriod = 300 * time.Millisecond

// busyPeriod is how long a daemon that stays runnable (busy on the CPU) must
// stay unchanged before it is judged as it is.
const busyPeriod = time.Second

// sysvStart is one start of the program on a fresh terminal, as far as the
// daemon it leaves running.
type sysvStart struct {
	master   *os.File
	shellPID int
	sid      int
	out      *tail
	outDone  chan struct{}
	daemon   *pidfd.Process
	stat     proc.Stat
}

// hangUp closes the terminal's master side, as closing a terminal window
// does, and waits for the output reader to see it.
func (s *sysvStart) hangUp() {
	if s.master == nil {
		return
	}
	s.master.Close()
	<-s.outDone
	s.master = nil
}

func (s *sysvStart) close() {
	s.hangUp()
	if s.daemon != nil {
		s.daemon.Close()
	}
}

// sysv runs the program as an interactive shell would and checks the SysV
// steps.
//
// The trials are ordered so that each required item is judged on a daemon
// that is alive for it: the hang-up first (it is the reason a daemon exists),
// then SIGTERM, and the kill -HUP trial, which kills a daemon that leaves
// SIGHUP at its default action (start-stop-daemon --background around sleep
// does), last, on a fresh start of the program. A trial that ends the daemon
// before a required one is judged means a fresh start for that one too.
func (h *harness) sysv() {
	o := h.obs
	o.Original = &Original{ExitCode: -1}
	first, ok := h.startSysV(o.Original, true)
	if !ok {
		return
	}
	defer func() { o.Output = first.out.String() }()
	defer first.close()
	daemon := first.stat.PID
	p := first.daemon
	h.describeDaemon(daemon)

	// The hang-up: closing the master is what closing a terminal window or
	// losing an ssh connection does. The kernel sends SIGHUP to the session
	// leader (the shell), which passes it to its jobs and exits.
	hup := &Trial{}
	if st, err := h.fs.Stat(daemon); err == nil {
		hup.InSession = st.SID == o.CallerSID
		hup.HadTTY = st.HasTTY()
	}
	if st, err := h.fs.Status(daemon); err == nil {
		hup.Disposition = string(st.DispositionOf(unix.SIGHUP))
	}
	start := time.Now()
	first.hangUp()
	if _, ok := h.reaper.WaitExit(first.shellPID, 2*time.Second); !ok {
		hup.Note = "the shell did not exit on the hang-up"
	}
	// Whatever SIGHUP the hang-up caused has been sent by now; once it is
	// no longer pending it has been acted on.
	h.waitNotPending(daemon, unix.SIGHUP, time.Second)
	hup.Alive = !h.waitExit(p, 100*time.Millisecond)
	hup.After = time.Since(start)
	if !hup.Alive {
		hup.How = h.how(p)
	}
	o.Hangup = hup
	if h.aborted() {
		return
	}

	// kill -HUP, as an administrator asking for a reload, now only when the
	// daemon catches or ignores SIGHUP: it is then expected to survive.
	if hup.Alive {
		if st, err := h.fs.Status(daemon); err == nil && st.DispositionOf(unix.SIGHUP) != proc.Default {
			o.SIGHUP = h.signalTrial(p, unix.SIGHUP, string(st.DispositionOf(unix.SIGHUP)))
			if h.aborted() {
				return
			}
		}
	}

	// SIGTERM, on a live daemon: a fresh start if a trial ended the first.
	// What it leaves (its PID file, processes) is seen right after, before
	// dlab ends anything itself.
	sigterm := func(p *pidfd.Process) *Trial {
		t := h.terminate(p)
		if t == nil {
			return nil
		}
		if o.PIDFile != nil && o.PIDFile.Found {
			_, err := os.Lstat(o.PIDFile.Path)
			removed := errors.Is(err, fs.ErrNotExist)
			o.PIDFile.Removed = &removed
		}
		o.Leftovers = h.leftovers()
		return t
	}
	h.recordLive()
	if p.Alive() {
		o.SIGTERM = sigterm(p)
	} else {
		o.SIGTERM = h.onFreshStart("SIGTERM", sigterm)
	}
	if o.SIGTERM == nil || h.aborted() {
		return
	}

	// kill -HUP last, on a fresh start, when it was not safe before.
	if o.SIGHUP == nil && !h.aborted() {
		o.SIGHUP = h.onFreshStart("kill -HUP", func(p *pidfd.Process) *Trial {
			disp := string(proc.Default)
			if st, err := h.fs.Status(p.PID); err == nil {
				disp = string(st.DispositionOf(unix.SIGHUP))
			}
			return h.signalTrial(p, unix.SIGHUP, disp)
		})
	}
}

// onFreshStart starts the program again, runs the trial on its daemon, and
// ends what that start left: politely first (SIGTERM, so that it removes its
// PID file), then by force.
func (h *harness) onFreshStart(what string, trial func(*pidfd.Process) *Trial) *Trial {
	// Start from a clean slate: what the first daemon left (a child whose
	// parent a trial killed) would be taken for the second one's.
	ended := h.obs.Ended
	h.endAll()
	h.obs.Ended = ended
	var og Original
	s, ok := h.startSysV(&og, false)
	if !ok {
		if h.aborted() {
			return nil
		}
		why := "it left no daemon running"
		switch {
		case og.StartError != "":
			why = "it could not be started: " + og.StartError
		case !og.Exited:
			why = "control did not return"
		case og.ExitCode != 0:
			why = fmt.Sprintf("it %s and left no daemon running (does it refuse to start while its PID file is there?)", og.How)
		}
		return &Trial{NotDone: fmt.Sprintf("the trial needs a live daemon, so dlab started the program again for %s, but %s", what, why)}
	}
	defer s.close()
	t := trial(s.daemon)
	if t == nil {
		return nil
	}
	t.FreshPID = s.stat.PID
	if s.daemon.Alive() {
		s.daemon.Signal(unix.SIGTERM)
		h.waitExit(s.daemon, h.opts.Timeout)
	}
	s.hangUp()
	h.reaper.WaitExit(s.shellPID, 2*time.Second)
	// What dlab ends of its own second start is not the program's doing.
	ended = h.obs.Ended
	h.endAll()
	h.obs.Ended = ended
	h.removePIDFileOf(s.stat.PID)
	return t
}

// startSysV starts the program from a shell on a fresh pseudo-terminal,
// waits for control to return and for the daemon to be in place, and takes
// hold of it. The first start records what it sees in the observation;
// a fresh start only fills og. It returns false when there is no daemon to
// try anything on.
func (h *harness) startSysV(og *Original, first bool) (*sysvStart, bool) {
	o := h.obs
	master, tty, err := term.Open(80, 24)
	if err != nil {
		h.problem("cannot start the program on a terminal: %v", err)
		return nil, false
	}
	s := &sysvStart{master: master, out: &tail{max: 4 << 10}, outDone: make(chan struct{})}
	if first {
		o.Terminal = tty.Name()
	}
	evR, evW, err := os.Pipe()
	if err != nil {
		tty.Close()
		master.Close()
		h.problem("cannot make a pipe to the shell: %v", err)
		return nil, false
	}
	self, err := reexec.Self()
	if err != nil {
		tty.Close()
		master.Close()
		evR.Close()
		evW.Close()
		h.problem("cannot find dlab's own executable to start the shell: %v", err)
		return nil, false
	}
	argv := reexec.Args(shellRole, append(append([]string{fmt.Sprintf("%04o", inheritedUmask)}, h.execArgs()...), h.opts.Command...)...)
	shell, err := os.StartProcess(self, argv, &os.ProcAttr{
		Dir:   h.opts.Dir,
		Env:   os.Environ(),
		Files: []*os.File{tty, tty, tty, evW},
		// The shell leads a new session with the pty as its controlling
		// terminal, as a terminal emulator or sshd starts a login shell.
		// It dies with the harness.
		Sys: &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0, Pdeathsig: unix.SIGKILL},
	})
	tty.Close()
	evW.Close()
	if err != nil {
		evR.Close()
		master.Close()
		h.problem("cannot start the shell that runs the program: %v", err)
		return nil, false
	}
	s.shellPID, s.sid = shell.Pid, shell.Pid
	shell.Release() // the reaper waits for it
	h.exclude[s.shellPID] = true
	if first {
		o.Caller, o.CallerSID = s.shellPID, s.shellPID
	}

	go func() {
		defer close(s.outDone)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			s.out.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	// The shell is the only writer (the pipe is close-on-exec there): end
	// of file is the shell gone, and the channel closes.
	events := make(chan event.Event, 4)
	go func() {
		defer evR.Close()
		defer close(events)
		event.Read(context.Background(), evR, func(e event.Event) error {
			events <- e
			return nil
		})
	}()

	fail := func() (*sysvStart, bool) {
		if o.ForkBomb != nil {
			// Stop them all before the terminal hangs up, so that dlab,
			// not a SIGHUP, is what ends them.
			h.endAll()
		}
		s.hangUp()
		if first {
			o.Output = s.out.String()
		}
		return s, false
	}
	if !h.waitReturn(events, og) || og.StartError != "" || h.aborted() {
		return fail()
	}
	chosen, live, pf, why, ok := h.settle()
	if first {
		for _, st := range live {
			o.Survivors = append(o.Survivors, procOf(st))
		}
		o.PIDFile = pf
		h.chosen = why
	}
	if !ok || h.aborted() || o.ForkBomb != nil {
		return fail()
	}
	p, err := pidfd.Open(chosen.PID, chosen.StartTime)
	if err != nil {
		h.problem("cannot take hold of the daemon (PID %d) through a pidfd: %v", chosen.PID, err)
		return fail()
	}
	s.daemon, s.stat = p, chosen
	for _, st := range live {
		kind := "check-program"
		if st.PID == chosen.PID {
			kind = "check-daemon"
		}
		h.record(st, kind)
	}
	return s, true
}

// waitReturn waits for the program to start and for control to return to
// the shell, watching for a fork bomb meanwhile. It returns false when there
// is nothing more to check.
func (h *harness) waitReturn(events <-chan event.Event, og *Original) bool {
	og.ExitCode = -1
	// The clock starts when the program does, not while dlab's own shell
	// is starting.
	timeout := time.NewTimer(h.opts.Timeout + 10*time.Second)
	defer timeout.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				og.StartError = "the shell ended before the program did"
				return false
			}
			switch ev.Kind {
			case "error":
				og.StartError = ev.Error
				return false
			case "started":
				og.PID = ev.PID
				h.recordPID(ev.PID, "check-program")
				timeout.Reset(h.opts.Timeout)
			case "exited":
				og.Exited = true
				if x := ev.Exit; x != nil {
					og.How, og.ExitCode, og.After = x.How, x.Code, x.After
				}
				return true
			}
		case <-tick.C:
			if h.bomb(h.program(), "before control returned") {
				return false
			}
		case <-timeout.C:
			if og.PID != 0 {
				if st, err := h.fs.Stat(og.PID); err == nil {
					og.StillForeground = st.InForeground()
				}
			}
			og.After = h.opts.Timeout
			return false
		case <-h.abort:
			return false
		}
	}
}

// settle waits for the daemon to be in place and returns it, with every
// live process of the program, the PID file and why this process is the
// daemon; false when nothing survived. A known PID file naming a live
// process ends the wait; otherwise the set of adopted processes must stay
// the same for a quiet period.
func (h *harness) settle() (chosen proc.Stat, live []proc.Stat, pf *PIDFile, why string, ok bool) {
	known := h.knownPIDFile()
	deadline := time.Now().Add(h.opts.Timeout)
	lastSig, lastChange := "", time.Now()
	for {
		live := h.program()
		if h.bomb(live, "after control returned") {
			return proc.Stat{}, nil, nil, "", false
		}
		if len(live) == 0 && len(h.programConfirmed()) == 0 {
			// No process of the program is left, so none can appear.
			return proc.Stat{}, nil, h.findPIDFile(known, nil), "", false
		}
		sig := adoptedSignature(live, h.self)
		if sig != lastSig {
			lastSig, lastChange = sig, time.Now()
		}
		quiet := time.Since(lastChange)
		// A runnable process may still be on its way (between fork and
		// setsid): nginx's original writes the PID file for its child and
		// exits while the child may not have run yet. Only a daemon that
		// keeps the CPU busy is taken as it is, after a longer quiet spell.
		settled := asleep(live, h.self) || quiet >= busyPeriod
		usable := known != nil
		if usable {
			// It is in place once the PID file names it and the processes
			// between it and the original (the first child) are gone. A
			// PID file dlab refuses to read (a FIFO, a device, a huge
			// file) can't tell, and one that never names a live process
			// is given a busy period before the daemon is taken as it is.
			_, pid, err := readPIDFile(known.Path)
			usable = !errors.Is(err, ErrPIDFileRefused)
			if pid > 0 && err == nil && contains(live, pid) && settled && (onlyAdopted(live, h.self, pid) || quiet >= quietPeriod) {
				break
			}
			if usable && quiet >= busyPeriod && settled {
				break
			}
		}
		if !usable && quiet >= quietPeriod && settled {
			break
		}
		if time.Now().After(deadline) || h.aborted() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	live = h.program()
	pf = h.findPIDFile(known, live)
	if len(live) == 0 {
		return proc.Stat{}, nil, pf, "", false
	}
	chosen, why = h.choose(live, pf)
	return chosen, live, pf, why, true
}

// choose picks the daemon among the survivors: the one its PID file names,
// else the one the harness adopted (the top of what is left), the oldest
// if there are several. It says why.
func (h *harness) choose(live []proc.Stat, pf *PIDFile) (proc.Stat, string) {
	if pf != nil && pf.Found {
		for _, st := range live {
			if st.PID == pf.PID {
				return st, "named in its PID file"
			}
		}
	}
	var top []proc.Stat
	for _, st := range live {
		if st.PPID == h.self {
			top = append(top, st)
		}
	}
	if len(top) == 0 {
		top = live
	}
	sort.Slice(top, func(i, j int) bool { return top[i].StartTime < top[j].StartTime })
	switch {
	case len(live) == 1:
		return top[0], "the only process left running"
	case len(top) == 1:
		return top[0], fmt.Sprintf("the top of the %d processes left running", len(live))
	}
	return top[0], fmt.Sprintf("the oldest of %d processes left running on their own", len(top))
}

// describeDaemon records what dlab explain sees of the daemon.
func (h *harness) describeDaemon(pid int) {
	rep, err := inspect.Explain(h.fs, pid)
	if err != nil {
		h.problem("cannot read what the daemon (PID %d) is like: %v", pid, err)
		return
	}
	d := &Daemon{Facts: rep.Facts, Verdict: rep.Verdict, Chosen: h.chosen}
	if fds, err := h.fs.FDs(pid); err == nil {
		for _, fd := range fds {
			if fd.Target == h.obs.Terminal || fd.Target == "/dev/tty" {
				d.TerminalFDs = append(d.TerminalFDs, fd.Num)
			}
		}
	}
	h.obs.Daemon = d
}

// adoptedSignature names the processes the harness has adopted, to see
// when that set stops changing.
func adoptedSignature(live []proc.Stat, harness int) string {
	var b strings.Builder
	for _, st := range live {
		if st.PPID == harness {
			fmt.Fprintf(&b, "%d:%s ", st.PID, st.Comm)
		}
	}
	return b.String()
}

// asleep reports whether every process the harness adopted is waiting
// (sleeping or stopped) rather than runnable: on a loaded machine a freshly
// forked child can sit runnable before it reaches setsid(), and judging it
// then would fail a good daemon.
func asleep(live []proc.Stat, harness int) bool {
	for _, st := range live {
		if st.PPID == harness && (st.State == 'R' || st.State == 'D') {
			return false
		}
	}
	return true
}

// onlyAdopted reports whether pid is the one process the harness has adopted.
func onlyAdopted(live []proc.Stat, harness, pid int) bool {
	for _, st := range live {
		if st.PPID == harness && st.PID != pid {
			return false
		}
	}
	return true
}

func contains(live []proc.Stat, pid int) bool {
	for _, st := range live {
		if st.PID == pid {
			return true
		}
	}
	return false
}
