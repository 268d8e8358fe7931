package inspect

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// Options change how Gather looks things up; the zero value reads the live
// system's user database.
type Options struct {
	// Names turns uids and gids into names; nil means the system's.
	Names Names
	// Observer is who asks; the zero value means dlab's own process when
	// the tree is the live /proc, and unknown for a fixture tree.
	Observer Observer
}

// Self is dlab's own process as an Observer: its ids decide whether its
// user's kill would be allowed, its process group whether dlab holds the
// terminal's foreground.
func Self() Observer {
	o := Observer{Known: true, UID: unix.Getuid(), EUID: unix.Geteuid(), PGID: unix.Getpgrp()}
	o.Root = o.EUID == 0
	if st, err := proc.Live().Stat(unix.Getpid()); err == nil {
		o.TTYNr = st.TTY
	}
	return o
}

// Gather reads the facts about pid. Only a missing or malformed stat is an
// error, and a process that exits (or whose PID is reused) while it is being
// read: what else can't be read is recorded in Facts.Unreadable and
// Facts.Hidden, never guessed.
func Gather(fs proc.FS, pid int) (Facts, error) {
	return GatherWith(fs, pid, Options{})
}

// GatherWith is Gather with options.
func GatherWith(fs proc.FS, pid int, opt Options) (Facts, error) {
	if pid <= 0 {
		return Facts{}, fmt.Errorf("%d is not a process ID: PIDs start at 1", pid)
	}
	if opt.Names == nil {
		opt.Names = SystemNames()
	}
	if !opt.Observer.Known && fs.Root == proc.Live().Root {
		opt.Observer = Self()
	}
	b, err := fs.ReadFile(pid, "stat")
	if err != nil {
		return Facts{}, err
	}
	st, err := proc.ParseStat(b)
	if err != nil {
		return Facts{}, fmt.Errorf("%s: %w", fs.Path(pid, "stat"), err)
	}
	g := &gatherer{fs: fs, pid: pid, opt: opt, st: st}
	g.f = Facts{
		PID: st.PID, Comm: st.Comm, State: string(st.State), PPID: st.PPID,
		SID: st.SID, PGID: st.PGID, TTY: proc.TTYName(st.TTY), TPGID: st.TPGID,
		SessionLeader: st.IsSessionLeader(), Foreground: st.InForeground(),
		StartTime: st.StartTime, Umask: -1, UID: -1, EUID: -1, GID: -1,
		TTYNr: st.TTY, Flags: st.Flags, Threads: st.NumThreads,
		LoginUID: -1, AuditSess: -1, SUID: -1, Observer: opt.Observer,
		raw: map[string]string{"stat": strings.TrimSpace(string(b))},
	}
	if st.SID > 0 {
		if leader, err := fs.Stat(st.SID); err == nil {
			g.leader = &leader
			g.f.SessionComm = leader.Comm
		}
	}
	g.status()
	g.cmdline()
	g.parentAndAncestry()
	g.parentFacts()
	g.boot()
	g.loginSession()
	g.cgroup()
	if g.userSpace() {
		g.files()
		g.exe()
		g.terminalHolder()
	}
	// A process that exited while it was read, or whose PID now belongs to
	// another process, must not be explained from a mix of both.
	again, err := fs.Stat(pid)
	if err != nil || again.StartTime != st.StartTime || (st.State != 'Z' && again.State == 'Z') {
		return Facts{}, exitedError{pid}
	}
	return g.f, nil
}

// ErrExited means the process exited, or its PID was reused, while dlab was
// reading it. It also matches proc.ErrGone.
var ErrExited = errors.New("exited while dlab was reading it")

type exitedError struct{ pid int }

func (e exitedError) Error() string {
	return fmt.Sprintf("process %d exited while dlab was reading it", e.pid)
}

func (e exitedError) Is(target error) bool { return target == ErrExited || target == proc.ErrGone }

type gatherer struct {
	fs  proc.FS
	pid int
	opt Options
	st  proc.Stat
	f   Facts

	leader *proc.Stat // the session leader's stat, read once; nil when gone
}

// userSpace is false for zombies and kernel threads, which have no files,
// working directory or executable to read.
func (g *gatherer) userSpace() bool {
	return !g.st.IsKernelThread() && g.st.State != 'Z' && g.st.State != 'X'
}

// unreadable records what could not be read and what would be needed. A
// file that is missing (ErrGone) is either a process exiting, which the final
// stat in GatherWith catches, or a kernel without it (loginuid without
// audit support).
func (g *gatherer) unreadable(key, what string, err error) {
	for _, k := range g.f.Hidden {
		if k == key {
			return
		}
	}
	g.f.Hidden = append(g.f.Hidden, key)
	msg := fmt.Sprintf("%s: %v", what, err)
	switch {
	case errors.Is(err, proc.ErrGone):
		msg = fmt.Sprintf("%s: not there (this kernel may not have it)", what)
	case errors.Is(err, proc.ErrPermission):
		msg = fmt.Sprintf("%s: permission denied (another user's process: run dlab as root, e.g. sudo dlab explain %d, or as its owner)", what, g.pid)
	}
	g.f.Unreadable = append(g.f.Unreadable, msg)
}

func (g *gatherer) status() {
	b, err := g.fs.ReadFile(g.pid, "status")
	if err != nil {
		g.unreadable("status", g.fs.Path(g.pid, "status"), err)
		return
	}
	s, err := proc.ParseStatus(b)
	if err != nil {
		g.unreadable("status", g.fs.Path(g.pid, "status"), err)
		return
	}
	f := &g.f
	for _, key := range []string{"Umask", "Uid", "Gid", "SigBlk", "SigIgn", "SigCgt", "CapEff", "NoNewPrivs", "NSpid", "TracerPid"} {
		if line := proc.StatusLine(b, key); line != "" {
			f.raw["status:"+key] = line
		}
	}
	f.Umask = s.Umask
	f.UID, f.EUID, f.SUID, f.GID = s.UID[0], s.UID[1], s.UID[2], s.GID[0]
	f.NSpid = s.NSpid
	// TracerPid: the process that ptrace-attached to it (strace, gdb), 0
	// for none. A traced process stops on every signal until the tracer
	// lets it go on.
	f.TracerPID = s.TracerPid
	if f.TracerPID > 0 {
		if t, err := g.fs.Stat(f.TracerPID); err == nil {
			f.TracerComm = t.Comm
		}
	}
	f.User = g.opt.Names.User(f.UID)
	f.Group = g.opt.Names.Group(f.GID)
	f.CapEff = s.CapEff
	f.NoNewPrivs = s.NoNewPrivs
	f.SigIgn, f.SigCgt, f.SigBlk = s.SigIgn.Names(), s.SigCgt.Names(), s.SigBlk.Names()
	// status's SigBlk is the main thread's mask; what holds a signal
	// pending is every thread blocking it (see proc.BlockedByEveryThread).
	if all, err := g.fs.BlockedByEveryThread(g.pid); err == nil && all != s.SigBlk {
		f.SigBlk, f.MainThreadSigBlk = all.Names(), s.SigBlk.Names()
	}
	f.Signals = map[string]string{}
	for _, sig := range []unix.Signal{unix.SIGHUP, unix.SIGINT, unix.SIGTERM} {
		f.Signals[proc.SignalName(sig)] = string(s.DispositionOf(sig))
	}
	// The Go runtime catches SIGURG for goroutine preemption; almost no
	// other program does, so it tells a Go program even when its
	// executable can't be read.
	if s.SigCgt.Has(unix.SIGURG) && len(f.SigCgt) >= 20 {
		f.GoHint = "SigCgt includes SIGURG and most other signals, as the Go runtime's handlers do"
	}
}

func (g *gatherer) cmdline() {
	args, err := g.fs.Cmdline(g.pid)
	if err != nil {
		g.unreadable("cmdline", g.fs.Path(g.pid, "cmdline"), err)
		return
	}
	g.f.Cmdline = args
}

func (g *gatherer) parentAndAncestry() {
	chain := Ancestry(g.fs, g.st)
	g.f.Ancestry = chain
	if len(chain) > 0 && chain[0].PID == g.st.PPID {
		g.f.ParentComm = chain[0].Comm
	}
}

// parentFacts reads the parent's command line (readable by everyone) and,
// where allowed, its executable: a supervisor is named by them.
func (g *gatherer) parentFacts() {
	p, ok := parentOf(g.f)
	if !ok {
		return
	}
	pf := &ParentFacts{PID: p.PID, Comm: p.Comm}
	if args, err := g.fs.Cmdline(p.PID); err == nil {
		pf.Cmdline = args
	}
	if exe, err := g.fs.Link(p.PID, "exe"); err == nil {
		pf.Exe = exe
	}
	g.f.Parent = pf
}

func (g *gatherer) boot() {
	g.f.StartedAt = proc.StartSeconds(g.st.StartTime)
	if up, err := g.fs.Uptime(); err == nil {
		g.f.Uptime = up
	} else {
		g.f.Hidden = append(g.f.Hidden, "uptime")
	}
	if one, err := g.fs.Stat(1); err == nil {
		g.f.PID1Comm = one.Comm
		g.f.PID1Start = proc.StartSeconds(one.StartTime)
	}
}

// loginSession reads the audit login uid and session: pam_loginuid sets them
// when a user logs in (login, sshd, cron), and every descendant inherits
// them; a process started by init at boot has neither (4294967295).
func (g *gatherer) loginSession() {
	const unset = 4294967295
	read := func(name string) int64 {
		n, err := g.fs.ReadID(g.pid, name)
		if err != nil {
			g.unreadable("loginuid", g.fs.Path(g.pid, name), err)
			return -1
		}
		g.f.raw[name] = strconv.FormatUint(n, 10)
		if n == unset {
			return -1
		}
		return int64(n)
	}
	g.f.LoginUID = read("loginuid")
	g.f.AuditSess = read("sessionid")
}

func (g *gatherer) cgroup() {
	b, err := g.fs.ReadFile(g.pid, "cgroup")
	if err != nil {
		g.unreadable("cgroup", g.fs.Path(g.pid, "cgroup"), err)
		return
	}
	cgs, err := proc.ParseCgroup(b)
	if err != nil {
		g.unreadable("cgroup", g.fs.Path(g.pid, "cgroup"), err)
		return
	}
	g.f.raw["cgroup"] = strings.TrimSpace(string(b))
	g.f.Cgroup, g.f.CgroupKind, g.f.CgroupUnit = ClassifyCgroup(cgs)
}

// files reads fds 0-2, the working directory and the sockets. An fd link
// the kernel refuses to show (EACCES) is not a closed fd: it is recorded as
// denied, and only a missing link (ENOENT) means closed.
func (g *gatherer) files() {
	fds, err := g.fs.FDs(g.pid)
	if err != nil {
		g.unreadable("fds", g.fs.Path(g.pid, "fd"), err)
	}
	var sockets map[uint64]int
	for _, fd := range fds {
		if !fd.Readable() {
			// Open but refused (EACCES): not closed, and maybe a socket
			// that listens, so neither that fd nor the sockets are known.
			if fd.Num <= 2 {
				g.f.FDDenied[fd.Num] = true
			}
			g.unreadable("fd-links", g.fs.Path(g.pid, "fd/"+strconv.Itoa(fd.Num)), fd.Err)
			g.unreadable("sockets", g.fs.Path(g.pid, "fd/"+strconv.Itoa(fd.Num)), fd.Err)
			continue
		}
		if fd.Num <= 2 {
			g.f.FD[fd.Num] = fd.Target
			g.f.raw["fd/"+strconv.Itoa(fd.Num)] = fd.Target
		}
		if ino, ok := proc.SocketInode(fd.Target); ok {
			if sockets == nil {
				sockets = map[uint64]int{}
			}
			sockets[ino] = fd.Num
		}
	}
	if cwd, err := g.fs.Link(g.pid, "cwd"); err == nil {
		g.f.Cwd = cwd
	} else {
		g.unreadable("cwd", g.fs.Path(g.pid, "cwd"), err)
	}
	if len(sockets) == 0 {
		return
	}
	socks, err := g.fs.Sockets(g.pid)
	if err != nil {
		g.unreadable("sockets", g.fs.Path(g.pid, "net"), err)
		return
	}
	for _, s := range socks {
		fd, ok := sockets[s.Inode]
		if !ok {
			continue
		}
		role := SocketRole(s)
		if role == "" {
			continue
		}
		l := Listener{Proto: s.Proto, Addr: s.Local, Port: s.Port, FD: fd, Inode: s.Inode, Role: role}
		if role != RoleClient {
			g.f.Listening = append(g.f.Listening, l)
		} else {
			g.f.Bound = append(g.f.Bound, l)
		}
		g.f.raw["net:"+strconv.FormatUint(s.Inode, 10)] = s.Line
	}
}

// exe reads the executable's path and, when it is a Go program, its Go
// version: the Go runtime catches nearly every signal, which changes what
// SigCgt means.
func (g *gatherer) exe() {
	exe, err := g.fs.Link(g.pid, "exe")
	if err != nil {
		g.unreadable("exe", g.fs.Path(g.pid, "exe"), err)
		return
	}
	g.f.Exe = exe
	// The kernel appends " (deleted)" to the link of an executable that was
	// removed or replaced (a package upgrade) since the process started.
	g.f.ExeDeleted = proc.ParseExeLink(exe).Deleted
	if bi, err := buildinfo.ReadFile(g.fs.Path(g.pid, "exe")); err == nil {
		g.f.GoVersion = bi.GoVersion
		g.f.GoHint = "its executable carries Go build information (" + bi.GoVersion + ")"
	} else if g.f.GoHint != "" {
		g.f.GoVersion = "unknown"
	}
}

// terminalHolder finds who holds the master side of the process's
// pseudo-terminal: usually the parent of the session leader (sshd, tmux,
// a terminal emulator). dlab confirms it in the holder's fdinfo, where the
// kernel shows a ptmx fd's terminal as "tty-index".
func (g *gatherer) terminalHolder() {
	idx, ok := ptsIndex(g.st.TTY)
	if !ok {
		return
	}
	if g.leader == nil || g.leader.PPID <= 0 {
		return
	}
	cand, err := g.fs.Stat(g.leader.PPID)
	if err != nil {
		return
	}
	h := &Holder{PID: cand.PID, Comm: cand.Comm}
	g.f.TermHolder = h
	fds, err := g.fs.FDs(cand.PID)
	if err != nil {
		return
	}
	for _, fd := range fds {
		if fd.Target != "/dev/ptmx" && fd.Target != "/dev/pts/ptmx" {
			continue
		}
		info, err := g.fs.ReadFile(cand.PID, "fdinfo/"+strconv.Itoa(fd.Num))
		if err != nil {
			continue
		}
		line := proc.StatusLine(info, "tty-index")
		if _, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(v) == strconv.Itoa(idx) {
			h.Confirmed = true
			n := strconv.Itoa(fd.Num)
			g.f.raw["holder"] = fmt.Sprintf("%s -> %s; %s %s", proc.Source(cand.PID, "fd/"+n), fd.Target, proc.Source(cand.PID, "fdinfo/"+n), line)
			return
		}
	}
}

// ptsIndex returns N for a tty_nr of /dev/pts/N (majors 136-143).
func ptsIndex(ttyNr int) (int, bool) {
	major := (ttyNr >> 8) & 0xfff
	minor := (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00)
	if major < 136 || major > 143 {
		return 0, false
	}
	return (major-136)*256 + minor, true
}
