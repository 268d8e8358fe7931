package proc

import (
	"bytes"
	"fmt"
	"strconv"
)

// PFKthread is the PF_KTHREAD bit of stat's flags field: set for kernel threads.
const PFKthread = 0x00200000

// Stat is the part of /proc/PID/stat (proc(5)) that tells how a process is
// tied to sessions, terminals and parents.
type Stat struct {
	PID        int    // field 1
	Comm       string // field 2, without the parentheses; may hold spaces and ")"
	State      byte   // field 3: R, S, D, Z, T, t, X, I ...
	PPID       int    // field 4: parent process
	PGID       int    // field 5: process group
	SID        int    // field 6: session
	TTY        int    // field 7 tty_nr: controlling terminal, 0 if none
	TPGID      int    // field 8: foreground process group of the controlling terminal, -1 if none
	Flags      uint64 // field 9: PF_* flags
	NumThreads int    // field 20
	StartTime  uint64 // field 22: clock ticks after boot
}

// IsKernelThread reports whether the PF_KTHREAD flag is set.
func (s Stat) IsKernelThread() bool { return s.Flags&PFKthread != 0 }

// IsSessionLeader reports whether the process leads its session (SID == PID).
func (s Stat) IsSessionLeader() bool { return s.SID == s.PID }

// IsGroupLeader reports whether the process leads its process group.
func (s Stat) IsGroupLeader() bool { return s.PGID == s.PID }

// HasTTY reports whether the process has a controlling terminal.
func (s Stat) HasTTY() bool { return s.TTY != 0 }

// InForeground reports whether the process is in its terminal's foreground
// process group (ps shows "+").
func (s Stat) InForeground() bool { return s.TTY != 0 && s.TPGID == s.PGID }

// ParseStat parses the contents of /proc/PID/stat.
func ParseStat(b []byte) (Stat, error) {
	var s Stat
	// The command name sits between the first "(" and the last ")": it may
	// itself hold spaces and parentheses.
	open := bytes.IndexByte(b, '(')
	close := bytes.LastIndexByte(b, ')')
	if open < 0 || close < open {
		return s, fmt.Errorf("no command name in parentheses in %q", clip(b))
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil {
		return s, fmt.Errorf("bad pid %q", clip(b[:open]))
	}
	s.PID = pid
	s.Comm = string(b[open+1 : close])
	rest := bytes.Fields(b[close+1:])
	// rest[0] is field 3; field N is rest[N-3].
	const need = 22 - 3 + 1
	if len(rest) < need {
		return s, fmt.Errorf("%d fields after the command name, want at least %d, in %q", len(rest), need, clip(b))
	}
	if len(rest[0]) != 1 {
		return s, fmt.Errorf("bad state %q", rest[0])
	}
	s.State = rest[0][0]
	ints := []*int{&s.PPID, &s.PGID, &s.SID, &s.TTY, &s.TPGID}
	for i, p := range ints {
		v, err := strconv.Atoi(string(rest[1+i]))
		if err != nil {
			return s, fmt.Errorf("bad field %d %q", 4+i, rest[1+i])
		}
		*p = v
	}
	if s.Flags, err = strconv.ParseUint(string(rest[9-3]), 10, 64); err != nil {
		return s, fmt.Errorf("bad flags field %q", rest[9-3])
	}
	if s.NumThreads, err = strconv.Atoi(string(rest[20-3])); err != nil {
		return s, fmt.Errorf("bad num_threads field %q", rest[20-3])
	}
	if s.StartTime, err = strconv.ParseUint(string(rest[22-3]), 10, 64); err != nil {
		return s, fmt.Errorf("bad starttime field %q", rest[22-3])
	}
	return s, nil
}

// clip keeps error messages to one readable line.
func clip(b []byte) string {
	const max = 80
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// TTYName turns stat's tty_nr into a device name as ps prints it ("pts/3",
// "tty1", "ttyS0"), or "?" when there is no controlling terminal.
func TTYName(ttyNr int) string {
	if ttyNr == 0 {
		return "?"
	}
	// tty_nr packs the device number: major in bits 8-15, minor in bits 0-7
	// and 20-31 (proc(5)).
	major := (ttyNr >> 8) & 0xfff
	minor := (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00)
	switch {
	case major >= 136 && major <= 143:
		return fmt.Sprintf("pts/%d", (major-136)*256+minor)
	case major == 4 && minor < 64:
		return fmt.Sprintf("tty%d", minor)
	case major == 4:
		return fmt.Sprintf("ttyS%d", minor-64)
	case major == 5 && minor == 1:
		return "console"
	}
	return fmt.Sprintf("%d:%d", major, minor)
}
