package catalog

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"syscall"
	"time"

	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
	"dlab/demos/lab/sysv"
)

func init() {
	register(Demo{Name: "detach", Shows: "the double fork stage by stage, and setsid() refused to a process-group leader", run: detachDemo})
	register(Demo{Name: "logs", Shows: "the demo daemon's log: ready, reloaded on SIGHUP, shutting down on SIGTERM", run: logsDemo})
	register(Demo{Name: "privileges", Shows: "the demo daemon's user IDs and capabilities next to dlab's own", run: privilegesDemo})
}

// stopTimeout is how long a demo daemon gets to end on SIGTERM before
// SIGKILL.
const stopTimeout = 3 * time.Second

// withDaemon starts dlab's SysV demo daemon, runs fn on it, and ends it
// (and removes its files) whatever fn did.
func withDaemon(ctx context.Context, opts sysv.Options, fn func(d *sysv.Daemon) (string, error)) (string, error) {
	if opts.Lifetime == 0 {
		// Should dlab be killed before it can stop the daemon, the daemon
		// still ends soon by itself.
		opts.Lifetime = 10 * time.Minute
	}
	d, err := sysv.Start(ctx, opts)
	if err != nil {
		return "", err
	}
	defer func() {
		d.Stop(stopTimeout)
		os.RemoveAll(d.Dir)
	}()
	return fn(d)
}

// detachDemo shows each process of the double fork as it saw itself.
func detachDemo(ctx context.Context) (string, error) {
	stages, err := withDaemon(ctx, sysv.Options{}, func(d *sysv.Daemon) (string, error) {
		t := newTable("stage", "PID", "parent", "session", "group", "tty", "session leader")
		var when []string
		for i, s := range d.Stages {
			t.add(fmt.Sprintf("%d. %s", i+1, s.Name), s.PID, s.PPID, s.SID, s.PGID, s.TTY, yesNo(s.SessionLeader()))
			w := s.When
			if len(d.Stages) == len(stageStory) {
				w = stageStory[i]
			}
			if i == 0 && s.SID == 0 {
				w += launcherInSession0
			}
			when = append(when, fmt.Sprintf("%d. %s", i+1, w))
		}
		return doc(
			t.String(),
			strings.Join(when, "\n"),
			fmt.Sprintf("When the first child exited, the daemon (PID %d) was adopted by %s. It is in the session the first child created (%d) without leading it, and it has no controlling terminal: it can never acquire one.", d.PID, d.Reaper, d.Session()),
		), nil
	})
	if err != nil {
		return "", err
	}
	refusal, err := setsidEvidence(ctx)
	if err != nil {
		return "", err
	}
	return doc(stages, "And setsid() itself, called by two helpers:", refusal), nil
}

// stageStory says what each of the four stages of demos/lab/sysv shows, in the
// lesson's words.
var stageStory = []string{
	"the launcher: dlab, where you started it, in your session",
	"the first child, after setsid() (daemon(7) step 6): the leader of a new session, with no terminal",
	"the daemon, after the second fork (step 7): in that session, but not its leader",
	"the daemon again, after the first child exited (step 8): adopted by a new parent",
}

// launcherInSession0 explains a launcher whose session reads 0, which
// students meet in containers and CI.
const launcherInSession0 = " (session 0: no process above it called setsid, so it is still in the session PID 1 started in; or its session's leader is outside this PID namespace, as in a container)"

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// logsDemo drives the daemon through a life and shows its log.
func logsDemo(ctx context.Context) (string, error) {
	return withDaemon(ctx, sysv.Options{}, func(d *sysv.Daemon) (string, error) {
		steps := []struct {
			sig  syscall.Signal
			wait string
		}{
			{0, "ready"},
			{syscall.SIGHUP, sysv.LogReloaded},
			{syscall.SIGTERM, "shutting down"},
		}
		for _, s := range steps {
			if s.sig != 0 {
				if err := d.Signal(s.sig); err != nil {
					return "", fmt.Errorf("sending %v to the daemon: %w", s.sig, err)
				}
			}
			if err := d.WaitLog(ctx, s.wait); err != nil {
				return "", err
			}
		}
		exit, err := d.ExitStatus(ctx)
		if err != nil {
			return "", err
		}
		log, err := d.Log()
		if err != nil {
			return "", fmt.Errorf("cannot read the daemon's log: %w", err)
		}
		pidFile := "its PID file is still there"
		if _, err := os.Stat(d.PIDFile); os.IsNotExist(err) {
			pidFile = "it removed its PID file on the way out"
		}
		prefix, lines := logLines(log)
		intro := fmt.Sprintf("dlab started the daemon (PID %d), sent it SIGHUP, waited for the log to say it reloaded, then sent SIGTERM. Its log file, `dlab.log`", d.PID)
		if prefix != "" {
			intro += fmt.Sprintf(" (each line starts with `%s`, cut here)", prefix)
		}
		return doc(
			intro+":",
			block("", strings.Join(lines, "\n")),
			fmt.Sprintf("After SIGTERM it %s, and %s. Nothing reached a terminal: its stdout and stderr were `/dev/null` all along; the log file is the only trace.", exit, pidFile),
		), nil
	})
}

var clockTime = regexp.MustCompile(`\d\d:\d\d:\d\d`)

// logLines splits the daemon's log into lines and cuts the part every line
// shares ("dlab-demo-daemon[42]: 2026/11/25 "), so the lines fit a terminal.
func logLines(log string) (prefix string, lines []string) {
	lines = strings.Split(strings.TrimRight(log, "\n"), "\n")
	if len(lines) < 2 {
		return "", lines
	}
	prefix = lines[0]
	for _, l := range lines[1:] {
		for !strings.HasPrefix(l, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	// Keep the time on every line, and cut at a word boundary.
	if loc := clockTime.FindStringIndex(prefix); loc != nil {
		prefix = prefix[:loc[0]]
	}
	if i := strings.LastIndex(prefix, " "); i >= 0 {
		prefix = prefix[:i+1]
	} else {
		prefix = ""
	}
	for i := range lines {
		lines[i] = strings.TrimPrefix(lines[i], prefix)
	}
	return strings.TrimSpace(prefix), lines
}

// privilegesDemo compares the daemon's credentials with dlab's.
func privilegesDemo(ctx context.Context) (string, error) {
	return withDaemon(ctx, sysv.Options{Listen: true}, func(d *sysv.Daemon) (string, error) {
		fs := proc.Live()
		mine, err := inspect.Explain(fs, os.Getpid())
		if err != nil {
			return "", err
		}
		its, err := inspect.Explain(fs, d.PID)
		if err != nil {
			return "", fmt.Errorf("cannot read the daemon: %w", err)
		}
		t := newTable("", "dlab (started by you)", "the demo daemon")
		t.add("user (real, effective)", ids(mine.Facts), ids(its.Facts))
		t.add("group", group(mine.Facts), group(its.Facts))
		t.add("capabilities (CapEff)", proc.DescribeCaps(mine.Facts.CapEff), proc.DescribeCaps(its.Facts.CapEff))
		t.add("no_new_privs", yesNo(mine.Facts.NoNewPrivs), yesNo(its.Facts.NoNewPrivs))
		t.add("listening on", listening(mine.Facts), listening(its.Facts))

		var story string
		switch {
		case d.DroppedFrom != "":
			story = fmt.Sprintf("dlab runs as %s, so the daemon started as %s too, did what needed privileges first (its PID file and log, opened before the switch), and then gave them up for good: it now runs as %s, with no capabilities left. Were it broken into now, the intruder would get %s's rights, not root's.", d.DroppedFrom, d.DroppedFrom, its.Facts.User, its.Facts.User)
			if its.Facts.User == "nobody" {
				story += " (It uses `nobody` only because dlab installs no user of its own; a real service gets a dedicated user, for the reason below.)"
			}
		default:
			story = fmt.Sprintf("dlab runs as %s, not root, so the daemon had no privileges to drop: it runs as %s like its launcher. Run this lesson as root (`sudo dlab lesson security`) to see it switch to an unprivileged user.", mine.Facts.User, its.Facts.User)
		}
		return doc(t.String(), story, "It listens on 127.0.0.1 only: a program on another machine can't reach it at all."), nil
	})
}

func ids(f inspect.Facts) string {
	name := func(uid int) string {
		if uid == f.UID && f.User != "" {
			return fmt.Sprintf("%s (%d)", f.User, uid)
		}
		return fmt.Sprint(uid)
	}
	if f.UID == f.EUID {
		return name(f.UID)
	}
	return name(f.UID) + ", " + name(f.EUID)
}

func group(f inspect.Facts) string {
	if f.Group != "" {
		return fmt.Sprintf("%s (%d)", f.Group, f.GID)
	}
	return fmt.Sprint(f.GID)
}

func listening(f inspect.Facts) string {
	var l []string
	for _, s := range f.Listening {
		if s.Proto == "unix" {
			continue
		}
		l = append(l, s.Proto+" "+s.Addr)
	}
	if len(l) == 0 {
		return "nothing"
	}
	return strings.Join(l, ", ")
}
