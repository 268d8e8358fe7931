package compare

import (
	"fmt"
	"strconv"

	"dlab/demos/core/inspect"
	"dlab/demos/lab/spectrum"
	"dlab/demos/lab/sysv"
)

// Row is one line of the side-by-side table. Every cell comes from the
// inspector's report on the live process (inspect.Explain, what `dlab
// explain` shows), never from what the launcher remembers.
type Row struct {
	Aspect string `json:"aspect"`
	Draft  *Draft `json:"draft,omitempty"` // the draft's table, for its seven rows
	Normal Cell   `json:"normal"`
	Daemon Cell   `json:"daemon"`
}

// Draft is what the draft's "Key Differences" table says.
type Draft struct {
	Normal string `json:"normal"`
	Daemon string `json:"daemon"`
}

// Cell is one observed value, where it was read, and what it means.
type Cell struct {
	Observed   string `json:"observed"`
	Source     string `json:"source,omitempty"`
	DaemonLike *bool  `json:"daemon_like,omitempty"` // nil: says nothing either way
	Why        string `json:"why,omitempty"`
}

// draftRows are the draft's table rows and the inspector's evidence that
// answers each.
var draftRows = []struct {
	aspect   string
	evidence []string // inspect.Row aspects, joined
	draft    Draft
}{
	{"Startup", []string{"startup", "start time"}, Draft{"User command / Application launch", "Boot time / System init"}},
	{"Terminal", []string{"terminal"}, Draft{"Has controlling terminal (tty)", "No controlling terminal (?)"}},
	{"Parent", []string{"parent"}, Draft{"Shell or other user process", "Usually init (PID 1)"}},
	{"Lifecycle", []string{"lifecycle"}, Draft{"Ends with user session", "Persistent until shutdown"}},
	{"Purpose", []string{"purpose"}, Draft{"User tasks / Interactive programs", "System services"}},
	{"Naming", []string{"naming"}, Draft{"Varies (ls, vim, firefox)", "Often ends with \"d\" (sshd, httpd)"}},
	{"Privileges", []string{"privileges"}, Draft{"User permissions", "Often system/root"}},
}

// evidenceCell joins the inspector's rows for the given aspects.
func evidenceCell(r inspect.Report, aspects []string) Cell {
	var c Cell
	for _, a := range aspects {
		for _, e := range r.Evidence {
			if e.Aspect != a {
				continue
			}
			if c.Observed == "" {
				c = Cell{Observed: e.Observed, Source: e.Source, DaemonLike: e.DaemonLike, Why: e.Why}
			} else {
				c.Observed += "; " + e.Observed
				c.Source += "; " + e.Source
			}
		}
	}
	if c.Observed == "" {
		c.Observed = "(not reported)"
	}
	return c
}

// Table builds the side-by-side rows from the inspector's reports: first
// the draft's table, each row answered by the evidence, then the facts
// themselves.
func Table(normal, daemon inspect.Report) []Row {
	var rows []Row
	for _, d := range draftRows {
		d := d
		rows = append(rows, Row{Aspect: d.aspect, Draft: &d.draft,
			Normal: evidenceCell(normal, d.evidence), Daemon: evidenceCell(daemon, d.evidence)})
	}
	for _, f := range factRows {
		rows = append(rows, Row{Aspect: f.aspect, Normal: f.cell(normal), Daemon: f.cell(daemon)})
	}
	return rows
}

// factRows are the facts shown under the draft's table, as plain values.
var factRows = []struct {
	aspect string
	cell   func(inspect.Report) Cell
}{
	{"verdict", func(r inspect.Report) Cell {
		v := string(r.Verdict)
		if r.Mixed {
			v += " (mixed)"
		}
		return Cell{Observed: v, Source: "dlab explain " + strconv.Itoa(r.PID), Why: r.Summary}
	}},
	{"PID", func(r inspect.Report) Cell {
		return Cell{Observed: strconv.Itoa(r.Facts.PID), Source: stat(r, 1, "pid")}
	}},
	{"PPID", func(r inspect.Report) Cell {
		return Cell{Observed: fmt.Sprintf("%d (parent: %s)", r.Facts.PPID, orQ(r.Facts.ParentComm)), Source: stat(r, 4, "ppid")}
	}},
	{"SID", func(r inspect.Report) Cell {
		f := r.Facts
		leader := "its leader " + orQ(f.SessionComm)
		switch {
		case f.SessionLeader:
			leader = "it leads it"
		case f.SessionComm == "":
			leader = "its leader has exited"
		}
		return Cell{Observed: fmt.Sprintf("%d (session: %s)", f.SID, leader), Source: stat(r, 6, "session")}
	}},
	{"PGID", func(r inspect.Report) Cell {
		f := r.Facts
		s := strconv.Itoa(f.PGID)
		if f.PGID == f.PID {
			s += " (its own process group)"
		} else {
			s += " (process group)"
		}
		return Cell{Observed: s, Source: stat(r, 5, "pgrp")}
	}},
	{"TPGID", func(r inspect.Report) Cell {
		f := r.Facts
		s := strconv.Itoa(f.TPGID)
		switch {
		case f.TPGID == -1:
			s += " (no terminal, so no foreground group)"
		case f.Foreground:
			s += " (the terminal's foreground group is its own)"
		default:
			s += " (the terminal's foreground group is another: it is in the background)"
		}
		return Cell{Observed: s, Source: stat(r, 8, "tpgid")}
	}},
	{"TTY", func(r inspect.Report) Cell {
		return Cell{Observed: r.Facts.TTY, Source: stat(r, 7, "tty_nr")}
	}},
	{"fd 0", fdCell(0)},
	{"fd 1", fdCell(1)},
	{"fd 2", fdCell(2)},
	{"cwd", func(r inspect.Report) Cell {
		return Cell{Observed: orQ(r.Facts.Cwd), Source: fmt.Sprintf("/proc/%d/cwd", r.PID)}
	}},
	{"umask", func(r inspect.Report) Cell {
		u := "?"
		if r.Facts.Umask >= 0 {
			u = fmt.Sprintf("%04o", r.Facts.Umask)
		}
		return Cell{Observed: u, Source: fmt.Sprintf("/proc/%d/status Umask", r.PID)}
	}},
	{"user", func(r inspect.Report) Cell {
		return Cell{Observed: fmt.Sprintf("%s (uid %d)", orQ(r.Facts.User), r.Facts.UID), Source: fmt.Sprintf("/proc/%d/status Uid", r.PID)}
	}},
	{"SIGHUP", sigCell("SIGHUP")},
	{"SIGINT", sigCell("SIGINT")},
	{"SIGTERM", sigCell("SIGTERM")},
}

func stat(r inspect.Report, field int, name string) string {
	return fmt.Sprintf("/proc/%d/stat field %d %s", r.PID, field, name)
}

func fdCell(n int) func(inspect.Report) Cell {
	return func(r inspect.Report) Cell {
		return Cell{Observed: orQ(r.Facts.FD[n]), Source: fmt.Sprintf("/proc/%d/fd/%d", r.PID, n)}
	}
}

func sigCell(sig string) func(inspect.Report) Cell {
	return func(r inspect.Report) Cell {
		return Cell{Observed: spectrum.Disposition(r.Facts, sig), Source: fmt.Sprintf("/proc/%d/status SigIgn, SigCgt", r.PID)}
	}
}

func orQ(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// ReaperOf says which process adopted the daemon when its first child
// exited, read from the daemon's live parent: PID 1 of its PID namespace,
// or a subreaper on the way.
func ReaperOf(daemon inspect.Facts) string {
	return sysv.Reaper{PID: daemon.PPID, Comm: orQ(daemon.ParentComm), Init: daemon.PPID == 1}.String()
}
