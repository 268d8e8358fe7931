package compare

import (
	"fmt"
	"strings"

	"dlab/demos/lab/spectrum"
)

// Markdown is the side-by-side table and the experiments, for a lesson.
func (r Result) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| | normal process (PID %d) | daemon (PID %d) |\n|---|---|---|\n", r.Normal.PID, r.Daemon.PID)
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "| **%s** | %s | %s |\n", md(row.Aspect), md(row.Normal.Observed), md(row.Daemon.Observed))
		if row.Draft != nil {
			fmt.Fprintf(&b, "| *the draft says* | *%s* | *%s* |\n", md(row.Draft.Normal), md(row.Draft.Daemon))
		}
	}
	fmt.Fprintf(&b, "\nThe daemon's parent, after its first child exited: %s.\n", md(r.Reaper))
	if r.hasGo() {
		fmt.Fprintf(&b, "\n%s\n", md(spectrum.GoNote))
	}
	if len(r.Experiments) > 0 {
		b.WriteString("\n")
		b.WriteString(r.Experiments.Markdown())
	}
	return b.String()
}

// Markdown is the experiments as a table: what the lesson expects, what was
// observed, and whether they match.
func (es Experiments) Markdown() string {
	var b strings.Builder
	b.WriteString("| event | process | the draft says | expected | observed | |\n|---|---|---|---|---|---|\n")
	for _, e := range es {
		draft := md(e.Draft)
		if e.DraftHolds != nil && !*e.DraftHolds {
			draft = "~~" + draft + "~~"
		}
		fmt.Fprintf(&b, "| %s | %s (PID %d) | %s | %s | %s | %s |\n", md(string(e.Event)), e.Target, e.PID,
			draft, md(e.Expected.Text), md(e.Observed.Text), e.Mark())
	}
	for _, e := range es.DraftWrong() {
		fmt.Fprintf(&b, "\n%s\n", md(e.DraftNote()))
	}
	if n := es.Mismatches(); n > 0 {
		fmt.Fprintf(&b, "\n**%d mismatch(es)**: what was observed is not what the lesson expects; see the evidence with --json.\n", n)
	}
	if n := es.Inconclusives(); n > 0 {
		fmt.Fprintf(&b, "\n**%d inconclusive**: %s\n", n, md(InconclusiveNote))
	}
	return b.String()
}

// DraftWrong lists the experiments whose observation contradicts the
// draft's signal table.
func (es Experiments) DraftWrong() Experiments {
	var wrong Experiments
	for _, e := range es {
		if e.DraftHolds != nil && !*e.DraftHolds {
			wrong = append(wrong, e)
		}
	}
	return wrong
}

// DraftNote says how the observation contradicts the draft, and why.
func (e Experiment) DraftNote() string {
	return fmt.Sprintf("The draft's signal table says of %s to a %s process: %q. Observed: %s. Why: %s.",
		e.Event, map[Target]string{NormalProcess: "normal", SysVDaemon: "daemon"}[e.Target], e.Draft, e.Observed.Text, e.Expected.Why)
}

// Mark says in a few characters how the observation compares with the
// lesson.
func (e Experiment) Mark() string {
	switch {
	case e.Match:
		return "✓ as expected"
	case e.Inconclusive():
		return "? inconclusive"
	}
	return "✗ MISMATCH"
}

// InconclusiveNote says what an inconclusive experiment means and what to
// do about it.
const InconclusiveNote = "the machine was too busy to see what happened in time, which contradicts nothing the lesson says; run dlab demo compare again when it is quieter."

// md keeps a value from breaking a Markdown table.
func md(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "\n", " ").Replace(s)
}

// GoNote is spectrum.GoNote when a cell of the table needs it, else "".
func (r Result) GoNote() string {
	if r.hasGo() {
		return spectrum.GoNote
	}
	return ""
}

func (r Result) hasGo() bool {
	for _, row := range r.Rows {
		if strings.HasSuffix(row.Normal.Observed, "(Go)") || strings.HasSuffix(row.Daemon.Observed, "(Go)") {
			return true
		}
	}
	return false
}
