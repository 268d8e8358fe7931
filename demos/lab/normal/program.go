package normal

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"
	"dlab/demos/text/wrap"

	"golang.org/x/sys/unix"
)

func init() { reexec.Register("normal-program", runProgram) }

// The program has two modes, because catching a signal changes what it
// shows.
//
// By default it catches nothing: every signal has the action signal(7)
// gives it, so ^C kills it, ^Z stops it and a hang-up kills it, exactly as
// the lesson claims for a normal program. It just waits (it doesn't even
// read the terminal, so an end of input can't end it first).
//
// With --report (what `dlab demo normal` runs in front of a person) it
// catches those signals to say what arrived and where it came from, then
// does what the default action would have done: it ends itself with the
// same signal (so its parent still sees "killed by SIGINT"), or stops
// itself. Only ^C is given a second chance, so a student can read the
// explanation before pressing it again. It reads keys one by one; q quits.
func runProgram(args []string) int {
	// The main thread's signal mask is what /proc/PID/status shows; keep
	// os/signal's watcher (which blocks what it doesn't deliver) off it.
	runtime.LockOSThread()
	a, err := parseRoleArgs("normal-program", args)
	if err != nil {
		return 2
	}
	rep := newReporter("program", a.EventsFD)
	if a.Report {
		return runReporting(a, rep)
	}

	// Whatever dlab inherited (an ignored SIGINT, nohup's SIGHUP), this
	// program has every default action, like a C program that handles
	// nothing.
	if err := reexec.DefaultSignals(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	self, _ := viewOf(os.Getpid())
	// In the background it says nothing: its words would land anywhere
	// around the shell's prompt.
	if self.InForeground {
		fmt.Printf("demo normal program, PID %d, in the foreground of /dev/%s. ^C ends it.\n", self.PID, self.TTY)
	}
	rep.send(Event{Kind: "ready", Text: "ready, catching no signal", Self: &self})
	time.Sleep(a.Lifetime)
	return 0
}

// caught are the signals the reporting program catches.
var caught = []os.Signal{
	syscall.SIGINT, syscall.SIGTSTP, syscall.SIGQUIT, syscall.SIGHUP,
	syscall.SIGTERM, syscall.SIGWINCH, syscall.SIGCONT,
}

func runReporting(a roleArgs, rep *reporter) int {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, caught...)
	if err := reexec.DefaultSignals(caught...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tty := int(os.Stdin.Fd())
	saved, err := cbreak(tty)
	if err != nil {
		saved = nil // not a terminal: keys arrive by lines, if at all
	}
	restore := func() { restoreTermios(tty, saved) }
	defer restore()

	say := func(e Event) {
		width, _, err := windowSize(tty)
		if err != nil || width < 20 {
			width = 80
		}
		// The terminal turns "\n" into "\r\n" (onlcr): plain newlines do.
		fmt.Print(strings.Join(wrap.Hanging(e.Text, width-1, "", "    "), "\n") + "\n")
		rep.send(e)
	}
	self, _ := viewOf(os.Getpid())
	fmt.Print(Intro(self))
	rep.send(Event{Kind: "ready", Text: "ready, catching and reporting signals", Self: &self})

	keys := make(chan []byte)
	go readKeys(os.Stdin, keys)
	lifetime := time.NewTimer(a.Lifetime)
	interrupted := false
	for {
		select {
		case sig := <-sigs:
			s := sig.(syscall.Signal)
			name := proc.SignalName(s)
			switch s {
			case syscall.SIGINT:
				if !interrupted {
					interrupted = true
					say(Event{Kind: "signal", Signal: name, Text: "^C: SIGINT, sent by the terminal driver to the foreground process group. " +
						"A program that doesn't catch it is killed now; this one caught it to show you. ^C again ends it that way; q quits."})
					continue
				}
				say(Event{Final: true, Kind: "signal", Signal: name, Text: "^C again: SIGINT. Ending the default way: killed by SIGINT."})
			case syscall.SIGTSTP:
				say(Event{Kind: "signal", Signal: name, Text: "^Z: SIGTSTP, sent by the terminal driver to the foreground process group. " +
					"Its default action stops a program (ps state T), so this one stops itself now (SIGSTOP does the same), and its parent sees it stop."})
				restore()
				unix.Kill(os.Getpid(), unix.SIGSTOP)
				continue
			case syscall.SIGCONT:
				saved, _ = cbreak(tty)
				say(Event{Kind: "signal", Signal: name, Text: "SIGCONT: running again (fg, or kill -CONT)."})
				continue
			case syscall.SIGWINCH:
				cols, rows, _ := windowSize(tty)
				say(Event{Kind: "signal", Signal: name, Text: fmt.Sprintf("SIGWINCH: the terminal is now %dx%d; the driver tells the foreground group on every resize. A program that doesn't catch it ignores it.", cols, rows)})
				continue
			case syscall.SIGQUIT:
				say(Event{Final: true, Kind: "signal", Signal: name, Text: "^\\: SIGQUIT. Its default action ends a program with a core dump (none here: core size limit 0). Ending that way."})
				unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
			case syscall.SIGHUP:
				say(Event{Final: true, Kind: "signal", Signal: name, Text: "SIGHUP: the terminal hung up (its window closed), or someone sent it. Its default action ends a program: ending that way."})
			case syscall.SIGTERM:
				say(Event{Final: true, Kind: "signal", Signal: name, Text: "SIGTERM: someone asks it to end. Ending the default way."})
			}
			restore()
			dieOf(s)
		case k, ok := <-keys:
			if !ok {
				keys = nil // the terminal hung up or input ended: wait for a signal or the lifetime
				continue
			}
			if i := strings.IndexAny(string(k), "qQ"); i >= 0 {
				if i > 0 {
					say(Event{Kind: "key", Bytes: i, Text: fmt.Sprintf("typed %q: plain input, no signal (q quits).", k[:i])})
				}
				say(Event{Final: true, Kind: "key", Bytes: len(k) - i, Text: "q: quitting (exit status 0)."})
				return 0
			}
			say(Event{Kind: "key", Bytes: len(k), Text: fmt.Sprintf("typed %q: plain input, no signal (q quits).", k)})
		case <-lifetime.C:
			say(Event{Final: true, Kind: "note", Text: "lifetime over: exiting."})
			return 0
		}
	}
}

// Intro is what the reporting program says first: how it sees itself.
func Intro(v View) string {
	fg := "no"
	if v.InForeground {
		fg = fmt.Sprintf("yes: its process group %d is the terminal's foreground group", v.PGID)
	}
	session := fmt.Sprintf("%d, led by %s (PID %d), the terminal's shell", v.SID, v.LeaderComm, v.SID)
	if v.SID == v.PPID {
		session = fmt.Sprintf("%d, led by its parent, the terminal's shell", v.SID)
	}
	return fmt.Sprintf(`The demo normal program, PID %d, as it sees itself in /proc/self/stat:
  terminal    %s, its controlling terminal (stdin, stdout and stderr are on it)
  foreground  %s
  parent      %s (PID %d), which started it as a shell starts a command
  session     %s
Type ^C, ^Z or ^\, resize the window, or close it. q quits.
It catches these signals to tell you about them; a program that doesn't is
killed (^C, ^\, a hang-up) or stopped (^Z).
`, v.PID, v.TTY, fg, v.ParentComm, v.PPID, session)
}

// readKeys sends what is typed, as it arrives, until the terminal hangs up.
func readKeys(r io.Reader, keys chan<- []byte) {
	defer close(keys)
	buf := make([]byte, 256)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			keys <- append([]byte(nil), buf[:n]...)
		}
		if err != nil || n == 0 {
			return
		}
	}
}

// dieOf ends the process with sig's default action, so its parent sees it
// killed by sig: the default action is restored (os/signal can't, and may
// keep an inherited "ignore"), then the signal sent to itself.
func dieOf(sig syscall.Signal) {
	reexec.SetDefault(sig)
	unix.Kill(os.Getpid(), sig)
	// Not reached: a fatal signal with its default action ends every thread
	// before kill returns to user space.
	os.Exit(128 + int(sig))
}
