package catalog

import (
	"context"
	"fmt"

	"dlab/demos/core/proc"
	"dlab/demos/lab/orphan"
)

func init() {
	register(Demo{Name: "orphan", Shows: "who adopts and reaps an orphan on this machine: PID 1, or a child subreaper", run: orphanDemo})
}

// orphanDemo orphans a process twice (demos/lab/orphan): once below dlab,
// where the kernel hands it to PID 1 (or to a subreaper above dlab), and
// once below a helper that declared itself a child subreaper, which adopts
// it instead.
func orphanDemo(ctx context.Context) (string, error) {
	r, err := orphan.Orphans(ctx)
	if err != nil {
		return "", err
	}
	fs := proc.Live()
	a, b := r.BelowDlab, r.BelowSubreaper
	t := newTable("", "below dlab", "below a subreaper")
	t.add("orphan PID", a.Orphan, b.Orphan)
	t.add("its parent, which exited", a.Parent, b.Parent)
	t.add("adopted by", describePID(fs, a.AdoptedBy), describePID(fs, b.AdoptedBy)+" (the subreaper)")
	t.add("after it exited", a.Reaped, b.Reaped)

	why := "PID 1 of this PID namespace adopted the orphan: nothing between dlab and PID 1 declared itself a child subreaper."
	if a.AdoptedBy != 1 {
		why = fmt.Sprintf("The orphan went to PID %d, not PID 1: an ancestor of dlab declared itself a child subreaper (as systemd --user, tini and many supervisors do), and the kernel hands orphans to the nearest one.", a.AdoptedBy)
	}
	return doc(
		t.String(),
		why,
		"On the right, a helper called `prctl(PR_SET_CHILD_SUBREAPER)` before its child orphaned a grandchild: the kernel handed the grandchild to the helper, which then had to wait() for it. So \"the parent of a daemon is PID 1\" is a property of the machine, not of daemons.",
	), nil
}

// describePID names a process as "PID 1 (process_api)".
func describePID(fs proc.FS, pid int) string {
	if st, err := fs.Stat(pid); err == nil {
		return fmt.Sprintf("PID %d (%s)", pid, st.Comm)
	}
	return fmt.Sprintf("PID %d", pid)
}
