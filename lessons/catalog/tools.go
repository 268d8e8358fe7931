package catalog

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
	"dlab/demos/lab/sysv"

	"golang.org/x/sys/unix"
)

func init() {
	register(Demo{Name: "pstree", Shows: "the ancestry of the demo daemon and of dlab itself, up to PID 1", run: pstreeDemo})
	register(Demo{Name: "pkill", Shows: "pgrep and pkill on the demo daemon: by name, by command line, and the -f trap", run: pkillDemo})
	register(Demo{Name: "troubleshoot", Shows: "the troubleshooting checklist, run on the demo daemon", run: troubleshootDemo})
}

// run runs a command and returns a transcript of it ("$ cmd args", then
// its output, or a note that it printed nothing) and its exit status.
func run(ctx context.Context, name string, args ...string) (string, int) {
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		return prompt(name, args) + "\n" + err.Error(), -1
	}
	text := strings.TrimRight(string(out), "\n")
	if text == "" {
		text = fmt.Sprintf("(no output; exit status %d)", code)
	}
	return prompt(name, args) + "\n" + text, code
}

// prompt is the command line as a reader would type it.
func prompt(name string, args []string) string {
	words := []string{name}
	for _, a := range args {
		if strings.ContainsAny(a, " '\"$;|&") {
			a = `"` + strings.ReplaceAll(a, `"`, `\"`) + `"`
		}
		words = append(words, a)
	}
	return "$ " + strings.Join(words, " ")
}

// clip cuts lines longer than width, so a transcript fits the terminal.
func clip(text string, width int) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if r := []rune(l); len(r) > width {
			lines[i] = string(r[:width-1]) + "…"
		}
	}
	return strings.Join(lines, "\n")
}

func installed(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// pstreeDemo shows who is above the daemon and above dlab.
func pstreeDemo(ctx context.Context) (string, error) {
	return withDaemon(ctx, sysv.Options{}, func(d *sysv.Daemon) (string, error) {
		fs := proc.Live()
		daemonTree, err := ancestryTree(fs, d.PID, "the demo daemon")
		if err != nil {
			return "", err
		}
		selfTree, err := ancestryTree(fs, os.Getpid(), "this dlab")
		if err != nil {
			return "", err
		}
		paras := []string{
			"Read from each process's parent (`/proc/PID/stat` field 4), up to PID 1:",
			block("", daemonTree+"\n\n"+selfTree),
		}
		if installed("pstree") {
			// -T leaves out threads (psmisc 22.21 and later).
			out, code := run(ctx, "pstree", "-p", "-s", "-T", strconv.Itoa(d.PID))
			if code != 0 {
				out, _ = run(ctx, "pstree", "-p", "-s", strconv.Itoa(d.PID))
			}
			paras = append(paras, "The same with the real tool, `pstree -s` showing the ancestors of one process:", block("", out))
		}
		return doc(paras...), nil
	})
}

// ancestryTree draws pid and its ancestors, PID 1 at the top.
func ancestryTree(fs proc.FS, pid int, label string) (string, error) {
	st, err := fs.Stat(pid)
	if err != nil {
		return "", err
	}
	chain := inspect.Ancestry(fs, st)
	var b strings.Builder
	depth := 0
	for i := len(chain) - 1; i >= 0; i-- {
		a := chain[i]
		fmt.Fprintf(&b, "%s%d %s  (tty %s)\n", indentTree(depth), a.PID, printable(a.Comm), a.TTY)
		depth++
	}
	fmt.Fprintf(&b, "%s%d %s  (tty %s)   <- %s", indentTree(depth), st.PID, printable(st.Comm), proc.TTYName(st.TTY), label)
	return b.String(), nil
}

func indentTree(depth int) string {
	if depth == 0 {
		return ""
	}
	return strings.Repeat("   ", depth-1) + "└─ "
}

// pkillDemo finds the daemon with pgrep and ends it with pkill.
func pkillDemo(ctx context.Context) (string, error) {
	for _, tool := range []string{"pgrep", "pkill"} {
		if !installed(tool) {
			return "", fmt.Errorf("%s is not installed (Debian package procps)", tool)
		}
	}
	return withDaemon(ctx, sysv.Options{}, func(d *sysv.Daemon) (string, error) {
		fs := proc.Live()
		st, err := fs.Stat(d.PID)
		if err != nil {
			return "", err
		}
		// Only the daemon's command line holds its run directory, which is
		// unique to this run of dlab (RUN/sysv-daemon-N): pkill -f must
		// never hit another run's daemon.
		pattern := filepath.Join(filepath.Base(filepath.Dir(d.Dir)), filepath.Base(d.Dir))
		byName, _ := run(ctx, "pgrep", "-l", "-x", st.Comm)
		byLine, _ := run(ctx, "pgrep", "-a", "-f", pattern)
		// The trap: run from a shell, the pattern is in the shell's own
		// command line too, and pgrep leaves out only itself.
		trap, _ := run(ctx, "sh", "-c", "pgrep -l -f '"+pattern+"'; true")
		kill, killCode := run(ctx, "pkill", "-f", pattern)
		if killCode != 0 {
			return "", fmt.Errorf("pkill found nothing to signal:\n%s", kill)
		}
		exit, err := d.ExitStatus(ctx)
		if err != nil {
			return "", err
		}
		after, _ := run(ctx, "pgrep", "-a", "-f", pattern)
		log, _ := d.Log()
		_, lines := logLines(log)
		last := lines[len(lines)-1]
		return doc(
			fmt.Sprintf("The demo daemon is PID %d; its name (comm) is `%s`. By name, pgrep finds every process called that: dlab itself, and any zombie of an earlier demo that its new parent hasn't reaped yet:", d.PID, printable(st.Comm)),
			block("", byName),
			fmt.Sprintf("By a piece of its command line that only it has (its run directory, `%s`), exactly one (`-a` prints the whole command line, cut here):", pattern),
			block("", clip(byLine, 70)),
			"The same pgrep run from a shell script: the pattern is in the shell's command line too, so the shell matches. pgrep leaves out only itself; a `pkill -f` here would signal the shell as well:",
			block("", trap),
			"Then pkill, which sends SIGTERM unless told otherwise:",
			block("", kill+"\n"+after),
			fmt.Sprintf("The daemon %s; the last line of its log: `%s`.", exit, printable(last)),
		), nil
	})
}

// troubleshootDemo runs the checklist of the troubleshooting lesson.
func troubleshootDemo(ctx context.Context) (string, error) {
	return withDaemon(ctx, sysv.Options{Listen: true}, func(d *sysv.Daemon) (string, error) {
		fs := proc.Live()
		t := newTable("check", "what dlab saw")
		check := func(good bool, what, saw string) {
			mark := "✓ "
			if !good {
				mark = "✗ "
			}
			t.add(mark+what, saw)
		}

		// 1. The PID file names a live process, and the right one.
		raw, err := os.ReadFile(d.PIDFile)
		filePID, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
		st, stErr := fs.Stat(filePID)
		same := err == nil && stErr == nil && filePID == d.PID && st.StartTime == d.StartTime
		check(same, "PID file names the running daemon (`cat dlab.pid`, `ps -p PID`)",
			fmt.Sprintf("dlab.pid says %d; /proc/%d exists and started when the daemon did", filePID, filePID))

		// 2. It is alive and may be signalled.
		up := alive(d.PID)
		check(up, "alive (`kill -0 PID`)", map[bool]string{true: "yes: signal 0 delivered", false: "no"}[up])

		// 3. It answers on its socket.
		rep, err := inspect.Explain(fs, d.PID)
		if err != nil {
			return "", err
		}
		greeting, dialErr := greet(ctx, d.Addr)
		answer := fmt.Sprintf("listens on %s (/proc/%d/net/tcp); answered %q", d.Addr, d.PID, greeting)
		if dialErr != nil {
			answer = fmt.Sprintf("%s: %v", d.Addr, dialErr)
		}
		check(dialErr == nil && len(rep.Facts.Listening) > 0, "listening and answering (`ss -tlnp`, `curl`)", answer)

		// 4. Its log.
		log, _ := d.Log()
		_, lines := logLines(log)
		check(strings.Contains(log, "ready"), "its log (`tail dlab.log`)", "last line: "+lines[len(lines)-1])

		// 5. Open files and resources.
		fds, _ := fs.FDs(d.PID)
		status, _ := fs.ReadFile(d.PID, "status")
		rss, threads := statusValue(string(status), "VmRSS"), statusValue(string(status), "Threads")
		limits, _ := fs.ReadFile(d.PID, "limits")
		check(len(fds) < 100, "open files (`ls -l /proc/PID/fd`, `lsof -p PID`)", fmt.Sprintf("%d open (limit %s): %s", len(fds), openFilesLimit(string(limits)), fdSummary(fds)))
		check(rss != "", "memory and threads (`/proc/PID/status`)", fmt.Sprintf("VmRSS %s, %s threads", rss, threads))

		paras := []string{t.String()}
		if installed("lsof") {
			out, _ := run(ctx, "lsof", "-n", "-P", "-a", "-p", strconv.Itoa(d.PID), "-d", "0-20")
			out = strings.ReplaceAll(out, d.Dir, ".")
			paras = append(paras, "What `lsof` says about its descriptors (`.` is the daemon's run directory):", block("", clip(out, 70)))
		}
		return doc(append(paras, "Each line of this table is a command you can run on any daemon: the answers are all in /proc.")...), nil
	})
}

// alive sends signal 0: no signal, only the kernel's checks that the
// process exists and that we may signal it, as kill -0 does.
func alive(pid int) bool { return unix.Kill(pid, 0) == nil }

// greet connects to the daemon and reads its greeting line.
func greet(ctx context.Context, addr string) (string, error) {
	if addr == "" {
		return "", errors.New("the daemon listens nowhere")
	}
	var dialer net.Dialer
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 256)
	n, err := c.Read(buf)
	if n == 0 && err != nil {
		return "", err
	}
	return strings.TrimSpace(string(buf[:n])), nil
}

func statusValue(status, key string) string {
	for _, line := range strings.Split(status, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == key {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return ""
}

func openFilesLimit(limits string) string {
	for _, line := range strings.Split(limits, "\n") {
		if strings.HasPrefix(line, "Max open files") {
			if f := strings.Fields(strings.TrimPrefix(line, "Max open files")); len(f) > 0 {
				return f[0]
			}
		}
	}
	return "unknown"
}

// fdSummary says what the descriptors that matter point to: 0, 1 and 2,
// files, sockets; the rest (the Go runtime's epoll, cgroup files) counted.
func fdSummary(fds []proc.FD) string {
	var parts []string
	others := 0
	for _, f := range fds {
		t := f.Target
		if !f.Readable() {
			t = "unreadable"
		}
		switch {
		case f.Num <= 2:
			parts = append(parts, fmt.Sprintf("%d %s", f.Num, t))
		case strings.HasPrefix(t, "socket:"):
			parts = append(parts, fmt.Sprintf("%d a socket", f.Num))
		case strings.HasSuffix(t, ".log") || strings.HasSuffix(t, ".pid"):
			parts = append(parts, fmt.Sprintf("%d %s", f.Num, filepath.Base(t)))
		default:
			others++
		}
	}
	if others > 0 {
		parts = append(parts, fmt.Sprintf("%d more (the Go runtime's and its directory)", others))
	}
	return strings.Join(parts, ", ")
}
