package spectrum

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/shell"

	"golang.org/x/sys/unix"
)

// runTerminal (`dlab __terminal [flags] -- [--shell=sh] nohup`) is the terminal window
// of the nohup and setsid demos: it
// holds the master side of a fresh pseudo-terminal on which a real
// interactive shell runs (package shell: bash -i, else sh -i), and types
// into that shell what a student would:
//
//	$ dlab __spectrum-program --as=job ... &      a plain background job
//	$ nohup dlab __spectrum-program ... &         (or setsid)
//	$ jobs -l
//
// The shell's working directory is the demo's own folder, so nohup.out
// lands there, never in the student's home. What the terminal shows goes
// to the --screen file.
//
// On SIGTERM (the window is closed) or at the end of its lifetime it closes
// the master: the kernel hangs the terminal up and sends SIGHUP to the
// shell, its controlling process, and what the shell does next is the
// shell's own doing. It logs how the shell ended, as its parent sees it.
func runTerminal(args []string) int {
	var screen string
	rf, rest, err := parseRoleFlags(roleTerminal, args, func(fs *flag.FlagSet) {
		fs.StringVar(&screen, "screen", "", "")
	})
	if err != nil {
		return 2
	}
	// What comes after "--", as for the pty server: here, the shell to
	// run and the wrapper to type.
	var shellName string
	what := flag.NewFlagSet(roleTerminal, flag.ContinueOnError)
	what.SetOutput(io.Discard)
	what.StringVar(&shellName, "shell", "", "")
	if what.Parse(rest) != nil || what.NArg() != 1 {
		return 2
	}
	wrapper := what.Arg(0)
	lg := roleLog("terminal", rf.log)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGHUP, unix.SIGINT)
	ready := event.Inherit(rf.readyFD)

	var out io.Writer = io.Discard
	if screen != "" {
		if f, err := os.OpenFile(screen, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err == nil {
			defer f.Close()
			out = f
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		lg.Print(err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	sh, err := shell.Start(ctx, shell.Options{Shell: shellName, Dir: dir, Output: out})
	if err != nil {
		lg.Printf("cannot start a shell: %v", err)
		return 1
	}
	defer sh.Close()
	lg.Printf("holding the master of %s; %s runs on it as PID %d", sh.TTY, sh.Name, sh.PID)
	announceOn(ready, roleTerminal, "tty="+sh.TTY)
	event.Send(ready, event.Event{Role: "shell", Kind: "ready", PID: sh.PID, StartTime: sh.StartTime, Fields: map[string]string{"name": sh.Name}})

	if err := typeJobs(ctx, sh, ready, wrapper, rf.lifetime); err != nil {
		lg.Print(err)
		ready.Close()
		return 1
	}
	ready.Close()

	lifetime := time.NewTimer(rf.lifetime)
	select {
	case sig := <-sigs:
		lg.Printf("%v: closing the master, which hangs up the terminal", sig)
	case <-lifetime.C:
		lg.Printf("lifetime over: closing the master, which hangs up the terminal")
	case <-sh.Exited():
		lg.Printf("the shell ended by itself (%s); closing the terminal", shellEnd(sh))
		return 0
	}
	sh.HangUp()
	// Wait for the shell to react to the hang-up, but not forever: one that
	// ignores SIGHUP goes on without its terminal, until Close kills it.
	select {
	case <-sh.Exited():
		lg.Printf("the shell, %s (PID %d), was %s", sh.Name, sh.PID, shellEnd(sh))
	case <-time.After(stopTimeout):
		lg.Printf("the shell, %s (PID %d), is still running after the hang-up", sh.Name, sh.PID)
	}
	return 0
}

// typeJobs types the plain job and the wrapped one, each once the shell is
// back at its prompt and the one before has said it is ready, then jobs -l.
// Every process started passes the ready events on to the launcher.
func typeJobs(ctx context.Context, sh *shell.Shell, ready *os.File, wrapper string, lifetime time.Duration) error {
	life := "--lifetime=" + lifetime.String()
	for _, j := range []struct{ role, line string }{
		{"job", "dlab __" + roleProgram + " --as=job --ready-fd=3 " + life + " &"},
		{"program", wrapper + " dlab __" + roleProgram + " --ready-fd=3 " + life + " &"},
	} {
		m := sh.Mark()
		if err := sh.Type(j.line); err != nil {
			return err
		}
		e, err := waitReady(ctx, sh, j.role)
		if err != nil {
			return err
		}
		event.Send(ready, e)
		if err := sh.WaitPrompt(ctx, m); err != nil {
			return err
		}
		if err := waitWrapperGone(ctx, e); err != nil {
			return err
		}
	}
	_, err := sh.Run(ctx, "jobs -l")
	return err
}

// waitReady waits for role's ready event from the shell's commands.
func waitReady(ctx context.Context, sh *shell.Shell, role string) (event.Event, error) {
	for {
		select {
		case e, ok := <-sh.Events:
			if !ok {
				return event.Event{}, fmt.Errorf("the %s never said it was ready; the terminal showed %q", role, sh.Transcript())
			}
			if e.Role == role && e.Kind == "ready" {
				return e, nil
			}
		case <-ctx.Done():
			return event.Event{}, fmt.Errorf("the %s never said it was ready (%w); the terminal showed %q", role, ctx.Err(), sh.Transcript())
		}
	}
}

// waitWrapperGone waits until setsid(1), which forked because the shell
// made its job a process-group leader, has exited and left the program
// to a reaper: then the shell has its job's end to report, and jobs -l
// shows it Done, every time, not only when the shell happened to notice.
func waitWrapperGone(ctx context.Context, e event.Event) error {
	ppid, err := strconv.Atoi(e.Fields["ppid"])
	if err != nil {
		return nil
	}
	st, err := proc.Live().Stat(ppid)
	if err != nil || st.Comm != "setsid" {
		return nil // gone already, or not setsid
	}
	p, err := pidfd.Open(ppid, st.StartTime)
	if errors.Is(err, proc.ErrGone) {
		return nil
	}
	if err != nil {
		return err
	}
	defer p.Close()
	return p.Wait(ctx)
}

// shellEnd says how the shell ended, as its parent learned from wait(2).
func shellEnd(sh *shell.Shell) string {
	return describeState(sh.ExitState())
}
