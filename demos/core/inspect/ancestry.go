package inspect

import (
	"dlab/demos/core/proc"
)

// maxDepth bounds a walk up or down the process tree, so a malformed fixture
// (a process that is its own ancestor) can't loop.
const maxDepth = 1024

// Ancestry walks from st's parent up to PID 1 (or the top of its PID
// namespace). Each ancestor must have started no later than the process below
// it: a parent is always older than its child, so a younger process at the
// parent's PID is a reused PID, and the walk stops there rather than join a
// stranger to the chain.
func Ancestry(fs proc.FS, st proc.Stat) []Ancestor {
	var chain []Ancestor
	child := st
	for depth := 0; child.PPID > 0 && depth < maxDepth; depth++ {
		parent, err := fs.Stat(child.PPID)
		if err != nil || parent.StartTime > child.StartTime || parent.PID == child.PID {
			break
		}
		chain = append(chain, Ancestor{
			PID: parent.PID, Comm: parent.Comm, TTY: proc.TTYName(parent.TTY), SID: parent.SID,
			Verdict: VerdictOf(parent), StartTime: parent.StartTime, Subreaper: knownSubreaper(parent),
		})
		child = parent
	}
	return chain
}

// knownSubreaper says why a process is taken for a child subreaper. The
// kernel keeps the PR_SET_CHILD_SUBREAPER flag out of /proc (only the process
// itself can ask, with PR_GET_CHILD_SUBREAPER), so dlab recognises the
// programs documented to set it, and says so.
func knownSubreaper(st proc.Stat) string {
	switch st.Comm {
	case "systemd":
		if st.PID != 1 {
			return "systemd --user, the user's service manager, sets PR_SET_CHILD_SUBREAPER"
		}
	case "tini":
		return "tini sets PR_SET_CHILD_SUBREAPER when it is not PID 1 (tini -s)"
	case "containerd-shim", "containerd-shi": // comm is cut to 15 bytes
		return "containerd-shim sets PR_SET_CHILD_SUBREAPER for the container it runs"
	case "conmon":
		return "conmon sets PR_SET_CHILD_SUBREAPER for the container it monitors"
	}
	return ""
}

// Reaper is who would adopt a process whose parent exits: the nearest
// subreaper above the parent, else the top of the chain (PID 1 of the PID
// namespace). ok is false when the chain is empty.
func Reaper(chain []Ancestor) (Ancestor, bool) {
	if len(chain) == 0 {
		return Ancestor{}, false
	}
	for _, a := range chain[1:] {
		if a.Subreaper != "" {
			return a, true
		}
	}
	return chain[len(chain)-1], true
}

// Node is a process in a tree of descendants.
type Node struct {
	Ancestor
	PPID     int     `json:"ppid"`
	Depth    int     `json:"depth"`
	Children []*Node `json:"children,omitempty"`
}

// Descendants lists the processes below pid as a tree, from proc's walk of
// the process tree (which keeps a reused PID out of it).
func Descendants(fs proc.FS, pid int) (*Node, error) {
	root, err := fs.Stat(pid)
	if err != nil {
		return nil, err
	}
	below, err := fs.Descendants(pid)
	if err != nil {
		return nil, err
	}
	byParent := map[int][]proc.Stat{}
	for _, st := range below {
		byParent[st.PPID] = append(byParent[st.PPID], st)
	}
	var build func(st proc.Stat, depth int) *Node
	build = func(st proc.Stat, depth int) *Node {
		n := &Node{
			Ancestor: Ancestor{PID: st.PID, Comm: st.Comm, TTY: proc.TTYName(st.TTY), SID: st.SID,
				Verdict: VerdictOf(st), StartTime: st.StartTime, Subreaper: knownSubreaper(st)},
			PPID: st.PPID, Depth: depth,
		}
		if depth >= maxDepth {
			return n
		}
		for _, k := range byParent[st.PID] { // in PID order, as the walk gives them
			n.Children = append(n.Children, build(k, depth+1))
		}
		return n
	}
	return build(root, 0), nil
}

// Walk calls fn for n and every node below it, parents first.
func (n *Node) Walk(fn func(*Node)) {
	fn(n)
	for _, c := range n.Children {
		c.Walk(fn)
	}
}
