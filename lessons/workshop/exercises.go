package workshop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"dlab/demos/core/grade"
	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
)

// exercises by ID; the plan puts them after their lessons.
var exercises = map[string]*Exercise{}

func init() {
	for _, e := range []*Exercise{
		yourShell, findDaemon, zombie, daemonizeScript, redirect, cwdUmask,
		stoppedJob, surviveHangup, stopByPIDFile, portOwner, logFile, reload,
	} {
		exercises[e.ID] = e
	}
}

func fixed(s string) func(*Env) string { return func(*Env) string { return s } }

func fixedHints(h ...string) func(*Env) []string { return func(*Env) []string { return h } }

var yourShell = &Exercise{
	ID:     "your-shell",
	Title:  "find your own shell",
	Task:   fixed("Find the PID of the shell you are typing in, and give it to dlab. dlab says what makes it a normal process."),
	Answer: "dlab workshop check PID",
	Hints: fixedHints(
		"The shell knows its own PID: it keeps it in a special parameter.",
		"echo $$ prints it; so: dlab workshop check $$",
	),
	Check: pidCheck("dlab workshop check $$", func(env *Env, pid int, r inspect.Report) Outcome {
		f := r.Facts
		mine := false
		for _, a := range env.ancestors() {
			if a.PID == pid {
				mine = true
			}
		}
		o := Outcome{Seen: []string{
			fmt.Sprintf("PID %d is %s; dlab's verdict: %s", pid, f.Comm, r.Verdict),
			fmt.Sprintf("controlling terminal: %s; session %d%s", f.TTY, f.SID, map[bool]string{true: ", which it leads", false: ""}[f.SessionLeader]),
		}}
		switch {
		case !mine:
			o.Summary = fmt.Sprintf("%d is not the shell you ran dlab from (that one is an ancestor of dlab: see ps -o pid,comm -p $$)", pid)
		case !isShell(f.Comm):
			o.Summary = fmt.Sprintf("%d (%s) started dlab, but it is not a shell; give the PID of the shell itself", pid, f.Comm)
		case !f.HasTTY():
			o.Passed = true
			o.Summary = fmt.Sprintf("yes, %d is your shell; it has no controlling terminal (run over ssh without a pty, or by a program?), so dlab's verdict is %s: a missing terminal is evidence, not proof", pid, r.Verdict)
		default:
			o.Passed = true
			o.Summary = fmt.Sprintf("yes, %d is your shell: a normal process with the controlling terminal %s; ^C, ^Z and a hang-up of that terminal reach it or its jobs", pid, f.TTY)
			if f.SessionLeader {
				o.Summary += ", and as the session leader it is the one the kernel sends the hang-up to"
			}
		}
		return o
	}),
}

var findDaemon = &Exercise{
	ID:     "find-daemon",
	Title:  "find a daemon",
	Task:   fixed("Find a daemon running on this machine that dlab did not start (not a kernel thread), and give dlab its PID."),
	Answer: "dlab workshop check PID",
	Hints: fixedHints(
		"A daemon has no controlling terminal: ps shows ? in the TTY column. So do kernel threads, whose names ps shows in [brackets].",
		"ps -e -o tty=,pid=,comm= | awk '$1==\"?\"' lists the processes without a terminal; pick one with a real command line and check it with dlab explain PID.",
	),
	Check: pidCheck("dlab workshop check PID", func(env *Env, pid int, r inspect.Report) Outcome {
		o := Outcome{Seen: []string{fmt.Sprintf("PID %d (%s): %s", pid, r.Facts.Comm, r.Summary)}}
		switch {
		case env.Started != nil && env.Started(pid):
			o.Summary = fmt.Sprintf("%d is a daemon dlab started for a demo: find one that was already running", pid)
		case r.Verdict == inspect.Daemon:
			o.Passed = true
			o.Summary = fmt.Sprintf("yes, %d (%s) is a daemon", pid, r.Facts.Comm)
		case r.Verdict == inspect.KernelThread:
			o.Summary = fmt.Sprintf("%d is a kernel thread: it has no terminal either, but it is part of the kernel, not a program that was started; look for one with a command line", pid)
		default:
			o.Summary = fmt.Sprintf("%d is not a daemon: dlab's verdict is %s", pid, r.Verdict)
		}
		return o
	}),
}

var zombie = &Exercise{
	ID:     "zombie",
	Title:  "make a zombie",
	Task:   fixed("Make a zombie process: a child that has exited but that its parent has not waited for. Give dlab the zombie's PID."),
	Answer: "dlab workshop check PID",
	Hints: fixedHints(
		"You need a parent that never calls wait(). A program that knows nothing of children, such as sleep, is one.",
		"A subshell that starts a short child and then becomes sleep: ( sleep 1 & exec sleep 600 ) &",
		"After a second: ps -o pid,stat,comm --ppid $! shows the child with STAT Z. Give that PID.",
	),
	Check: pidCheck("dlab workshop check PID", func(env *Env, pid int, r inspect.Report) Outcome {
		f := r.Facts
		o := Outcome{Seen: []string{fmt.Sprintf("PID %d (%s), state %s, parent %d (%s)", pid, f.Comm, f.State, f.PPID, f.ParentComm)}}
		if r.Verdict != inspect.Zombie {
			o.Summary = fmt.Sprintf("%d is not a zombie (its state is %s, not Z): it is still running", pid, f.State)
			return o
		}
		o.Passed = true
		o.Summary = fmt.Sprintf("yes, %d is a zombie: it has exited, and stays in the process table until its parent %d (%s) calls wait(). End the parent (kill %d) and the zombie is adopted by PID 1 or a subreaper, which reaps it", pid, f.PPID, f.ParentComm, f.PPID)
		return o
	}),
}

var daemonizeScript = &Exercise{
	ID:    "daemonize-script",
	Title: "turn a script into a daemon",
	Task: func(env *Env) string {
		return fmt.Sprintf("Turn a script that runs in the foreground into a SysV daemon: fork, setsid, fork again, stdio on /dev/null, cd /, a umask, a PID file, and a clean exit on SIGTERM that removes the PID file. A starter is in %s:\n    cp %s ./worker.sh\nThen let dlab grade it, with the same grader as dlab check.", starterPath(env), starterPath(env))
	},
	Answer: "dlab workshop check ./worker.sh [ARGS...]",
	Slow:   true,
	Hints: fixedHints(
		"setsid(1) calls setsid() for you when it is not a process group leader; a command run with & in a script is not one. So: setsid sh -c '...' & gives the fork and the new session.",
		"Inside that, a subshell ( ... ) & is the second fork; in it: exec </dev/null >/dev/null 2>&1; umask 027; cd /; echo $$ is the wrong PID there (use sh -c 'echo $PPID' or bash's $BASHPID) > your PID file.",
		"trap 'rm -f \"$pidfile\"; exit 0' TERM, and keep the loop running: while :; do sleep 1; done. Pass the PID file's path as an argument ending in .pid so dlab finds it.",
	),
	Prepare: func(ctx context.Context, env *Env) error {
		p := starterPath(env)
		if _, err := os.Stat(p); err == nil {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("cannot write the starter script: %w", err)
		}
		return os.WriteFile(p, []byte(starterScript), 0o755)
	},
	Check: func(ctx context.Context, env *Env, args []string) (Outcome, error) {
		if len(args) == 0 {
			return Outcome{}, errors.New("give your program and its arguments: dlab workshop check ./worker.sh")
		}
		r, err := env.Grade(ctx, grade.Options{Command: args})
		if err != nil {
			return Outcome{}, err
		}
		o := Outcome{Passed: r.Passed, Grade: &r}
		for _, it := range r.Items {
			if it.Status == grade.Fail || it.Status == grade.Warn {
				o.Seen = append(o.Seen, fmt.Sprintf("%s %s: %s", strings.ToUpper(string(it.Status)), it.Title, it.Observed))
			}
		}
		o.Summary = strings.TrimPrefix(strings.TrimPrefix(r.Summary, "PASS: "), "FAIL: ")
		if r.Aborted {
			return o, context.Canceled
		}
		return o, nil
	},
}

var redirect = &Exercise{
	ID:     "redirect",
	Title:  "stdio off the terminal",
	Task:   fixed("Start a long-running command in the background with its stdin, stdout and stderr all away from your terminal (a file, /dev/null), and give dlab its PID."),
	Answer: "dlab workshop check PID",
	Hints: fixedHints(
		"Redirections apply to the command they follow: < for fd 0, > for fd 1, 2> (or 2>&1) for fd 2.",
		"sleep 600 </dev/null >/tmp/out.log 2>&1 &   then: dlab workshop check $!",
	),
	Check: pidCheck("dlab workshop check $!", func(env *Env, pid int, r inspect.Report) Outcome {
		f := r.Facts
		o := Outcome{Seen: fdLines(f)}
		var on []string
		for i, t := range f.FD {
			if proc.IsTerminalDevice(t) {
				on = append(on, fmt.Sprint(i))
			}
		}
		if len(on) > 0 {
			o.Summary = fmt.Sprintf("fd %s of %d still point at a terminal: redirect each of 0, 1 and 2", strings.Join(on, ", "), pid)
			return o
		}
		o.Passed = true
		o.Summary = fmt.Sprintf("yes: none of %d's stdin, stdout and stderr is a terminal, so a hang-up can't make its reads and writes fail", pid)
		if f.HasTTY() {
			o.Summary += fmt.Sprintf("; it still has the controlling terminal %s, a separate tie that only setsid() cuts", f.TTY)
		}
		return o
	}),
}

var cwdUmask = &Exercise{
	ID:     "cwd-umask",
	Title:  "cwd / and umask 077",
	Task:   fixed("Start a long-running command whose working directory is / and whose umask is 077, without changing your shell's own, and give dlab its PID."),
	Answer: "dlab workshop check PID",
	Hints: fixedHints(
		"Both are inherited from the parent at fork, so change them in a subshell, just before the command starts.",
		"( cd / && umask 077 && exec sleep 600 ) &   then: dlab workshop check $!",
	),
	Check: pidCheck("dlab workshop check $!", func(env *Env, pid int, r inspect.Report) Outcome {
		f := r.Facts
		um := "unknown"
		if f.Umask >= 0 {
			um = fmt.Sprintf("%04o", f.Umask)
		}
		o := Outcome{Seen: []string{"cwd " + orUnknown(f.Cwd), "umask " + um}}
		switch {
		case f.Cwd != "/":
			o.Summary = fmt.Sprintf("%d's working directory is %s, not /", pid, orUnknown(f.Cwd))
		case f.Umask != 0o077:
			o.Summary = fmt.Sprintf("%d's umask is %s, not 0077", pid, um)
		default:
			o.Passed = true
			o.Summary = fmt.Sprintf("yes: %d holds no directory but / (nothing to block an unmount), and files it creates get no permissions for group or others", pid)
		}
		return o
	}),
}

// foregroundLine says which process group has the terminal; while the
// student runs dlab, that is dlab's own.
func foregroundLine(f inspect.Facts) string {
	fg := fmt.Sprint(f.TPGID)
	if f.TPGID == syscall.Getpgrp() {
		fg += ", dlab's own while you run it"
	}
	return fmt.Sprintf("process group %d; the terminal's foreground group: %s", f.PGID, fg)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

var stoppedJob = &Exercise{
	ID:     "stopped-job",
	Title:  "stop a job with ^Z",
	Task:   fixed("Run a command in the foreground, stop it with ^Z, and give dlab its PID."),
	Answer: "dlab workshop check PID",
	Hints: fixedHints(
		"^Z makes the terminal driver send SIGTSTP to the foreground process group.",
		"sleep 600, then ^Z, then jobs -l shows its PID: dlab workshop check PID. Afterwards, fg resumes it (SIGCONT), kill %1 ends it.",
	),
	Check: pidCheck("dlab workshop check PID", func(env *Env, pid int, r inspect.Report) Outcome {
		f := r.Facts
		o := Outcome{Seen: []string{
			fmt.Sprintf("state %s", f.State),
			foregroundLine(f),
		}}
		if f.State != "T" {
			o.Summary = fmt.Sprintf("%d is not stopped (state %s, not T)", pid, f.State)
			return o
		}
		o.Passed = true
		o.Summary = fmt.Sprintf("yes: %d is stopped (T). ^Z made the terminal send SIGTSTP to its whole process group, and your shell took the terminal back; fg sends SIGCONT and gives the terminal to the job again", pid)
		return o
	}),
}

var surviveHangup = &Exercise{
	ID:     "survive-hangup",
	Title:  "survive the terminal closing",
	Task:   fixed("Start a process that would survive closing your terminal, then give dlab its PID. dlab says how you did it and whether it really survives a hang-up."),
	Answer: "dlab workshop check PID",
	Hints: fixedHints(
		"Any of the lesson's tools works: nohup, setsid, tmux or screen, or a real daemon. Each gets there differently.",
		"nohup sleep 600 &  or  setsid sleep 600 </dev/null >/dev/null 2>&1 &  or  tmux new -d sleep 600, then find the PID with pgrep -n sleep.",
	),
	Check: pidCheck("dlab workshop check PID", func(env *Env, pid int, r inspect.Report) Outcome {
		return hangupOutcome(r, env.ownTTY())
	}),
}

// hangupOutcome says how a process was detached and whether it survives its
// terminal hanging up, from the facts alone. yours is the student's own
// terminal ("pts/3"): a process on it is judged by what the hang-up of that
// terminal does, even when a tmux server holds it (the student works inside
// tmux, and closing "the terminal" then means that pane).
func hangupOutcome(r inspect.Report, yours string) Outcome {
	f := r.Facts
	tty := f.TTY
	if tty == yours && proc.HasTTYName(tty) {
		tty += " (yours)"
	}
	o := Outcome{Seen: []string{
		fmt.Sprintf("PID %d (%s): controlling terminal %s, session %d%s, SIGHUP %s", f.PID, f.Comm, tty, f.SID,
			map[bool]string{true: " (it leads it)", false: ""}[f.SessionLeader], orUnknown(f.Signals["SIGHUP"])),
	}}
	// dlab explain's prediction is about the process's own terminal; on
	// the student's terminal, the question is that terminal's hang-up.
	for _, p := range r.Predictions {
		if p.Event == inspect.EventTerminalCloses && f.TTY != yours {
			o.Seen = append(o.Seen, "when its terminal closes: "+p.Outcome)
		}
	}
	hasTTY := f.HasTTY()
	var onTTY bool
	for _, t := range f.FD {
		onTTY = onTTY || proc.IsTerminalDevice(t)
	}
	holder := f.TermHolder
	switch {
	case r.Verdict == inspect.Zombie:
		o.Summary = fmt.Sprintf("%d has already exited (a zombie)", f.PID)
	case !hasTTY && !f.SessionLeader:
		o.Passed = true
		o.Summary = "a daemon's way: no controlling terminal and not a session leader (it forked again after setsid()), so no hang-up can reach it"
	case !hasTTY:
		o.Passed = true
		o.Summary = "setsid: it leads a new session with no controlling terminal, so the hang-up is not sent to it"
	case f.TTY != yours && holder != nil && (strings.HasPrefix(holder.Comm, "tmux") || strings.EqualFold(holder.Comm, "screen")):
		server := "screen"
		if strings.HasPrefix(holder.Comm, "tmux") {
			server = "tmux"
		}
		o.Passed = true
		o.Summary = fmt.Sprintf("%s: it runs on %s, a pseudo-terminal held by the %s server (PID %d), not on your terminal; closing yours doesn't hang that one up. It is not a daemon: the server is", server, f.TTY, server, holder.PID)
		return o
	case f.Disposition(syscall.SIGHUP) == proc.Ignored:
		o.Passed = true
		o.Summary = "nohup: it ignores SIGHUP, so the hang-up does not kill it; but it still has your terminal and is still in your session and your shell's job table: it is not a daemon"
	case f.Disposition(syscall.SIGHUP) == proc.Caught:
		o.Summary = "it catches SIGHUP: whether it survives the hang-up depends on what its handler does; use nohup, setsid or tmux to be sure"
	default:
		o.Summary = fmt.Sprintf("it would die: it has the controlling terminal %s and SIGHUP's default action, and the hang-up reaches it through the session leader (your shell passes SIGHUP to its jobs, unless you disowned this one: dlab can't see your shell's job table)", f.TTY)
	}
	if o.Passed && onTTY && hasTTY {
		o.Summary += ". Its stdio is still on the terminal: after the hang-up its reads and writes there fail"
	} else if o.Passed && onTTY {
		o.Summary += ". But its stdio is still on your terminal: after the hang-up its reads and writes there fail (redirect them)"
	}
	return o
}

var stopByPIDFile = &Exercise{
	ID:    "stop-by-pidfile",
	Title: "stop a daemon by its PID file",
	Task: func(env *Env) string {
		d := env.Progress.Demo
		if d == nil {
			return "Stop the demo daemon cleanly, using its PID file."
		}
		return fmt.Sprintf("dlab's demo daemon is running and wrote its PID file to\n    %s\nStop it cleanly (with SIGTERM, so it can remove that file), using the PID file rather than looking the PID up by hand.", d.PIDFile)
	},
	Answer: "dlab workshop check",
	Hints: func(env *Env) []string {
		pf := "PIDFILE"
		if d := env.Progress.Demo; d != nil {
			pf = d.PIDFile
		}
		return []string{
			"kill sends SIGTERM unless told otherwise; the PID file holds the PID as text.",
			fmt.Sprintf("kill $(cat %s)   or   pkill -F %s", pf, pf),
		}
	},
	Prepare: func(ctx context.Context, env *Env) error {
		_, err := env.demo(ctx)
		return err
	},
	Check: func(ctx context.Context, env *Env, args []string) (Outcome, error) {
		d := env.Progress.Demo
		if d == nil {
			return Outcome{}, errors.New("no demo daemon was started for this step: run 'dlab workshop' first")
		}
		o := Outcome{}
		// Asked right after the kill, the daemon may still be shutting down.
		for deadline := time.Now().Add(5 * time.Second); d.Alive(env.FS) && d.Count("shutting down on SIGTERM") > 0 && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		if d.Alive(env.FS) {
			o.Seen = append(o.Seen, fmt.Sprintf("PID %d is still running", d.PID))
			o.Summary = "the demo daemon is still running: send it SIGTERM, using the PID in " + d.PIDFile
			return o, nil
		}
		_, err := os.Stat(d.PIDFile)
		gone := errors.Is(err, os.ErrNotExist)
		o.Seen = append(o.Seen, fmt.Sprintf("PID %d has exited", d.PID), fmt.Sprintf("%s %s", d.PIDFile, map[bool]string{true: "is gone", false: "is still there"}[gone]))
		if d.Count("shutting down on SIGTERM") == 0 {
			o.Summary = "the daemon is gone, but its log doesn't say it shut down on SIGTERM: was it killed with kill -9? SIGKILL gives it no chance to clean up"
			env.Progress.Demo = nil
			return o, nil
		}
		o.Passed = true
		o.Summary = "yes: it got SIGTERM, logged that it was shutting down, and removed its PID file; a later exercise starts a fresh one"
		env.Progress.Demo = nil
		return o, nil
	},
}

var portOwner = &Exercise{
	ID:    "port-owner",
	Title: "who listens on this port?",
	Task: func(env *Env) string {
		port := "a port"
		if d := env.Progress.Demo; d != nil {
			port = fmt.Sprint(d.Port())
		}
		return fmt.Sprintf("Something listens on 127.0.0.1:%s. Find the process, and say whether it is a daemon or a normal process.", port)
	},
	Answer: "dlab workshop check PID daemon|normal",
	Hints: func(env *Env) []string {
		port := "PORT"
		if d := env.Progress.Demo; d != nil {
			port = fmt.Sprint(d.Port())
		}
		return []string{
			"ss and lsof map sockets to processes: ss -ltnp, lsof -i.",
			fmt.Sprintf("ss -ltnp 'sport = :%s' names the process; then dlab explain PID says what it is.", port),
		}
	},
	Prepare: func(ctx context.Context, env *Env) error {
		_, err := env.demo(ctx)
		return err
	},
	Check: func(ctx context.Context, env *Env, args []string) (Outcome, error) {
		usage := "dlab workshop check PID daemon|normal"
		pid, err := parsePID(args, usage)
		if err != nil {
			return Outcome{}, err
		}
		if len(args) < 2 || (args[1] != "daemon" && args[1] != "normal") {
			return Outcome{}, fmt.Errorf("say also whether it is a daemon or a normal process: %s", usage)
		}
		d, err := env.demo(ctx)
		if err != nil {
			return Outcome{}, err
		}
		port := d.Port()
		owner, err := inspect.ListenerOn(env.FS, port)
		if err != nil {
			return Outcome{Summary: fmt.Sprintf("dlab could not find who listens on port %d: %v", port, err)}, nil
		}
		o := Outcome{}
		if !containsInt(owner.Holders, pid) {
			o.Summary = fmt.Sprintf("%d does not hold a socket listening on port %d", pid, port)
			return o, nil
		}
		r, bad := env.explain(pid)
		if bad != nil {
			return *bad, nil
		}
		o.Seen = []string{fmt.Sprintf("PID %d (%s) listens on port %d", pid, r.Facts.Comm, port), r.Summary}
		if string(r.Verdict) != args[1] {
			o.Summary = fmt.Sprintf("right process, but it is not a %s process: run dlab explain %d and look at its terminal and session", args[1], pid)
			if args[1] == "normal" {
				o.Summary = fmt.Sprintf("right process, but it is not a normal process: run dlab explain %d and look at its terminal and session", pid)
			}
			return o, nil
		}
		o.Passed = true
		o.Summary = fmt.Sprintf("yes: %d (%s) listens on port %d, and it is a %s", pid, r.Facts.Comm, port, r.Verdict)
		return o, nil
	},
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

var logFile = &Exercise{
	ID:    "log-file",
	Title: "find a daemon's log",
	Task: func(env *Env) string {
		pid := "dlab's demo daemon"
		if d := env.Progress.Demo; d != nil {
			pid = fmt.Sprintf("dlab's demo daemon (PID %d)", d.PID)
		}
		return fmt.Sprintf("%s writes a log file. Find its path by looking only at what the process has open in /proc, and give it to dlab.", pid)
	},
	Answer: "dlab workshop check PATH",
	Hints: func(env *Env) []string {
		pid := "PID"
		if d := env.Progress.Demo; d != nil {
			pid = fmt.Sprint(d.PID)
		}
		return []string{
			"Every open file of a process is a symbolic link in /proc/PID/fd.",
			fmt.Sprintf("ls -l /proc/%s/fd: fds 0-2 go to /dev/null; the log is the file opened for writing (lsof -p %s says the same)", pid, pid),
		}
	},
	Prepare: func(ctx context.Context, env *Env) error {
		_, err := env.demo(ctx)
		return err
	},
	Check: func(ctx context.Context, env *Env, args []string) (Outcome, error) {
		if len(args) != 1 {
			return Outcome{}, errors.New("give the log file's path: dlab workshop check PATH")
		}
		d, err := env.demo(ctx)
		if err != nil {
			return Outcome{}, err
		}
		got, _ := filepath.Abs(args[0])
		if r, err := filepath.EvalSymlinks(got); err == nil {
			got = r
		}
		want := d.LogFile
		if r, err := filepath.EvalSymlinks(want); err == nil {
			want = r
		}
		if got != want {
			return Outcome{Summary: fmt.Sprintf("%s is not the file the demo daemon (PID %d) logs to", args[0], d.PID)}, nil
		}
		return Outcome{Passed: true, Seen: []string{fmt.Sprintf("PID %d has %s open for writing", d.PID, d.LogFile)},
			Summary: "yes: a SysV daemon has no stderr to write to (it is on /dev/null), so it keeps its own log file open; a new-style daemon would write to stderr and let the service manager keep the log"}, nil
	},
}

var reload = &Exercise{
	ID:    "reload",
	Title: "make a daemon reload",
	Task: func(env *Env) string {
		pf := "its PID file"
		if d := env.Progress.Demo; d != nil {
			pf = d.PIDFile
		}
		return fmt.Sprintf("Make dlab's demo daemon reload its configuration, without stopping it. Its PID is in %s.", pf)
	},
	Answer: "dlab workshop check",
	Hints: func(env *Env) []string {
		pf := "PIDFILE"
		if d := env.Progress.Demo; d != nil {
			pf = d.PIDFile
		}
		return []string{
			"By a convention of daemons, not of the kernel, one signal means 'reload'. It is the one a terminal sends when it hangs up.",
			fmt.Sprintf("kill -HUP $(cat %s)", pf),
		}
	},
	Prepare: func(ctx context.Context, env *Env) error {
		d, err := env.demo(ctx)
		if err != nil {
			return err
		}
		if env.Step.BaselinePID != d.PID {
			env.Step.Baseline, env.Step.BaselinePID = d.Count("reloaded configuration"), d.PID
		}
		return nil
	},
	Check: func(ctx context.Context, env *Env, args []string) (Outcome, error) {
		d := env.Progress.Demo
		if !d.Alive(env.FS) {
			if _, err := env.demo(ctx); err != nil {
				return Outcome{}, err
			}
			env.Step.Baseline, env.Step.BaselinePID = env.Progress.Demo.Count("reloaded configuration"), env.Progress.Demo.PID
			return Outcome{Summary: "the demo daemon is not running any more (a signal whose default action is to terminate ended it?); dlab started a new one: try again, without ending it"}, nil
		}
		if env.Step.BaselinePID != d.PID {
			env.Step.Baseline, env.Step.BaselinePID = 0, d.PID
		}
		// A SIGHUP sent a moment ago may still be in the daemon's hands.
		n := d.Count("reloaded configuration")
		for deadline := time.Now().Add(time.Second); n <= env.Step.Baseline && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
			n = d.Count("reloaded configuration")
		}
		o := Outcome{Seen: []string{fmt.Sprintf("PID %d is still running; its log has %d 'reloaded configuration' line(s), %d before this step", d.PID, n, env.Step.Baseline)}}
		if n <= env.Step.Baseline {
			o.Summary = "its log says no reload since this step began"
			return o, nil
		}
		o.Passed = true
		o.Summary = "yes: SIGHUP made it re-read its configuration and it kept running. To a normal process, the same signal usually means the end"
		return o, nil
	},
}
