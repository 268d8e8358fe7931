package workshop

import (
	"context"
	"errors"
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

// Log returns its log, "" when unreadable.
func (d *Demo) Log() string {
	b, _ := os.ReadFile(d.LogFile)
	return string(b)
}

// Count counts the log lines holding s.
func (d *Demo) Count(s string) int {
	n := 0
	for _, l := range strings.Split(d.Log(), "\n") {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}
