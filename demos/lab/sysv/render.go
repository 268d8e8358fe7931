package sysv

// The text of a started daemon, for dlab demo daemon: how it got there,
// stage by stage, what it is now, and how to look at it.

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"dlab/demos/text/safe"
)

// Session is the daemon's session as its last stage reported it: the one
// the first child created with setsid (step 6).
func (d *Daemon) Session() int {
	if n := len(d.Stages); n > 0 {
		return d.Stages[n-1].SID
	}
	return 0
}

// label names a stage in a few words: "first child, after setsid (step 6)".
func (s Stage) label() string {
	when, _, _ := strings.Cut(s.When, ":")
	return s.Name + ", " + when
}

// WriteText tells what the daemon is and how to look at it.
func (d *Daemon) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Started the demo daemon: PID %d.\n\n", d.PID)
	fmt.Fprintln(w, "How it got there, each process as it saw itself in /proc/self/stat:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  PROCESS\tPID\tPPID\tPGID\tSID\tTTY")
	for _, s := range d.Stages {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%s\n", s.label(), s.PID, s.PPID, s.PGID, s.SID, s.TTY)
	}
	tw.Flush()
	fmt.Fprintln(w)

	user := d.User
	if d.DroppedFrom != "" {
		user += " (dlab ran as " + d.DroppedFrom + ": the daemon dropped its privileges, step 13)"
	}
	rows := [][2]string{
		{"parent", safe.Text(d.Reaper.String())},
		{"session", fmt.Sprintf("%d, the first child's (gone); not its leader, the daemon can never get a terminal", d.Session())},
		{"user", user},
		{"stdio", "/dev/null (fd 0, 1, 2); it writes its own log"},
		{"umask", fmt.Sprintf("%04o", d.Umask)},
		{"cwd", "/"},
		{"PID file", d.PIDFile},
		{"log", d.LogFile},
		{"config", d.ConfigFile + " (edit it, then kill -HUP)"},
	}
	if d.Addr != "" {
		rows = append(rows, [2]string{"listening", d.Addr + " (in bash: cat </dev/tcp/" + strings.Replace(d.Addr, ":", "/", 1) + ")"})
	}
	rows = append(rows, [2]string{"ends", fmt.Sprintf("by itself after %s, or with dlab demo stop %d", d.Lifetime, d.PID)})
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\t%s\n", r[0], r[1])
	}
	tw.Flush()

	fmt.Fprintf(w, `
Look at it:
  ps -o pid,ppid,pgid,sid,tty,stat,user,comm -p %[1]d
  dlab explain %[1]d
  ls -l /proc/%[1]d/fd
  kill -HUP %[1]d; tail -n 1 %[2]s
  dlab demo stop %[1]d
`, d.PID, d.LogFile)
}
