package proc

import (
	"bytes"
	"fmt"
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

// ParseStat parses the contents of /proc/PID/stat. It walks the fields
// instead of splitting them, because dlab ps parses thousands of these and
// only needs a dozen of the 52 fields.
func ParseStat(b []byte) (Stat, error) {
	var s Stat
	// The command name sits between the first "(" and the last ")": it may
	// itself hold spaces and parentheses, but no field after it holds a ")".
	open := bytes.IndexByte(b, '(')
	close := bytes.LastIndexByte(b, ')')
	if open < 0 || close < open {
		return s, fmt.Errorf("no command name in parentheses in %q", clip(b))
	}
	pid, ok := atoi(bytes.TrimSpace(b[:open]))
	if !ok {
		return s, fmt.Errorf("bad pid %q in %q", clip(b[:open]), clip(b))
	}
	s.PID = pid
	s.Comm = string(b[open+1 : close])
	rest := b[close+1:]
	const last = 22 // starttime, the last field dlab reads
	for field := 3; field <= last; field++ {
		// Fields are separated by single spaces; tolerate runs of blanks.
		for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
			rest = rest[1:]
		}
		end := 0
		for end < len(rest) && rest[end] != ' ' && rest[end] != '\t' && rest[end] != '\n' {
			end++
		}
		f := rest[:end]
		rest = rest[end:]
		if len(f) == 0 {
			return s, fmt.Errorf("%d fields after the command name, want at least %d, in %q", field-3, last-2, clip(b))
		}
		var ok bool
		switch field {
		case 3:
			ok = len(f) == 1
			s.State = f[0]
		case 4:
			s.PPID, ok = atoi(f)
		case 5:
			s.PGID, ok = atoi(f)
		case 6:
			s.SID, ok = atoi(f)
		case 7:
			s.TTY, ok = atoi(f)
		case 8:
			s.TPGID, ok = atoi(f)
		case 9:
			s.Flags, ok = atou(f)
		case 20:
			s.NumThreads, ok = atoi(f)
		case 22:
			s.StartTime, ok = atou(f)
		default:
			continue
		}
		if !ok {
			return s, fmt.Errorf("bad field %d (%s) %q in %q", field, statFieldNames[field], clip(f), clip(b))
		}
	}
	return s, nil
}

// statFieldNames names the fields ParseStat reads, as proc(5) does.
var statFieldNames = map[int]string{
	3: "state", 4: "ppid", 5: "pgrp", 6: "session", 7: "tty_nr", 8: "tpgid",
	9: "flags", 20: "num_threads", 22: "starttime",
}

// StatFieldName is proc(5)'s name for a field of /proc/PID/stat that dlab
// reads, for evidence sources ("field 7 tty_nr").
func StatFieldName(field int) string { return statFieldNames[field] }

// atoi parses a decimal int, with an optional minus sign, without the
// allocation strconv would make for its error.
func atoi(b []byte) (int, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	u, ok := atou(b)
	if !ok || u > 1<<62 {
		return 0, false
	}
	if neg {
		return -int(u), true
	}
	return int(u), true
}

// atou parses an unsigned decimal number that fits in 64 bits.
func atou(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// clip keeps error messages to one readable line.
func clip(b []byte) string {
	const max = 80
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// NoTTY is how ps and TTYName name the terminal of a process that has no
// controlling terminal.
const NoTTY = "?"

// HasTTYName reports whether a terminal name as TTYName (or ps) gives it
// names a controlling terminal: neither NoTTY nor empty (not read). Use it
// for names carried as strings; Stat.HasTTY for a stat.
func HasTTYName(name string) bool { return name != NoTTY && name != "" }

// TTYName turns stat's tty_nr into a device name as ps prints it ("pts/3",
// "tty1", "ttyS0"), or "?" when there is no controlling terminal.
func TTYName(ttyNr int) string {
	if ttyNr == 0 {
		return NoTTY
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

// ParseExitCode reads field 52 of /proc/PID/stat, exit_code: the wait
// status of a zombie (Linux 3.5+), what its parent's wait() would get. It
// is separate from ParseStat, which stops at field 22 for speed.
func ParseExitCode(b []byte) (int, error) {
	close := bytes.LastIndexByte(b, ')')
	if close < 0 {
		return 0, fmt.Errorf("no command name in parentheses in %q", clip(b))
	}
	fields := bytes.Fields(b[close+1:])
	const field = 52
	if len(fields) < field-2 {
		return 0, fmt.Errorf("%d fields after the command name, want %d (exit_code needs Linux 3.5), in %q", len(fields), field-2, clip(b))
	}
	n, ok := atoi(fields[field-3])
	if !ok {
		return 0, fmt.Errorf("bad field 52 (exit_code) %q in %q", clip(fields[field-3]), clip(b))
	}
	return n, nil
}
