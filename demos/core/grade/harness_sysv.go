package grade

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"

	"github.com/creack/pty"
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

// sysv runs the program as an interactive shell would and checks the SysV
// steps.
func (h *harness) sysv() {
	o := h.obs
	master, tty, err := pty.Open()
	if err != nil {
		o.Problems = append(o.Problems, fmt.Sprintf("cannot open a pseudo-terminal: %v", err))
		return
	}
	pty.Setsize(master, &pty.Winsize{Rows: 24, Cols: 80})
	if master, err = pollable(master); err != nil {
		tty.Close()
		o.Problems = append(o.Problems, fmt.Sprintf("cannot use the pseudo-terminal: %v", err))
		return
	}
	defer master.Close()
	o.Terminal = tty.Name()
	evR, evW, err := os.Pipe()
	if err != nil {
		tty.Close()
		o.Problems = append(o.Problems, err.Error())
		return
	}
	self, err := reexec.Self()
	if err != nil {
		tty.Close()
		o.Problems = append(o.Problems, err.Error())
		return
	}
	argv := reexec.Args(shellRole, append(append([]string{fmt.Sprintf("%04o", inheritedUmask)}, h.execArgs()...), h.opts.Command...)...)
	shell, err := os.StartProcess(self, argv, &os.ProcAttr{
		Dir:   h.opts.Dir,
		Env:   os.Environ(),
		Files: []*os.File{tty, tty, tty, evW},
		// The shell leads a new session with the pty as its controlling
		// terminal, as a terminal emulator or sshd starts a login shell.
		Sys: &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0},
	})
	tty.Close()
	evW.Close()
	if err != nil {
		evR.Close()
		o.Problems = append(o.Problems, fmt.Sprintf("cannot start the shell: %v", err))
		return
	}
	shellPID := shell.Pid
	shell.Release() // the reaper waits for it
	h.exclude[shellPID] = true
	o.Caller, o.CallerSID = shellPID, shellPID

	out := &tail{max: 4 << 10}
	outDone := make(chan struct{})
	go func() {
		defer close(outDone)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	defer func() { o.Output = out.String() }()
	events := make(chan shellEvent, 4)
	go func() {
		defer evR.Close()
		sc := bufio.NewScanner(evR)
		for sc.Scan() {
			var ev shellEvent
			if json.Unmarshal(sc.Bytes(), &ev) == nil {
				events <- ev
			}
		}
		close(events)
	}()

	if !h.waitReturn(events) {
		if o.ForkBomb != nil {
			// Stop them all before the terminal hangs up (the deferred
			// close), so that dlab, not a SIGHUP, is what ends them.
			h.endAll()
		}
		return
	}
	if o.Original.StartError != "" || h.aborted() {
		return
	}
	chosen, ok := h.settle()
	if o.ForkBomb != nil {
		h.endAll()
	}
	if !ok || h.aborted() || o.ForkBomb != nil {
		return
	}
	daemon := chosen.PID
	p, err := pidfd.Open(daemon, chosen.StartTime)
	if err != nil {
		o.Problems = append(o.Problems, err.Error())
		return
	}
	defer p.Close()
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
	master.Close()
	<-outDone
	if _, ok := h.reaper.WaitExit(shellPID, 2*time.Second); !ok {
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
	if !hup.Alive || h.aborted() {
		return
	}

	// kill -HUP, as an administrator asking for a reload.
	disp := string(proc.Default)
	if st, err := h.fs.Status(daemon); err == nil {
		disp = string(st.DispositionOf(unix.SIGHUP))
	}
	o.SIGHUP = h.signalTrial(p, unix.SIGHUP, disp)
	if !o.SIGHUP.Alive || h.aborted() {
		return
	}

	o.SIGTERM = h.terminate(p)
	if o.PIDFile != nil && o.PIDFile.Found {
		_, err := os.Stat(o.PIDFile.Path)
		removed := os.IsNotExist(err)
		o.PIDFile.Removed = &removed
	}
	o.Leftovers = h.leftovers()
}

// waitReturn waits for the program to start and for control to return to
// the shell, watching for a fork bomb meanwhile. It returns false when there
// is nothing more to check.
func (h *harness) waitReturn(events <-chan shellEvent) bool {
	o := h.obs
	o.Original = &Original{ExitCode: -1}
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
				o.Original.StartError = "the shell ended before the program did"
				return false
			}
			switch ev.Event {
			case "error":
				o.Original.StartError = ev.Error
				return false
			case "started":
				o.Original.PID = ev.PID
				timeout.Reset(h.opts.Timeout)
			case "exited":
				o.Original.Exited = true
				o.Original.How, o.Original.ExitCode, o.Original.After = ev.How, ev.ExitCode, ev.After
				return true
			}
		case <-tick.C:
			if h.bomb(h.program(), "before control returned") {
				return false
			}
		case <-timeout.C:
			if o.Original.PID != 0 {
				if st, err := h.fs.Stat(o.Original.PID); err == nil {
					o.Original.StillForeground = st.InForeground()
				}
			}
			o.Original.After = h.opts.Timeout
			return false
		case <-h.abort:
			return false
		}
	}
}

// settle waits for the daemon to be in place and returns it, or false when
// nothing survived. A known PID file naming a live process ends the wait;
// otherwise the set of adopted processes must stay the same for a quiet
// period.
func (h *harness) settle() (proc.Stat, bool) {
	o := h.obs
	pf := h.knownPIDFile()
	deadline := time.Now().Add(h.opts.Timeout)
	lastSig, lastChange := "", time.Now()
	for {
		live := h.program()
		if h.bomb(live, "after control returned") {
			return proc.Stat{}, false
		}
		if len(live) == 0 && len(h.programConfirmed()) == 0 {
			// No process of the program is left, so none can appear.
			o.PIDFile = h.findPIDFile(pf, nil)
			return proc.Stat{}, false
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
		if pf != nil {
			// It is in place once the PID file names it and the processes
			// between it and the original (the first child) are gone.
			if pid, ok := readPID(pf.Path); ok && contains(live, pid) && settled && (onlyAdopted(live, h.self, pid) || quiet >= quietPeriod) {
				break
			}
		} else if quiet >= quietPeriod && settled {
			break
		}
		if time.Now().After(deadline) || h.aborted() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	live := h.program()
	for _, st := range live {
		o.Survivors = append(o.Survivors, procOf(st))
	}
	o.PIDFile = h.findPIDFile(pf, live)
	if len(live) == 0 {
		return proc.Stat{}, false
	}
	return h.choose(live), true
}

// choose picks the daemon among the survivors: the one its PID file names,
// else the one the harness adopted (the top of what is left), the oldest
// if there are several.
func (h *harness) choose(live []proc.Stat) proc.Stat {
	o := h.obs
	if o.PIDFile != nil && o.PIDFile.Found {
		for _, st := range live {
			if st.PID == o.PIDFile.PID {
				h.chosen = "named in its PID file"
				return st
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
		h.chosen = "the only process left running"
	case len(top) == 1:
		h.chosen = fmt.Sprintf("the top of the %d processes left running", len(live))
	default:
		h.chosen = fmt.Sprintf("the oldest of %d processes left running on their own", len(top))
	}
	return top[0]
}

// describeDaemon records what dlab explain sees of the daemon.
func (h *harness) describeDaemon(pid int) {
	rep, err := inspect.Explain(h.fs, pid)
	if err != nil {
		h.obs.Problems = append(h.obs.Problems, err.Error())
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

// pollable returns f as a file the Go runtime polls, closing f. creack/pty
// hands the master over in blocking mode (its ioctls call Fd()), and a
// blocking read cannot be interrupted: closing the master to hang the
// terminal up would wait for the reader, which waits for output that never
// comes.
func pollable(f *os.File) (*os.File, error) {
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd int
	var derr error
	if err := rc.Control(func(raw uintptr) { fd, derr = unix.Dup(int(raw)) }); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
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
