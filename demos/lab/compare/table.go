package compare

import (
	"fmt"
	"strconv"

	"dlab/demos/core/inspect"
	"dlab/demos/lab/sysv"
)

// Row is one line of the side-by-side table. Every cell comes from the
// inspector's report on the live process (inspect.Explain, what `dlab
// explain` shows), never from what the launcher remembers.
type Row struct {
	Aspect  string      `json:"aspect"`
	Classic *ClassicRow `json:"classic,omitempty"` // the classic table's row, for its seven rows
	Normal  Cell        `json:"normal"`
	Daemon  Cell        `json:"daemon"`
}

// ClassicRow is what one row of the classic table says: the table everyone
// quotes, which the lesson differences shows before checking it row by row.
type ClassicRow struct {
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

// ClassicTable is the classic table, word for word as the lesson
// differences shows it (lessons/catalog's test holds them together), with
// the inspector's evidence that answers each row.
var ClassicTable = []struct {
	Aspect   string
	Evidence []string // inspect.Row aspects, joined
	Says     ClassicRow
}{
	{"Startup", []string{"startup", "start time"}, ClassicRow{"by a user, from a shell or a desktop", "at boot, by the init system"}},
	{"Terminal", []string{"terminal"}, ClassicRow{"a controlling terminal (pts/3)", "no controlling terminal (? in ps)"}},
	{"Parent", []string{"parent"}, ClassicRow{"the shell, or another user process", "usually PID 1"}},
	{"Lifecycle", []string{"lifecycle"}, ClassicRow{"ends with the user's session", "runs until shutdown"}},
	{"Purpose", []string{"purpose"}, ClassicRow{"does a user's task", "provides a service"}},
	{"Naming", []string{"naming"}, ClassicRow{"anything (ls, vim)", "often ends in \"d\" (sshd, crond)"}},
	{"Privileges", []string{"privileges"}, ClassicRow{"the user's own", "often root, or a system user"}},
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
// the classic table, each row answered by the evidence, then the facts
// themselves. The signal rows say what each process did when sent the
// signal, when es holds that experiment; else what /proc says.
func Table(normal, daemon inspect.Report, es Experiments) []Row {
	var rows []Row
	for _, c := range ClassicTable {
		c := c
		rows = append(rows, Row{Aspect: c.Aspect, Classic: &c.Says,
			Normal: evidenceCell(normal, c.Evidence), Daemon: evidenceCell(daemon, c.Evidence)})
	}
	for _, f := range factRows {
		rows = append(rows, Row{Aspect: f.aspect, Normal: f.cell(normal), Daemon: f.cell(daemon)})
	}
	for _, sig := range []Event{SendHUP, SendINT, SendTERM} {
		rows = append(rows, Row{Aspect: string(sig),
			Normal: signalCell(normal, sig, es.Find(sig, NormalProcess)),
			Daemon: signalCell(daemon, sig, es.Find(sig, SysVDaemon))})
	}
	return rows
}

// factRows are the facts shown under the classic table, as plain values.
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
}

func stat(r inspect.Report, field int, name string) string {
	return fmt.Sprintf("/proc/%d/stat field %d %s", r.PID, field, name)
}

func fdCell(n int) func(inspect.Report) Cell {
	return func(r inspect.Report) Cell {
		return Cell{Observed: orQ(r.Facts.FD[n]), Source: fmt.Sprintf("/proc/%d/fd/%d", r.PID, n)}
	}
}

// signalCell says what the process does with sig. Seen in an experiment,
// it is what the student can see: whether it handled the signal, from what
// it did. Without one, it is the disposition /proc gives (ignored, caught,
// default); for a Go program "caught" only says that the runtime has a
// handler, which is why the experiment's answer is preferred.
func signalCell(r inspect.Report, sig Event, e *Experiment) Cell {
	if e != nil {
		if did := handled(e.Observed); did != "" {
			return Cell{Observed: did, Source: fmt.Sprintf("%s sent to a fresh %s (PID %d): %s", sig, e.Target, e.PID, e.Observed.Text)}
		}
	}
	return Cell{Observed: r.Facts.Signals[string(sig)], Source: fmt.Sprintf("/proc/%d/status SigIgn, SigCgt", r.PID)}
}

// handled says in a few words whether a process handled a signal, from
// what it did: "" when what it did was not seen.
func handled(o Observation) string {
	switch o.Outcome {
	case Killed:
		return "not handled: killed by " + o.Signal
	case CleanShutdown:
		return "handled: it exited cleanly"
	case Reloaded:
		return "handled: it kept running (reloaded its configuration)"
	case Ignored:
		return "ignored: it kept running"
	case NoReaction:
		return "no visible reaction: it kept running"
	case OtherExit:
		return "handled: it " + o.Text
	}
	return ""
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
