package proc

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// SignalSet is a signal mask as /proc/PID/status shows it: bit N-1 is signal N.
type SignalSet uint64

// Has reports whether signal sig is in the set.
func (s SignalSet) Has(sig unix.Signal) bool {
	if sig < 1 || sig > 64 {
		return false
	}
	return s&(1<<(uint(sig)-1)) != 0
}

// Signals lists the signals in the set in ascending order.
func (s SignalSet) Signals() []unix.Signal {
	var sigs []unix.Signal
	for n := 1; n <= 64; n++ {
		if s.Has(unix.Signal(n)) {
			sigs = append(sigs, unix.Signal(n))
		}
	}
	return sigs
}

// Names lists the signal names in the set ("SIGHUP", "SIGRTMIN+3").
func (s SignalSet) Names() []string {
	var names []string
	for _, sig := range s.Signals() {
		names = append(names, SignalName(sig))
	}
	return names
}

// String is the names joined by commas, or "none".
func (s SignalSet) String() string {
	if s == 0 {
		return "none"
	}
	return strings.Join(s.Names(), ",")
}

// SignalName names a signal the way kill -l does, with the SIG prefix.
func SignalName(sig unix.Signal) string {
	if n := unix.SignalName(sig); n != "" {
		return n
	}
	// Real-time signals have no fixed names; glibc reserves 32 and 33.
	if sig >= 34 && sig <= 64 {
		if sig-34 <= 15 {
			return "SIGRTMIN+" + strconv.Itoa(int(sig-34))
		}
		return "SIGRTMAX-" + strconv.Itoa(int(64-sig))
	}
	return "SIG" + strconv.Itoa(int(sig))
}

// Disposition is what a process does with a signal, read from SigIgn and SigCgt.
type Disposition string

const (
	Default Disposition = "default"
	Ignored Disposition = "ignored"
	Caught  Disposition = "caught"
)

// DispositionOf tells how a process with these masks treats sig.
func (s Status) DispositionOf(sig unix.Signal) Disposition {
	switch {
	case s.SigIgn.Has(sig):
		return Ignored
	case s.SigCgt.Has(sig):
		return Caught
	}
	return Default
}
