package catalog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
	"dlab/demos/lab/compare"
	"dlab/demos/lab/normal"
	"dlab/demos/lab/sysv"
)

func init() {
	register(Demo{Name: "compare", Shows: "a real normal process and a real daemon, side by side, every row of the table", run: compareDemo})
	register(Demo{Name: "signals", Shows: "SIGTERM, SIGHUP, SIGINT, SIGKILL, ^C and a hang-up, each on a fresh normal process and daemon", run: signalsDemo})
	register(Demo{Name: "hangup", Shows: "the terminal of a normal process, a background job of a real shell, closes: the shell gets SIGHUP from the kernel, bash passes it on; the daemon gets nothing", run: hangupDemo})
	register(Demo{Name: "fds", Shows: "the open file descriptors of a normal process and of a daemon", run: fdsDemo})
	register(Demo{Name: "cwd-umask", Shows: "the working directory and umask of a normal process and of a daemon", run: cwdUmaskDemo})
}

// demoLifetime bounds the processes a demo starts, should dlab die before it
// can end them.
const demoLifetime = 10 * time.Minute

func compareDemo(ctx context.Context) (string, error) {
	r, err := compare.Run(ctx, compare.Options{Lifetime: demoLifetime})
	if err != nil {
		return "", err
	}
	return r.Markdown(), nil
}

func signalsDemo(ctx context.Context) (string, error) {
	r, err := compare.Run(ctx, compare.Options{Experiments: true, Lifetime: demoLifetime})
	if err != nil {
		return "", err
	}
	return r.Experiments.SignalsMarkdown(), nil
}

// withPair starts a normal process on a fresh terminal and the SysV daemon,
// runs fn, and ends both whatever fn did.
func withPair(ctx context.Context, fn func(p *normal.Process, d *sysv.Daemon) (string, error)) (string, error) {
	p, err := normal.Start(ctx, normal.Options{Report: true, Lifetime: demoLifetime})
	if err != nil {
		return "", err
	}
	defer p.Stop()
	return withDaemon(ctx, sysv.Options{}, func(d *sysv.Daemon) (string, error) {
		return fn(p, d)
	})
}

// hangupDemo types a normal process into a real shell as a background
// job, closes the terminal, and watches it and the daemon: the kernel
// signals the shell, and what reaches the job is the shell's doing.
func hangupDemo(ctx context.Context) (string, error) {
	p, err := normal.Start(ctx, normal.Options{Background: true, Lifetime: demoLifetime})
	if err != nil {
		return "", err
	}
	defer p.Stop()
	return withDaemon(ctx, sysv.Options{}, func(d *sysv.Daemon) (string, error) {
		fs := proc.Live()
		t := newTable("", "normal process", "daemon")
		t.add("PID", p.PID, d.PID)
		n, err := inspect.Explain(fs, p.PID)
		if err != nil {
			return "", err
		}
		dm, err := inspect.Explain(fs, d.PID)
		if err != nil {
			return "", err
		}
		t.add("controlling terminal", n.Facts.TTY, dm.Facts.TTY)
		t.add("session led by", sessionLeader(fs, n.Facts), sessionLeader(fs, dm.Facts))
		t.add("process group", fmt.Sprintf("its own, in the background (the foreground group is %s's)", p.Shell), "its own")

		// What the shell knows of it: one of its jobs.
		if _, err := p.Run(ctx, "jobs -l"); err != nil {
			return "", err
		}
		// The terminal goes away: the master side of the pseudo-terminal is
		// closed, as when a terminal window is closed or an ssh link drops.
		o, err := p.HangupAndWatch(ctx)
		if err != nil {
			return "", fmt.Errorf("hanging up the terminal: %w", err)
		}
		daemonNow := "still running"
		if st, err := fs.Stat(d.PID); err != nil || st.State == 'Z' {
			daemonNow = "gone"
		}
		normalNow := o.Program
		if o.Survived() {
			normalNow = "still running, without a terminal"
		}
		t.add("after the hang-up", normalNow, daemonNow)

		paras := []string{
			fmt.Sprintf("dlab started a real interactive %s on a fresh terminal, typed the normal process into it as a background job (`&`), asked for the shell's jobs, then closed the terminal. What the terminal showed:", p.Shell),
			block("", printable(p.Output())),
			t.String(),
			fmt.Sprintf("The kernel sent SIGHUP to %s (PID %d), the terminal's controlling process: %s was %s, as dlab, its parent, saw it.", p.Shell, p.LeaderPID, p.Shell, o.ShellEnd),
		}
		// The kernel's hang-up reaches the controlling process and, once
		// it exits, the foreground group: never a background job. What
		// reached the job came from the shell.
		if o.Survived() {
			paras = append(paras, fmt.Sprintf("%s did not pass SIGHUP on to its background job, and the kernel sends none to a background group: the normal process is still running, in a session whose terminal is gone. bash passes it on to every job; dash, the usual sh, does not.", p.Shell))
		} else {
			paras = append(paras, fmt.Sprintf("The normal process was a background job, so no SIGHUP came to it from the kernel, which sends the hang-up to the controlling process and, once that exits, to the foreground group only. It was %s all the same: %s passed SIGHUP on to its jobs before it died.", o.Program, p.Shell))
		}
		paras = append(paras, "The daemon is in no terminal's session, so nothing was sent to it.")
		return doc(paras...), nil
	})
}

func sessionLeader(fs proc.FS, f inspect.Facts) string {
	if f.SessionLeader {
		return "itself"
	}
	if _, err := fs.Stat(f.SID); err != nil {
		return fmt.Sprintf("PID %d, gone (it set the session up and exited)", f.SID)
	}
	return describePID(fs, f.SID)
}

// fdsDemo lists the open files of both.
func fdsDemo(ctx context.Context) (string, error) {
	return withPair(ctx, func(p *normal.Process, d *sysv.Daemon) (string, error) {
		fs := proc.Live()
		nfds, err := fs.FDs(p.PID)
		if err != nil {
			return "", err
		}
		dfds, err := fs.FDs(d.PID)
		if err != nil {
			return "", err
		}
		np, dp := sortFDs(nfds, d.Dir), sortFDs(dfds, d.Dir)
		t := newTable("", "normal process", "daemon")
		t.add("PID", p.PID, d.PID)
		for i, name := range []string{"0 stdin", "1 stdout", "2 stderr"} {
			t.add(name, np.std[i], dp.std[i])
		}
		t.add("files it opened", orNone(strings.Join(np.own, ", ")), orNone(strings.Join(dp.own, ", ")))
		t.add("pipes to dlab, which watches the demo", np.pipes, dp.pipes)
		t.add("held by the Go runtime (epoll, eventfd, cgroup files)", np.runtime, dp.runtime)
		return doc(
			t.String(),
			fmt.Sprintf("Read from `/proc/PID/fd`. The normal process reads and writes its terminal, `/dev/%s`. The daemon has `/dev/null` on 0, 1 and 2 (daemon(7) step 9) and writes to its own log file instead (`.` is its run directory). A descriptor inherited by accident would show among the files it opened.", p.TTY),
		), nil
	})
}

// fdKinds sorts a process's descriptors for the table: the standard three,
// the files it opened, and counts of the rest.
type fdKinds struct {
	std            [3]string
	own            []string
	pipes, runtime int
}

func sortFDs(fds []proc.FD, dir string) fdKinds {
	k := fdKinds{std: [3]string{"closed", "closed", "closed"}}
	for _, f := range fds {
		t := f.Target
		if !f.Readable() {
			t = "unreadable (permission denied)"
		}
		switch {
		case f.Num <= 2:
			k.std[f.Num] = t
		case strings.HasPrefix(t, "anon_inode:") || strings.HasPrefix(t, "/sys/fs/cgroup/"):
			k.runtime++
		case strings.HasPrefix(t, "pipe:"):
			k.pipes++
		default:
			k.own = append(k.own, fdTarget(t, dir))
		}
	}
	sort.Strings(k.own)
	return k
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// fdTarget shortens what an fd points to for the table.
func fdTarget(t, dir string) string {
	switch {
	case strings.HasPrefix(t, "anon_inode:"):
		return strings.TrimPrefix(t, "anon_inode:") + " (Go runtime)"
	case strings.HasPrefix(t, "/sys/fs/cgroup/"):
		return filepath.Base(t) + " (Go runtime)"
	case t == dir:
		return "its run directory"
	case dir != "" && strings.HasPrefix(t, dir):
		return "." + strings.TrimPrefix(t, dir)
	case strings.HasPrefix(t, "pipe:"):
		return "a pipe to dlab (the demo's plumbing)"
	}
	return t
}

// cwdUmaskDemo compares working directories and umasks.
func cwdUmaskDemo(ctx context.Context) (string, error) {
	return withPair(ctx, func(p *normal.Process, d *sysv.Daemon) (string, error) {
		fs := proc.Live()
		n, err := inspect.Explain(fs, p.PID)
		if err != nil {
			return "", err
		}
		dm, err := inspect.Explain(fs, d.PID)
		if err != nil {
			return "", err
		}
		here, _ := os.Getwd()
		own := -1
		if st, err := fs.Status(os.Getpid()); err == nil {
			own = st.Umask
		}
		t := newTable("", "working directory", "umask")
		t.add(fmt.Sprintf("normal process (PID %d)", p.PID), orUnreadable(n.Facts.Cwd), umask(n.Facts.Umask))
		t.add(fmt.Sprintf("daemon (PID %d)", d.PID), orUnreadable(dm.Facts.Cwd), umask(dm.Facts.Umask))
		t.add("dlab, which started both", here, umask(own))
		return doc(
			t.String(),
			"Read from `/proc/PID/cwd` and the `Umask:` line of `/proc/PID/status`. The normal process inherited dlab's working directory and umask, as any child does. The daemon moved to `/` (daemon(7) step 11) and set a umask of its own (step 10), so where it was started from and the umask of whoever started it no longer matter.",
		), nil
	})
}

func orUnreadable(s string) string {
	if s == "" {
		return "unreadable (needs root)"
	}
	return s
}

func umask(u int) string {
	if u < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%04o", u)
}
