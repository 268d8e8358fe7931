package pidfd

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
	"dlab/demos/testkit/orphan"

	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }

// startOrphan starts a process that is not our child.
func startOrphan(t *testing.T) *Process {
	t.Helper()
	cmd, err := orphan.Command()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := orphan.PID(out)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Open(pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop(time.Second); p.Close() })
	return p
}

func TestExitStatusOfAProcessThatIsNotOurChild(t *testing.T) {
	for _, sig := range []unix.Signal{unix.SIGINT, unix.SIGTERM, unix.SIGKILL} {
		p := startOrphan(t)
		if err := p.Signal(sig); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		e, err := p.ExitStatus(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if !e.Known || e.Signal() != sig {
			t.Errorf("sent %v: exit %+v (%s), want killed by it", sig, e, e)
		}
	}
}

func TestSignalAfterReapIsErrGone(t *testing.T) {
	cmd, err := reexec.Command("pidfd-test-sleeper")
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p, err := Open(cmd.Process.Pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Signal(unix.SIGKILL)
	cmd.Wait()
	if err := p.Signal(unix.SIGTERM); !errors.Is(err, proc.ErrGone) {
		t.Errorf("signal to a reaped process: %v, want ErrGone", err)
	}
	// Reaped by us, its status is still there for the pidfd holder.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if e, _ := p.ExitStatus(ctx); e.Known && e.Signal() != unix.SIGKILL {
		t.Errorf("exit after reap: %s, want killed by SIGKILL", e)
	}
}

func TestOpenRefusesAReusedPID(t *testing.T) {
	p := startOrphan(t)
	if _, err := Open(p.PID, p.StartTime+1); !errors.Is(err, proc.ErrGone) {
		t.Errorf("open with the wrong start time: %v, want ErrGone", err)
	}
}

func TestStopEndsAProcessThatIgnoresSIGTERM(t *testing.T) {
	cmd := exec.Command("sh", "-c", "trap '' TERM; echo ready; exec sleep 60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	out.Read(buf)
	go cmd.Wait()
	p, err := Open(cmd.Process.Pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Stop(100 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if p.Alive() {
		t.Error("still alive after Stop")
	}
}
