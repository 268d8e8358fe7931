package catalog

import (
	"context"
	"fmt"
	"strings"

	"dlab/demos/lab/jobstop"
)

// The terminal's stops and what becomes of stopped jobs when the shell
// goes, typed into a real shell by demos/lab/jobstop; this file tells what
// it saw.

func init() {
	register(Demo{Name: "job-stops", Shows: "SIGTTIN, SIGTTOU (with stty tostop) and SIGTSTP (^Z) stopping real jobs in a real shell", run: jobstopDemo})
	register(Demo{Name: "stopped-jobs-exit", Shows: "what becomes of a stopped job when its shell exits, and when its shell is killed", run: stoppedAtExitDemo})
}

func jobstopDemo(ctx context.Context) (string, error) {
	s, err := jobstop.Stops(ctx, jobstop.Options{})
	if err != nil {
		return "", err
	}
	t := newTable("typed", "tostop", "what happened")
	for _, j := range s.Jobs {
		typed := code(j.Command)
		if j.Front {
			typed += ", then ^Z"
		}
		tostop := "off"
		if j.Tostop {
			tostop = "on"
		}
		what := "wrote, then " + j.Ended
		if j.Stopped {
			what = "stopped (T)"
			if j.StopSignal != "" {
				what = "stopped by " + j.StopSignal
			}
		}
		t.add(typed, tostop, what)
	}
	return doc(
		shellIntro(s.Shell, s.NoBash, s.TTY)+" dlab typed four jobs into it, each a program that reads the terminal, writes to it or sleeps, and waited for each to stop or finish before the next line:",
		transcript(s.Transcript),
		"Whether a job stopped, dlab read in /proc (state `T`). Which signal stopped it, the kernel tells only the job's parent, the shell, through wait(2), and `jobs -l` says it in the words of strsignal(3): \"Stopped (tty input)\" is SIGTTIN, \"Stopped (tty output)\" SIGTTOU, plain \"Stopped\" SIGTSTP.",
		t.String(),
		"Reading is the terminal's to allow: only the foreground group may, so the background reader was stopped with SIGTTIN. Writing is allowed by default, which is why the background job's line landed after the prompt; after `stty tostop` the same write stopped its job with SIGTTOU. ^Z reached only the foreground job. A daemon has no controlling terminal, so none of these three can ever stop it.",
	), nil
}

func stoppedAtExitDemo(ctx context.Context) (string, error) {
	r, err := jobstop.AtExit(ctx, jobstop.Options{})
	if err != nil {
		return "", err
	}
	e, k := r.Exited, r.Killed
	running, stopped, killed := e.Jobs[0], e.Jobs[1], k.Jobs[0]
	t := newTable("", "running job", "stopped job")
	t.add("PID", running.PID, stopped.PID)
	t.add("signals it got", signalList(running.Signals), signalList(stopped.Signals))
	t.add("after the shell exited", stillRunning(running), stopped.Ended)
	t2 := newTable("", "stopped job")
	t2.add("PID", killed.PID)
	t2.add("signals it got", signalList(killed.Signals))
	t2.add("after the shell was killed", killed.Ended)
	return doc(
		shellIntro(e.Shell, e.NoBash, e.TTY)+" dlab typed a job with `&`, and one in the foreground stopped with ^Z, then `exit` twice:",
		transcript(e.Transcript),
		t.String(),
		exitVerdict(e.Shell, running, stopped),
		fmt.Sprintf("Then a second %s, with a job stopped the same way; dlab killed the shell with SIGKILL, which gives it no chance to do anything:", k.Shell),
		transcript(k.Transcript),
		t2.String(),
		fmt.Sprintf("With the shell gone, the stopped job's process group was orphaned: no member has a parent in the session outside the group any more, so nobody is left to continue it. The kernel sent the group %s: the job was %s.", signalList(killed.Signals), killed.Ended),
	), nil
}

// exitVerdict says who sent the stopped job its signals at exit: bash
// itself, or, for a shell that sends none (dash), the kernel.
func exitVerdict(shell string, running, stopped *jobstop.Job) string {
	s := "The first `exit` was refused, because a job was stopped. "
	if len(running.Signals) == 0 && running.Ended == "" && running.TTYAfter == "?" {
		s += "The running job got nothing and runs on, without a terminal (ps shows `?`): the session lost it when its leader, the shell, exited. "
	} else {
		s += fmt.Sprintf("The running job got %s: %s. ", signalList(running.Signals), stillRunning(running))
	}
	if len(stopped.Signals) > 0 && stopped.Signals[0] == "SIGTERM" {
		return s + fmt.Sprintf("At the second `exit`, %s itself sent the stopped job %s: a stopped process acts on SIGTERM only once SIGCONT wakes it. It was %s.", shell, signalList(stopped.Signals), stopped.Ended)
	}
	return s + fmt.Sprintf("At the second `exit`, %s sent the stopped job nothing. It got %s from the kernel, because the shell's exit left its process group orphaned (see below), and was %s.", shell, signalList(stopped.Signals), stopped.Ended)
}

func signalList(sigs []string) string {
	if len(sigs) == 0 {
		return "none"
	}
	return strings.Join(sigs, " and ")
}

func stillRunning(j *jobstop.Job) string {
	if j.Ended != "" {
		return j.Ended
	}
	return "still running, terminal " + j.TTYAfter
}
