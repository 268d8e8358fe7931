// Package demos is the map of everything dlab does to real processes. It
// holds no code; each group below is a folder, each folder a package named
// for one concept.
//
//   - core: the product's judgement, pure where it can be.
//     core/proc reads /proc under a root (the only package that opens it);
//     core/inspect turns what proc read into a verdict, evidence and
//     predictions (dlab explain, dlab ps); core/grade is dlab check, the
//     grader of students' daemons, with core/grade/reaper holding what it
//     adopts.
//   - launch: the toolkit every process dlab starts goes through.
//     launch/reexec runs dlab again in a hidden role; launch/lifeline ends
//     each role once the dlab that started it is gone; launch/event is the
//     one protocol a started process uses to tell its launcher who it is
//     (PID and start time) and what happened; launch/pidfd signals and waits
//     without ever hitting a reused PID; launch/registry records every
//     process the moment it is started, so `dlab demo cleanup` can end it;
//     launch/term opens pseudo-terminals (the only package that does);
//     launch/shell runs the machine's own interactive shell (bash -i, else
//     sh -i) on one and types into it, for the demos about what a shell
//     does (job control, the hang-up, nohup, setsid);
//     launch/tool runs the machine's own programs (ps, systemd-analyze)
//     for a lesson.
//   - lab: the demo processes and the experiments on them. lab/sysv is the
//     daemon of daemon(7)'s fifteen steps; lab/normal the foreground job on a
//     terminal; lab/spectrum the processes in between (nohup, setsid, a pty
//     server, a supervised service); lab/compare the side-by-side table and
//     the signal experiments; lab/jobs job control in a real shell (^C,
//     setsid); lab/orphan orphans, subreapers and zombies; lab/jobstop
//     SIGTTIN, SIGTTOU and SIGTSTP stopping a real shell's jobs, and what
//     the shell does to stopped jobs when it exits; lab/ctty a session leader
//     acquiring a terminal (why the second fork); lab/pidlock the flock'd
//     PID file; lab/sdnotify both ends of NOTIFY_SOCKET (the grader listens
//     with it too).
//   - text: turning results into what a person reads. text/wrap fills
//     prose to a width; text/safe escapes untrusted strings for a terminal.
//   - testkit: test support only. testkit/leakcheck makes each test binary
//     prove it left no process running; testkit/poll waits for a state
//     with a deadline; testkit/fakeproc writes small /proc trees;
//     testkit/orphan starts a process that is nobody's child;
//     testkit/golden checks output against testdata/golden (-update);
//     testkit/gosource reads dlab's own source for the tests that hold
//     these rules.
//
// Imports go one way: lab and core may use launch and text; core/proc uses
// nothing of dlab's; nothing under demos imports lessons or cmd. lessons/
// starts no process itself: it calls lab and launch (a test in lessons
// keeps os/exec, os/signal, creack/pty and x/sys/unix out of it).
package demos
