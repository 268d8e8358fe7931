package proc

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// ClockTicks is USER_HZ, the unit of stat's starttime. Linux fixes it at 100
// on every architecture it exports to user space (sysconf(_SC_CLK_TCK)).
const ClockTicks = 100

// Uptime reads /proc/uptime: seconds since boot.
func (p FS) Uptime() (float64, error) {
	path := filepath.Join(p.root(), "uptime")
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("cannot read the time since boot: %w", err)
	}
	u, err := ParseUptime(b)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return u, nil
}

// ParseUptime parses /proc/uptime ("12345.67 23456.78"): the first number is
// the seconds since boot.
func ParseUptime(b []byte) (float64, error) {
	f := bytes.Fields(b)
	if len(f) == 0 {
		return 0, fmt.Errorf("empty uptime %q", clip(b))
	}
	u, err := strconv.ParseFloat(string(f[0]), 64)
	if err != nil || u < 0 {
		return 0, fmt.Errorf("bad uptime %q", clip(b))
	}
	return u, nil
}

// StartSeconds is a start time from stat field 22 in seconds after boot.
func StartSeconds(ticks uint64) float64 { return float64(ticks) / ClockTicks }

// ReadID reads a file holding one decimal number, such as /proc/PID/loginuid
// or /proc/PID/sessionid.
func (p FS) ReadID(pid int, name string) (uint64, error) {
	b, err := p.read(pid, name)
	if err != nil {
		return 0, err
	}
	n, ok := atou(bytes.TrimSpace(b))
	if !ok {
		return 0, fmt.Errorf("%s: not a number: %q", p.path(pid, name), clip(b))
	}
	return n, nil
}
