package spectrum

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/lab/sysv"
	"dlab/demos/launch/event"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"

	"golang.org/x/sys/unix"
)

// runSupervisor is a tiny service manager, in the part that matters here:
// what systemd does for a unit with Type=notify, Restart=always and
// RestartSec. It starts the service in a new session with stdin on
// /dev/null and stdout and stderr on a pipe it reads into its journal,
// with cwd "/"; it learns that the service is ready from READY=1 on
// $NOTIFY_SOCKET (sd_notify(3)); when the service dies, however it died,
// it starts it again after RestartSec; on SIGTERM it stops the service
// (SIGTERM, then SIGKILL) and exits.
//
// Each event is also a line on the status pipe (fd 3) for the launcher:
// events of role "service", kind "started", "ready" or "exited" (with its
// wait status in the field "wait").
func runSupervisor(args []string) int {
	var restartDelay time.Duration
	var run string
	var owner registry.Owner
	rf, service, err := parseRoleFlags(roleSupervise, args, func(fs *flag.FlagSet) {
		fs.DurationVar(&restartDelay, "restart-sec", 100*time.Millisecond, "")
		fs.StringVar(&run, "run", "", "")
		fs.IntVar(&owner.PID, "owner-pid", 0, "")
		fs.Uint64Var(&owner.StartTime, "owner-start", 0, "")
	})
	if err != nil || len(service) == 0 {
		return 2
	}
	journal := roleLog("supervisor", rf.log)
	// The registry wants the journal's full path: it keeps a run's
	// directory while a recorded process has a file there.
	logPath, _ := filepath.Abs(rf.log)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT, unix.SIGHUP)
	status := announce(rf.readyFD, "supervisor")
	var statusMu sync.Mutex
	report := func(kind string, pid int, start uint64, wait unix.WaitStatus) {
		if status == nil {
			return
		}
		statusMu.Lock()
		defer statusMu.Unlock()
		e := event.Event{Role: "service", Kind: kind, PID: pid, StartTime: start}
		if kind == "exited" {
			e = e.With("wait", strconv.Itoa(int(wait)))
		}
		// Once the launcher has gone (dlab demo supervised returned) the
		// write fails with EPIPE; the supervisor carries on without it.
		if err := event.Send(status, e); err != nil {
			status.Close()
			status = nil
		}
	}

	notify, notifyAddr, err := listenNotify()
	if err != nil {
		journal.Printf("cannot open the notify socket: %v", err)
		return 1
	}
	defer notify.Close()
	readyPIDs := make(chan int, 16)
	go readNotify(notify, readyPIDs)

	lifetime := time.After(rf.lifetime)
	for {
		svc, err := startService(service, notifyAddr, journal)
		if err != nil {
			journal.Printf("cannot start the service: %v", err)
			return 1
		}
		report("started", svc.pid, svc.start, svc.wait)
		journal.Printf("started %s as PID %d", service[0], svc.pid)
		// Recorded like every demo process, so that it is ended even if
		// the supervisor is killed with SIGKILL and can't stop it.
		if err := registry.Add(registry.Entry{PID: svc.pid, StartTime: svc.start, Kind: RegistryKind(Supervised, "service"),
			Run: run, LogFile: logPath, Owner: owner}); err != nil {
			journal.Printf("cannot record PID %d in dlab's registry: %v", svc.pid, err)
		}
	running:
		for {
			select {
			case pid := <-readyPIDs:
				if pid != svc.pid {
					// systemd's NotifyAccess=main: only the main PID may say READY.
					journal.Printf("ignoring READY=1 from PID %d, which is not the service", pid)
					continue
				}
				journal.Printf("PID %d is ready (READY=1 on $NOTIFY_SOCKET)", pid)
				report("ready", svc.pid, svc.start, svc.wait)
			case <-svc.done:
				break running
			case sig := <-sigs:
				journal.Printf("%v: stopping the service", sig)
				svc.stop(journal)
				registry.Remove(svc.pid)
				report("exited", svc.pid, svc.start, svc.wait)
				return 0
			case <-lifetime:
				journal.Printf("lifetime over: stopping the service")
				svc.stop(journal)
				registry.Remove(svc.pid)
				report("exited", svc.pid, svc.start, svc.wait)
				return 0
			}
		}
		registry.Remove(svc.pid)
		how := pidfd.Exit{Status: svc.wait, Known: true}
		journal.Printf("PID %d %s; Restart=always: starting it again in RestartSec=%v", svc.pid, how, restartDelay)
		report("exited", svc.pid, svc.start, svc.wait)
		select {
		case <-time.After(restartDelay):
		case sig := <-sigs:
			journal.Printf("%v: not restarting; exiting", sig)
			return 0
		case <-lifetime:
			return 0
		}
	}
}

// service is one run of the supervised service.
type service struct {
	pid   int
	start uint64
	cmd   *os.Process
	done  chan struct{}
	wait  unix.WaitStatus
}

func startService(argv []string, notifyAddr string, journal interface{ Printf(string, ...any) }) (*service, error) {
	cmd, err := reexec.Command(argv[0], argv[1:]...)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+notifyAddr)
	// systemd starts every service in a session of its own.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	w.Close()
	s := &service{pid: cmd.Process.Pid, cmd: cmd.Process, done: make(chan struct{})}
	if st, err := proc.Live().Stat(s.pid); err == nil {
		s.start = st.StartTime
	}
	// The journal: every line the service writes, with its PID.
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			journal.Printf("service[%d]: %s", s.pid, sc.Text())
		}
		r.Close()
	}()
	go func() {
		state, _ := cmd.Process.Wait()
		<-copied
		if state != nil {
			s.wait = unix.WaitStatus(state.Sys().(syscall.WaitStatus))
		}
		close(s.done)
	}()
	return s, nil
}

func (s *service) stop(journal interface{ Printf(string, ...any) }) {
	s.cmd.Signal(unix.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(stopTimeout):
		journal.Printf("PID %d still running %v after SIGTERM: SIGKILL", s.pid, stopTimeout)
		s.cmd.Signal(unix.SIGKILL)
		<-s.done
	}
	journal.Printf("PID %d %s", s.pid, pidfd.Exit{Status: s.wait, Known: true})
}

// listenNotify opens the datagram socket a Type=notify service reports to.
// It is abstract ("@..."): no file to clean up, and no path length limit
// in a deep directory. The sender's PID comes with each message
// (SO_PASSCRED), so only the service itself is believed.
func listenNotify() (*net.UnixConn, string, error) {
	name := fmt.Sprintf("@dlab-notify-%d-%d", os.Getpid(), time.Now().UnixNano())
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return nil, "", err
	}
	rc, err := conn.SyscallConn()
	if err == nil {
		rc.Control(func(fd uintptr) { unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PASSCRED, 1) })
	}
	return conn, name, nil
}

// readNotify sends the PID of every sender of READY=1.
func readNotify(conn *net.UnixConn, ready chan<- int) {
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred))
	for {
		n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
		if err != nil {
			return
		}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil || len(msgs) == 0 {
			continue
		}
		cred, err := unix.ParseUnixCredentials(&msgs[0])
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(buf[:n]), "\n") {
			if line == "READY=1" {
				ready <- int(cred.Pid)
			}
		}
	}
}

// sdNotify sends state to $NOTIFY_SOCKET, as sd_notify(3) does. Without
// the variable (not started by a service manager) it does nothing.
func sdNotify(state string) error {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}

// runService is a new-style daemon (daemon(7)): none of the SysV steps. It
// stays in the foreground, doesn't fork, writes its log to stderr (the
// supervisor's journal), says READY=1 when it is ready, reloads on SIGHUP
// and exits cleanly on SIGTERM.
func runService(args []string) int {
	rf, _, err := parseRoleFlags(roleService, args, nil)
	if err != nil {
		return 2
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGHUP)
	fmt.Fprintln(os.Stderr, "starting in the foreground: no fork, no setsid, no PID file; the supervisor does all that")
	if err := sdNotify("READY=1"); err != nil {
		fmt.Fprintf(os.Stderr, "cannot notify the supervisor: %v\n", err)
	}
	fmt.Fprintf(os.Stderr, "%s%d\n", sysv.LogReady, os.Getpid())
	lifetime := time.After(rf.lifetime)
	for {
		select {
		case sig := <-sigs:
			if sig == unix.SIGHUP {
				fmt.Fprintln(os.Stderr, sysv.LogReloaded)
				continue
			}
			fmt.Fprintln(os.Stderr, sysv.LogShutdown)
			return 0
		case <-lifetime:
			fmt.Fprintln(os.Stderr, "lifetime over")
			return 0
		}
	}
}

// SupervisedService is a new-style daemon running under a supervisor with
// Restart=always.
type SupervisedService struct {
	*group
	RestartDelay time.Duration `json:"restart_sec"` // systemd calls it RestartSec=

	events chan announcement // status lines of the supervisor
	mu     sync.Mutex
}

// StartSupervised starts the supervisor and returns once its service has
// said READY=1.
func StartSupervised(ctx context.Context, opts Options) (*SupervisedService, error) {
	g, err := newGroup(Supervised, opts)
	if err != nil {
		return nil, err
	}
	s := &SupervisedService{group: g, RestartDelay: 100 * time.Millisecond, events: make(chan announcement, 64)}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, g.fail(err)
	}
	life := opts.lifetime().String()
	cmd, err := g.command(roleSupervise, "--ready-fd=3", "--log=journal.log",
		"--lifetime="+life, "--restart-sec="+s.RestartDelay.String(),
		"--run="+registry.RunID(), fmt.Sprintf("--owner-pid=%d", g.owner.PID), fmt.Sprintf("--owner-start=%d", g.owner.StartTime),
		"--", roleService, "--lifetime="+life)
	if err != nil {
		w.Close()
		r.Close()
		return nil, g.fail(err)
	}
	cmd.Dir = g.dir
	cmd.ExtraFiles = []*os.File{w}
	// Like a service manager: no terminal, in a session of its own.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		r.Close()
		return nil, g.fail(err)
	}
	w.Close()
	g.started(cmd, "supervisor")
	g.reap = append(g.reap, func() { cmd.Wait() })
	go func() {
		defer close(s.events)
		defer r.Close()
		event.Read(context.Background(), r, func(e event.Event) error {
			s.events <- e
			return nil
		})
	}()
	sctx, cancel := startContext(ctx)
	defer cancel()
	sup, err := s.next(sctx, "supervisor", "ready", 0)
	if err == nil {
		err = g.hold("supervisor", "the supervisor: starts the service, keeps its journal, restarts it when it dies (Restart=always)", sup)
	}
	if err != nil {
		if sup.PID == 0 {
			cmd.Process.Kill()
		}
		return nil, g.fail(err)
	}
	ready, err := s.next(sctx, "service", "ready", 0)
	if err != nil {
		return nil, g.fail(err)
	}
	if err := s.holdService(ready); err != nil {
		return nil, g.fail(err)
	}
	if err := ctx.Err(); err != nil {
		return nil, g.fail(err)
	}
	return s, nil
}

// next waits for the supervisor's next status line of kind role (about pid,
// if not 0), skipping others.
func (s *SupervisedService) next(ctx context.Context, role, kind string, pid int) (announcement, error) {
	for {
		select {
		case a, ok := <-s.events:
			if !ok {
				return announcement{}, fmt.Errorf("the supervisor ended before its %s was %s (its journal is %s)", role, kind, s.path("journal.log"))
			}
			if a.Role == role && a.Kind == kind && (pid == 0 || a.PID == pid) {
				return a, nil
			}
		case <-ctx.Done():
			return announcement{}, fmt.Errorf("waiting for the supervised %s to be %s: %w", role, kind, ctx.Err())
		}
	}
}

func (s *SupervisedService) holdService(a announcement) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	what := "the service: a new-style daemon in the foreground, a child of the supervisor"
	// The service goes before the supervisor in the story, and a new run
	// replaces the old one.
	members := []Member{}
	for _, m := range s.members {
		if m.Role != "service" {
			members = append(members, m)
		}
	}
	s.members = members
	if err := s.hold("service", what, a); err != nil {
		return err
	}
	n := len(s.members)
	s.members = append([]Member{s.members[n-1]}, s.members[:n-1]...)
	return nil
}

// Service is the current run of the service.
func (s *SupervisedService) Service() Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.member("service")
}

// Restart is what happened when the service was killed.
type Restart struct {
	Old    Member      `json:"old"`
	Killed pidfd.Exit  `json:"killed"` // how the old run ended, as the supervisor reaped it
	New    Member      `json:"new"`
	Signal unix.Signal `json:"signal"`
}

// KillService sends sig to the running service and returns once the
// supervisor has seen it die and its new run has said READY=1.
func (s *SupervisedService) KillService(ctx context.Context, sig unix.Signal) (Restart, error) {
	old := s.Service()
	p := s.proc(old.PID)
	if p == nil {
		return Restart{}, errors.New("no service is running")
	}
	if err := p.Signal(sig); err != nil {
		return Restart{}, err
	}
	exited, err := s.next(ctx, "service", "exited", old.PID)
	if err != nil {
		return Restart{}, err
	}
	wait, _ := strconv.Atoi(exited.Fields["wait"])
	ready, err := s.next(ctx, "service", "ready", 0)
	if err != nil {
		return Restart{}, err
	}
	if err := s.holdService(ready); err != nil {
		return Restart{}, err
	}
	return Restart{Old: old, Killed: pidfd.Exit{Status: unix.WaitStatus(wait), Known: true, Source: "the supervisor's wait(2)"}, New: s.Service(), Signal: sig}, nil
}
