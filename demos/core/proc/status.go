package proc

import (
	"bytes"
	"fmt"
	"strconv"
)

// Status is the part of /proc/PID/status that dlab explains.
type Status struct {
	Name       string
	Umask      int    // -1 when the kernel does not show it (before Linux 4.7)
	Tgid       int    // thread group ID: the PID of the process this thread belongs to
	PID        int    // the thread's own ID (the Pid line); equals Tgid for the main thread
	PPID       int    // parent process (the PPid line)
	TracerPid  int    // the thread tracing this one (strace, gdb), 0 if none: a TID, ThreadGroup gives its process
	UID        [4]int // real, effective, saved, filesystem
	GID        [4]int
	SigPnd     SignalSet // pending for this thread
	ShdPnd     SignalSet // pending for the whole process (shared by its threads)
	SigBlk     SignalSet // blocked: held pending until the program unblocks or reads them (signalfd)
	SigIgn     SignalSet // ignored
	SigCgt     SignalSet // caught (a handler is installed)
	CapEff     uint64    // effective capabilities: what the kernel checks
	CapPrm     uint64    // permitted capabilities: what it could make effective
	CapBnd     uint64    // bounding set: the most any exec could gain
	Groups     []int     // supplementary groups
	NoNewPrivs bool
	NSpid      []int // the PID in each nested PID namespace, outermost first (Linux 4.1+)
	Threads    int
}

// ParseStatus parses the contents of /proc/PID/status. Unknown lines are
// skipped, so newer kernels with more fields still parse.
func ParseStatus(b []byte) (Status, error) {
	s := Status{Umask: -1}
	seen := false
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		key, val, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		v := string(bytes.TrimSpace(val))
		var err error
		switch string(key) {
		case "Name":
			s.Name, seen = v, true
		case "Umask":
			var u uint64
			u, err = strconv.ParseUint(v, 8, 32)
			s.Umask = int(u)
		case "Uid":
			s.UID, err = parseIDs(v)
		case "Gid":
			s.GID, err = parseIDs(v)
		case "Tgid":
			s.Tgid, err = strconv.Atoi(v)
		case "Pid":
			s.PID, err = strconv.Atoi(v)
		case "PPid":
			s.PPID, err = strconv.Atoi(v)
		case "TracerPid":
			s.TracerPid, err = strconv.Atoi(v)
		case "SigPnd":
			s.SigPnd, err = parseMask(v)
		case "ShdPnd":
			s.ShdPnd, err = parseMask(v)
		case "SigBlk":
			s.SigBlk, err = parseMask(v)
		case "SigIgn":
			s.SigIgn, err = parseMask(v)
		case "SigCgt":
			s.SigCgt, err = parseMask(v)
		case "CapEff":
			s.CapEff, err = strconv.ParseUint(v, 16, 64)
		case "CapPrm":
			s.CapPrm, err = strconv.ParseUint(v, 16, 64)
		case "CapBnd":
			s.CapBnd, err = strconv.ParseUint(v, 16, 64)
		case "Groups":
			for _, f := range bytes.Fields(val) {
				n, e := strconv.Atoi(string(f))
				if e != nil {
					err = e
					break
				}
				s.Groups = append(s.Groups, n)
			}
		case "NoNewPrivs":
			s.NoNewPrivs = v == "1"
		case "Threads":
			s.Threads, err = strconv.Atoi(v)
		case "NSpid":
			for _, f := range bytes.Fields(val) {
				n, e := strconv.Atoi(string(f))
				if e != nil {
					err = e
					break
				}
				s.NSpid = append(s.NSpid, n)
			}
		}
		if err != nil {
			return s, fmt.Errorf("bad %s line %q", key, clip(line))
		}
	}
	if !seen {
		return s, fmt.Errorf("no Name line in %q", clip(b))
	}
	return s, nil
}

// Pending is the set of signals sent but not yet delivered: to this thread
// (SigPnd) or to the process (ShdPnd). A signal leaves it once a thread that
// does not block it takes it and acts on it (default, ignore or handler).
func (s Status) Pending() SignalSet { return s.SigPnd | s.ShdPnd }

// NamespacePID is the PID the process has in its own (innermost) PID
// namespace: the last NSpid entry, or 0 when the kernel doesn't show NSpid.
func (s Status) NamespacePID() int {
	if len(s.NSpid) == 0 {
		return 0
	}
	return s.NSpid[len(s.NSpid)-1]
}

// IsNamespaceInit reports whether the process is PID 1 of a PID namespace
// nested inside the reader's (NSpid "812 1"): the kernel drops every signal
// it has no handler for, whoever sends it, except SIGKILL and SIGSTOP sent
// from an ancestor namespace (pid_namespaces(7)). The machine's own PID 1
// (NSpid "1") is not counted: ask Stat.PID for that.
func (s Status) IsNamespaceInit() bool {
	return len(s.NSpid) > 1 && s.NamespacePID() == 1
}

// IsThread reports whether the status is that of a thread other than its
// group's leader: /proc/TID works for any thread ID, though readdir of /proc
// lists only leaders.
func (s Status) IsThread() bool { return s.Tgid != 0 && s.PID != 0 && s.Tgid != s.PID }

func parseIDs(v string) ([4]int, error) {
	var ids [4]int
	f := bytes.Fields([]byte(v))
	if len(f) != 4 {
		return ids, fmt.Errorf("want 4 ids, got %d", len(f))
	}
	for i := range f {
		n, err := strconv.Atoi(string(f[i]))
		if err != nil {
			return ids, err
		}
		ids[i] = n
	}
	return ids, nil
}

func parseMask(v string) (SignalSet, error) {
	m, err := strconv.ParseUint(v, 16, 64)
	return SignalSet(m), err
}

// StatusLine returns the line of a status file that starts with key and a
// colon, for showing the evidence as read ("SigIgn:\t0000000000000001").
func StatusLine(b []byte, key string) string {
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		if k, _, ok := bytes.Cut(line, []byte{':'}); ok && string(k) == key {
			return string(line)
		}
	}
	return ""
}

// ParseCmdline splits /proc/PID/cmdline on NUL bytes.
func ParseCmdline(b []byte) []string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil
	}
	parts := bytes.Split(b, []byte{0})
	args := make([]string, len(parts))
	for i, p := range parts {
		args[i] = string(p)
	}
	return args
}

// Cgroup is one line of /proc/PID/cgroup: "hierarchy-ID:controllers:path".
// On a cgroup v2 system there is one line, "0::/path".
type Cgroup struct {
	Hierarchy   int
	Controllers string
	Path        string
}

// ParseCgroup parses /proc/PID/cgroup.
func ParseCgroup(b []byte) ([]Cgroup, error) {
	var cgs []Cgroup
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		parts := bytes.SplitN(line, []byte{':'}, 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("bad cgroup line %q", clip(line))
		}
		h, err := strconv.Atoi(string(parts[0]))
		if err != nil {
			return nil, fmt.Errorf("bad cgroup hierarchy in %q", clip(line))
		}
		cgs = append(cgs, Cgroup{Hierarchy: h, Controllers: string(parts[1]), Path: string(parts[2])})
	}
	return cgs, nil
}
