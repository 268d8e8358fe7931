package workshop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/lab/sysv"
	"dlab/demos/launch/registry"
)

// Demo is the demo daemon some exercises work on: dlab's own SysV daemon,
// listening on a port, left running between dlab commands.
type Demo struct {
	PID        int    `json:"pid"`
	StartTime  uint64 `json:"start_time"`
	Addr       string `json:"addr"`
	PIDFile    string `json:"pid_file"`
	LogFile    string `json:"log_file"`
	ConfigFile string `json:"config_file"`
}

// demoLifetime outlasts a 90-minute workshop with room to spare; the daemon
// then ends by itself.
const demoLifetime = 3 * time.Hour

// StartDemo starts a demo daemon that stays after dlab exits.
func StartDemo(ctx context.Context) (*Demo, error) {
	d, err := sysv.Start(ctx, sysv.Options{Listen: true, Keep: true, Lifetime: demoLifetime})
	if err != nil {
		return nil, err
	}
	return &Demo{PID: d.PID, StartTime: d.StartTime, Addr: d.Addr, PIDFile: d.PIDFile, LogFile: d.LogFile, ConfigFile: d.ConfigFile}, nil
}

// StopDemo ends a demo daemon dlab started (it is in dlab's registry). One
// that has ended already (its lifetime is over, the student stopped it) is
// not an error, and a PID now used by another process is left alone.
func StopDemo(d *Demo) error {
	if d == nil {
		return nil
	}
	err := registry.Stop(d.PID, 5*time.Second)
	if errors.Is(err, proc.ErrGone) || errors.Is(err, registry.ErrNotStarted) || errors.Is(err, registry.ErrReused) {
		return nil
	}
	return err
}

// Alive reports whether the daemon still runs: same PID, same start time.
func (d *Demo) Alive(fs proc.FS) bool {
	if d == nil {
		return false
	}
	st, err := fs.Stat(d.PID)
	return err == nil && st.StartTime == d.StartTime && st.State != 'Z'
}

// Port is the TCP port it listens on.
func (d *Demo) Port() int {
	_, p, err := net.SplitHostPort(d.Addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

// daemon is the demo daemon as package sysv knows it, to wait on it.
func (d *Demo) daemon() *sysv.Daemon {
	return &sysv.Daemon{PID: d.PID, StartTime: d.StartTime, PIDFile: d.PIDFile, LogFile: d.LogFile, ConfigFile: d.ConfigFile, Addr: d.Addr}
}

// Log returns its log, "" when unreadable.
func (d *Demo) Log() string {
	b, _ := os.ReadFile(d.LogFile)
	return string(b)
}

// Count counts the log lines holding s.
func (d *Demo) Count(s string) int { return countLines(d.Log(), s) }

func countLines(log, s string) int {
	n := 0
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

// WaitCount waits, at most timeout, until more than n log lines hold s
// (the daemon writes its log after it handled a signal the student just
// sent), and returns how many do. The wait is on inotify, not a timer.
func (d *Demo) WaitCount(ctx context.Context, s string, n int, timeout time.Duration) int {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d.daemon().WaitLogFunc(ctx, fmt.Sprintf("had more than %d %q lines", n, s), func(log string) bool { return countLines(log, s) > n })
	return d.Count(s)
}

// WaitExit waits, at most timeout, until the daemon has exited (through a
// pidfd checked against its start time), and says whether it has.
func (d *Demo) WaitExit(ctx context.Context, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return d.daemon().WaitExit(ctx) == nil
}
