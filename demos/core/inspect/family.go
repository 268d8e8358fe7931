package inspect

import (
	"fmt"
	"io"
	"strings"

	"dlab/demos/core/proc"
	"dlab/demos/text/safe"
)

// Relative is one process of a family: dlab explain --tree and --children.
type Relative struct {
	PsEntry
	Relation  string `json:"relation"` // "ancestor", "self", "descendant"
	Depth     int    `json:"depth"`
	Subreaper string `json:"subreaper,omitempty"`
}

// Family lists pid with its ancestors up to PID 1 (ancestors) and everything
// below it (descendants), oldest ancestor first, each as dlab ps shows it. A
// process that exited, or whose PID was reused, during the walk is left out.
func Family(fs proc.FS, pid int, ancestors, descendants bool) ([]Relative, error) {
	st, err := fs.Stat(pid)
	if err != nil {
		return nil, err
	}
	var family []Relative
	r := fs.StatReader()
	add := func(p int, startTime uint64, depth int, rel, subreaper string) {
		o, err := r.Read(p)
		if err != nil || o.StartTime != startTime {
			return
		}
		proc := Process{Owned: o, User: SystemNames().User(o.UID), Verdict: VerdictOf(o.Stat)}
		family = append(family, Relative{PsEntry: proc.Entry(), Relation: rel, Depth: depth, Subreaper: subreaper})
	}
	if ancestors {
		chain := Ancestry(fs, st)
		for i := len(chain) - 1; i >= 0; i-- {
			a := chain[i]
			add(a.PID, a.StartTime, len(chain)-1-i, "ancestor", a.Subreaper)
		}
	}
	base := len(family)
	add(pid, st.StartTime, base, "self", "")
	if descendants {
		root, err := Descendants(fs, pid)
		if err != nil {
			return nil, err
		}
		root.Walk(func(n *Node) {
			if n.PID != pid {
				add(n.PID, n.StartTime, base+n.Depth, "descendant", n.Subreaper)
			}
		})
	}
	if len(family) == 0 {
		return nil, exitedError{pid}
	}
	return family, nil
}

// WriteTree writes a family as pstree would, with what dlab judged of each:
// its verdict, its terminal, whether it leads its session, whether it is a
// child subreaper.
func WriteTree(w io.Writer, family []Relative) error {
	var b strings.Builder
	for _, e := range family {
		indent := strings.Repeat("   ", max(e.Depth-1, 0))
		branch := ""
		if e.Depth > 0 {
			branch = "└─ "
		}
		detail := []string{string(e.Verdict)}
		if !proc.HasTTYName(e.TTY) {
			detail = append(detail, "no terminal")
		} else {
			detail = append(detail, e.TTY)
		}
		if e.SID == e.PID {
			detail = append(detail, "session leader")
		}
		if e.Subreaper != "" {
			detail = append(detail, "child subreaper")
		}
		line := fmt.Sprintf("%s%s%d %s [%s]", indent, branch, e.PID, safe.Text(e.Command), strings.Join(detail, ", "))
		if e.Relation == "self" {
			line += "  <- explained"
		}
		b.WriteString(line + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
