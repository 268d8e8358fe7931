// Package sysv starts the classic SysV daemon: dlab itself, made a daemon by
// every one of the fifteen steps that systemd's daemon(7) lists.
//
// Go can't fork without exec, so each fork of the recipe is dlab executing
// itself again in a hidden role (package reexec):
//
//	dlab (the launcher, Start)            steps 4, 5, 15
//	 └─ dlab __sysv-stage1 (first child)  steps 1-3 on arrival, 6, 7, 8
//	     └─ dlab __sysv-daemon (daemon)   steps 1-3 again, 9-14
//
// Steps 1-3 (close inherited fds, default signal handlers, empty signal
// mask) belong before the first fork in daemon(7); dlab's own process must
// keep its fds and handlers, so they run at the top of stage 1, the first
// code the new process runs, and again in the daemon. Each step is a
// commented line in stage1.go or daemon.go.
//
// The daemon writes its log to a file (its stdio is on /dev/null), reloads
// its configuration file on SIGHUP, shuts down cleanly on SIGTERM (removing
// its PID file), and ends by itself after its lifetime. Its log lines are
// a contract with whoever reads them (the lessons, the workshop, compare):
// the LogReady, LogReloaded and LogShutdown constants.
package sysv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/registry"

	"golang.org/x/sys/unix"
)

// The daemon's log events: what it writes to its log, as the readers of
// the log (WaitLog, Count, the workshop, compare) look for it. A supervised
// service (package spectrum) writes the same words to its journal.
const (
	LogReady    = "ready pid="               // followed by the PID: step 14 done
	LogReloaded = "reloaded configuration"   // SIGHUP: the configuration was read again
	LogShutdown = "shutting down on SIGTERM" // SIGTERM: a clean exit, PID file removed
)

// DefaultLifetime bounds how long a demo daemon runs if nobody stops it.
const DefaultLifetime = time.Hour

// Umask is the daemon's umask (step 10). daemon(7) suggests 0, so that the
// modes passed to open() rule alone; dlab uses 027 so nothing it creates is
// readable by others by accident, and so the change from a shell's usual 022
// shows in /proc/PID/status.
const Umask = 0o027

// File names in the daemon's directory.
const (
	PIDFileName    = "dlab.pid"
	LogFileName    = "dlab.log"
	ConfigFileName = "dlab.conf"
)

// Options configure Start.
type Options struct {
	// Dir holds the PID file, the log and the configuration. Default: a new
	// directory for this run in dlab's per-user state directory.
	Dir string
	// Lifetime after which the daemon ends by itself. Default: one hour.
	Lifetime time.Duration
	// Listen makes the daemon listen on 127.0.0.1 (a free port) and greet
	// whoever connects, so a lesson can show a daemon's socket.
	Listen bool
	// Keep leaves the daemon running on purpose after the caller is gone
	// (dlab demo daemon). Otherwise it belongs to the calling process, and
	// if that process dies without stopping it, the next `dlab demo` run or
	// `dlab demo cleanup` ends it as a leftover.
	Keep bool
	// Registry records the daemon. Default: this user's (registry.Default).
	Registry *registry.Store
}

// Stage is how one process of the double fork saw itself, read from its own
// /proc/self/stat at that moment.
type Stage struct {
	Name      string `json:"name"` // "launcher", "first child", "daemon"
	When      string `json:"when"` // "after setsid (step 6)" ...
	PID       int    `json:"pid"`
	PPID      int    `json:"ppid"`
	PGID      int    `json:"pgid"`
	SID       int    `json:"sid"`
	TTY       string `json:"tty"` // "pts/3", or "?" for none
	StartTime uint64 `json:"start_time"`
}

// SessionLeader reports whether the process led its session at that moment.
func (s Stage) SessionLeader() bool { return s.SID == s.PID }

// Reaper is the process a daemon was reparented to when its first child
// exited (step 8): PID 1 of its PID namespace, or the nearest ancestor that
// made itself a subreaper with prctl(PR_SET_CHILD_SUBREAPER).
type Reaper struct {
	PID  int    `json:"pid"`
	Comm string `json:"comm"`
	Init bool   `json:"init"` // PID 1; otherwise a subreaper
}

// String says which reaper it is, in the lesson's words.
func (r Reaper) String() string {
	switch {
	case r.Init && r.Comm == "systemd":
		return "PID 1 (systemd), the init system"
	case r.Init:
		return fmt.Sprintf("PID 1 (%s), this machine's init, not systemd", r.Comm)
	}
	return fmt.Sprintf("PID %d (%s), a subreaper (it called prctl(PR_SET_CHILD_SUBREAPER)), not PID 1", r.PID, r.Comm)
}

// Daemon is a running demo daemon.
type Daemon struct {
	PID         int           `json:"pid"`
	StartTime   uint64        `json:"start_time"`
	Dir         string        `json:"dir"`
	PIDFile     string        `json:"pid_file"`
	LogFile     string        `json:"log_file"`
	ConfigFile  string        `json:"config_file"`
	Addr        string        `json:"addr,omitempty"` // "127.0.0.1:PORT" with Options.Listen
	Reaper      Reaper        `json:"reaper"`
	UID         int           `json:"uid"`
	User        string        `json:"user"`
	DroppedFrom string        `json:"dropped_from,omitempty"` // "root" when it dropped privileges (step 13)
	Umask       int           `json:"umask"`
	Lifetime    time.Duration `json:"lifetime_ns"`
	Stages      []Stage       `json:"stages"` // launcher, first child, daemon before and after reparenting

	store registry.Store
	// watch is a pidfd on the daemon from the moment it is ready. Its new
	// parent may reap it the instant it exits (tini or bash as a
	// container's PID 1): only a pidfd opened before that still tells how
	// it ended.
	watch *pidfd.Process
}

// Signal sends sig to the daemon through a pidfd, checked against its
// start time.
func (d *Daemon) Signal(sig syscall.Signal) error {
	p, release, err := d.hold()
	if err != nil {
		return err
	}
	defer release()
	return p.Signal(sig)
}

// WaitExit waits until the daemon has exited.
func (d *Daemon) WaitExit(ctx context.Context) error {
	p, release, err := d.hold()
	if errors.Is(err, proc.ErrGone) {
		return nil
	}
	if err != nil {
		return err
	}
	defer release()
	return p.Wait(ctx)
}

// ExitStatus waits until the daemon has exited and says how it ended
// ("exited with status 0"), although it is not the caller's child.
func (d *Daemon) ExitStatus(ctx context.Context) (pidfd.Exit, error) {
	p, release, err := d.hold()
	if err != nil {
		return pidfd.Exit{}, err
	}
	defer release()
	return p.ExitStatus(ctx)
}

// Stop ends the daemon (SIGTERM, then SIGKILL after timeout) and forgets it
// in the registry. A daemon that has already ended is not an error.
func (d *Daemon) Stop(timeout time.Duration) error {
	_, err := d.store.Stop(d.PID, timeout)
	if d.watch != nil {
		d.watch.Close()
		d.watch = nil
	}
	if errors.Is(err, proc.ErrGone) || errors.Is(err, registry.ErrNotStarted) || errors.Is(err, registry.ErrReused) {
		return nil
	}
	return err
}

// Log returns the daemon's log.
func (d *Daemon) Log() (string, error) {
	b, err := os.ReadFile(d.LogFile)
	return string(b), err
}

// WaitLog waits until the daemon's log holds substr. It watches the file
// with inotify, so it wakes when the daemon writes, not on a timer.
func (d *Daemon) WaitLog(ctx context.Context, substr string) error {
	return d.WaitLogFunc(ctx, fmt.Sprintf("said %q", substr), func(log string) bool { return strings.Contains(log, substr) })
}

// WaitLogFunc waits until done says yes to the daemon's whole log (a count
// of lines that grew, say), as WaitLog does; what names the wait in its error.
func (d *Daemon) WaitLogFunc(ctx context.Context, what string, done func(log string) bool) error {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return fmt.Errorf("cannot watch the daemon's log: %w", err)
	}
	// Watch before the first read, so a line written in between still wakes us.
	if _, err := unix.InotifyAddWatch(fd, d.LogFile, unix.IN_MODIFY|unix.IN_CLOSE_WRITE|unix.IN_DELETE_SELF); err != nil {
		unix.Close(fd)
		return fmt.Errorf("cannot watch the daemon's log %s: %w", d.LogFile, err)
	}
	events := os.NewFile(uintptr(fd), "inotify")
	defer events.Close()
	stop := context.AfterFunc(ctx, func() { events.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 4096)
	for {
		if log, err := d.Log(); err == nil && done(log) {
			return nil
		}
		if _, err := events.Read(buf); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("the daemon's log never %s: %w", what, ctx.Err())
			}
			return fmt.Errorf("cannot watch the daemon's log: %w", err)
		}
	}
}

// hold returns the pidfd Start opened, or a new one (with its release) if
// Start could not open one.
func (d *Daemon) hold() (*pidfd.Process, func(), error) {
	return pidfd.Borrow(d.watch, d.PID, d.StartTime)
}

// readConfig parses the daemon's configuration: "key = value" lines, "#"
// comments.
func readConfig(f *os.File) (map[string]string, error) {
	conf := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want key = value, got %q", n, line)
		}
		conf[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return conf, sc.Err()
}

const defaultConfig = `# Configuration of dlab's demo daemon.
# Change the greeting, then send SIGHUP: kill -HUP PID
# The daemon re-reads this file and says so in its log.
greeting = hello from a SysV daemon
`
