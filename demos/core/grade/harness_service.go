package grade

import (
	"bufio"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"dlab/demos/core/inspect"
	"dlab/demos/lab/sdnotify"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
)

// readyWindow is how long dlab waits for a new-style daemon to say READY=1
// before it takes it to be running (a Type=simple service never says it).
const readyWindow = time.Second

// service starts the program as a service manager would and checks the
// new-style rules: stay in the foreground, don't fork away, log to stderr,
// end on SIGTERM, say READY=1 when NOTIFY_SOCKET asks for it.
func (h *harness) service() {
	o := h.obs
	sock, err := sdnotify.Listen()
	if err != nil {
		h.problem("cannot make a directory for the notify socket: %v", err)
		return
	}
	defer sock.Close()
	notes := sock.Messages

	devnull, err := os.Open(os.DevNull)
	if err != nil {
		h.problem("cannot open %s for the program's stdin: %v", os.DevNull, err)
		return
	}
	defer devnull.Close()
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	self, err := reexec.Self()
	if err != nil {
		h.problem("cannot find dlab's own executable to start the program: %v", err)
		return
	}
	env := append(os.Environ(), "NOTIFY_SOCKET="+sock.Path)
	start := time.Now()
	main, err := os.StartProcess(self, reexec.Args(execRole, append(h.execArgs(), h.opts.Command...)...), &os.ProcAttr{
		Dir:   h.opts.Dir,
		Env:   env,
		Files: []*os.File{devnull, outW, errW},
		// A session of its own and no terminal, stdin on /dev/null, stdout
		// and stderr on pipes: how systemd starts a service (its journal
		// reads the pipes).
		Sys: &syscall.SysProcAttr{Setsid: true},
	})
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		o.Original = &Original{StartError: err.Error(), ExitCode: -1}
		return
	}
	mainPID := main.Pid
	main.Release() // the reaper waits for it
	svc := &Service{PID: mainPID, Window: min(stretch(readyWindow, h.busy), h.opts.Timeout)}
	o.Service = svc
	o.Original = &Original{PID: mainPID, ExitCode: -1}

	var logs sync.WaitGroup
	stdout, stderr := &lineCounter{}, &lineCounter{}
	out := &tail{max: 4 << 10}
	logs.Add(2)
	go stdout.copy(&logs, outR, out)
	go stderr.copy(&logs, errR, out)
	defer func() {
		// Escaped processes may still hold the pipes; don't wait for them.
		done := make(chan struct{})
		go func() { logs.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(500 * time.Millisecond):
		}
		outR.Close()
		errR.Close()
		svc.StdoutLines, svc.StderrLines = stdout.count(), stderr.count()
		svc.FirstStderr = stderr.first()
		o.Output = out.String()
	}()

	h.recordPID(mainPID, "check-program")
	p, err := pidfd.Open(mainPID, 0)
	if err != nil {
		h.problem("cannot take hold of the program (PID %d) through a pidfd: %v", mainPID, err)
		return
	}
	defer p.Close()

	roleComm := h.comm() // what the exec role is called until it becomes the program
	var execAt time.Time
	window := time.NewTimer(svc.Window)
	defer window.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case n, ok := <-notes:
			if !ok {
				notes = nil
				continue
			}
			svc.Notify = append(svc.Notify, strings.TrimSpace(n))
			if sdnotify.HasLine(n, "READY=1") && !svc.Ready {
				svc.Ready, svc.ReadyAfter = true, time.Since(start)
				break wait
			}
		case <-p.Exited():
			svc.Exited, svc.After = true, time.Since(start)
			break wait
		case <-tick.C:
			if h.bomb(h.program(), "while starting") {
				return
			}
			if execAt.IsZero() {
				if st, err := h.fs.Stat(mainPID); err == nil && st.Comm != roleComm {
					execAt = time.Now()
				}
			}
		case <-window.C:
			// On a busy machine the program may not have got as far as its
			// signal handlers yet, or even been executed (the exec role is
			// still dlab): judging it now would send SIGTERM to a
			// half-started process. Wait, up to the timeout, until it is
			// the program and sleeps, as a started service does.
			// The window is the program's own: it starts when the exec role
			// has become the program, however long a busy machine took to
			// get there.
			early := execAt.IsZero() || time.Since(execAt) < svc.Window
			if (early || h.starting(mainPID)) && time.Since(start) < h.opts.Timeout {
				window.Reset(20 * time.Millisecond)
				continue
			}
			// A READY=1 already received must count even when the window
			// fires in the same instant: select picks among ready cases at
			// random.
			for drained := false; !drained && notes != nil; {
				select {
				case n, ok := <-notes:
					if !ok {
						notes = nil
						break
					}
					svc.Notify = append(svc.Notify, strings.TrimSpace(n))
					if sdnotify.HasLine(n, "READY=1") && !svc.Ready {
						svc.Ready, svc.ReadyAfter = true, time.Since(start)
					}
				default:
					drained = true
				}
			}
			break wait
		case <-h.abort:
			return
		}
	}
	if svc.Exited {
		svc.How = h.how(p)
		o.Original.Exited, o.Original.How, o.Original.After = true, svc.How, svc.After
		// What it left behind had forked away; give a double fork its moment.
		h.settleQuiet()
	}
	h.recordLive()
	for _, st := range h.program() {
		if st.PPID == h.self && st.PID != mainPID {
			svc.Escaped = append(svc.Escaped, procOf(st))
		}
	}
	if svc.Exited {
		return
	}
	if rep, err := inspect.Explain(h.fs, mainPID); err == nil {
		f := rep.Facts
		svc.Facts = &f
	}
	o.SIGTERM = h.terminate(p)
	o.Leftovers = h.leftovers()
	// A READY=1 sent late, or STOPPING=1 on the way out.
	for notes != nil {
		select {
		case n, ok := <-notes:
			if !ok {
				return
			}
			svc.Notify = append(svc.Notify, strings.TrimSpace(n))
		default:
			return
		}
	}
}

// comm is the harness's own command name, which the exec role has too until
// it executes the program.
func (h *harness) comm() string {
	st, err := h.fs.Stat(h.self)
	if err != nil {
		return ""
	}
	return st.Comm
}

// settleQuiet waits until the set of adopted processes has not changed for
// the quiet period, or the timeout.
func (h *harness) settleQuiet() {
	deadline := time.Now().Add(h.opts.Timeout)
	last, since := "", time.Now()
	for time.Now().Before(deadline) && !h.aborted() {
		live := h.program()
		if len(live) == 0 && len(h.programConfirmed()) == 0 {
			return
		}
		if sig := adoptedSignature(live, h.self); sig != last {
			last, since = sig, time.Now()
		}
		if time.Since(since) >= quietPeriod {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lineCounter counts the lines of one stream and keeps the first.
type lineCounter struct {
	mu        sync.Mutex
	n         int
	firstLine string
}

func (c *lineCounter) copy(wg *sync.WaitGroup, r io.Reader, all io.Writer) {
	defer wg.Done()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		c.mu.Lock()
		if c.n == 0 {
			c.firstLine = sc.Text()
		}
		c.n++
		c.mu.Unlock()
		all.Write(append(sc.Bytes(), '\n'))
	}
}

func (c *lineCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *lineCounter) first() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.firstLine
}

// starting reports whether the program is still on its way up: not yet
// executed (the exec role is still dlab), or it or anything it started is
// on the CPU or in uninterruptible sleep. A SysV daemon started here forks
// away only once its children have run, so judging while they still run
// would call a daemon that forks "in the foreground".
func (h *harness) starting(mainPID int) bool {
	st, err := h.fs.Stat(mainPID)
	if err != nil {
		return false
	}
	if st.State == 'R' || st.State == 'D' || st.Comm == h.comm() {
		return true
	}
	kids, _ := h.fs.Descendants(mainPID)
	for _, k := range kids {
		if k.State == 'R' || k.State == 'D' {
			return true
		}
	}
	return false
}
