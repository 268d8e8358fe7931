package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"dlab/demos/launch/reexec"

	"golang.org/x/sys/unix"
)

const roleSetsid = "lesson-setsid" // calls setsid() and says what happened

func init() { reexec.Register(roleSetsid, runSetsid) }

// SetsidTrial is what one real call of setsid(2) did.
type SetsidTrial struct {
	PID, PGID, SID  int    // before the call
	Result          string // "ok", or the error: "EPERM"
	NewPGID, NewSID int    // after a successful call
}

// OK reports whether setsid succeeded.
func (s SetsidTrial) OK() bool { return s.Result == "ok" }

// TrySetsid runs a helper that calls setsid(): as the leader of a process
// group of its own (as a shell's job is), or as a plain member of dlab's
// group (as the child of a fork is).
func TrySetsid(ctx context.Context, groupLeader bool) (SetsidTrial, error) {
	cmd, err := reexec.Command(roleSetsid)
	if err != nil {
		return SetsidTrial{}, err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: groupLeader}
	out, err := cmd.Output()
	if err != nil {
		return SetsidTrial{}, fmt.Errorf("setsid helper: %w", err)
	}
	kv := map[string]string{}
	for _, f := range strings.Fields(string(out)) {
		if k, v, ok := strings.Cut(f, "="); ok {
			kv[k] = v
		}
	}
	t := SetsidTrial{PID: atoi(kv["pid"]), PGID: atoi(kv["pgid"]), SID: atoi(kv["sid"]), Result: kv["setsid"],
		NewPGID: atoi(kv["new-pgid"]), NewSID: atoi(kv["new-sid"])}
	if t.Result == "" {
		return t, fmt.Errorf("setsid helper printed %q", out)
	}
	return t, nil
}

// runSetsid reports its PID, process group and session, calls setsid() and
// reports the outcome, as "key=value" words on stdout.
func runSetsid(args []string) int {
	pid := os.Getpid()
	pgid, _ := unix.Getpgid(0)
	sid, _ := unix.Getsid(0)
	fmt.Printf("pid=%d pgid=%d sid=%d\n", pid, pgid, sid)
	if _, err := unix.Setsid(); err != nil {
		name := err.Error()
		if errors.Is(err, unix.EPERM) {
			name = "EPERM"
		}
		fmt.Printf("setsid=%s\n", name)
		return 0
	}
	pgid, _ = unix.Getpgid(0)
	sid, _ = unix.Getsid(0)
	fmt.Printf("setsid=ok new-pgid=%d new-sid=%d\n", pgid, sid)
	return 0
}
