package sysv_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"dlab/demos/lab/sysv"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
	"dlab/demos/testkit/leakcheck"

	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }

func init() {
	// sysv-test-launcher starts a daemon the way dlab does and prints it as
	// JSON: args are the directory, the registry, and what else to do:
	//   "ignore"     ignore SIGHUP and SIGINT first, as nohup and a
	//                non-interactive shell's "&" leave a program;
	//   "subreaper"  become a subreaper first, then stop the daemon, reap it
	//                and print how it ended;
	//   "hang"       stay alive after printing, until killed.
	reexec.Register("sysv-test-launcher", func(args []string) int {
		dir, reg, what := args[0], args[1], args[2]
		switch what {
		case "ignore":
			signal.Ignore(syscall.SIGHUP, syscall.SIGINT)
		case "subreaper":
			if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		d, err := sysv.Start(context.Background(), sysv.Options{Dir: dir, Registry: &registry.Store{Dir: reg}, Lifetime: time.Minute})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		json.NewEncoder(os.Stdout).Encode(d)
		switch what {
		case "subreaper":
			// The daemon is our child now: after it ends, we must reap it.
			if err := d.Stop(5 * time.Second); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			var ws unix.WaitStatus
			if _, err := unix.Wait4(d.PID, &ws, 0, nil); err != nil {
				fmt.Fprintln(os.Stderr, "reaping the daemon:", err)
				return 1
			}
			fmt.Printf("reaped: exit status %d\n", ws.ExitStatus())
		case "hang":
			os.Stdout.Close()
			time.Sleep(time.Minute)
		}
		return 0
	})
	// sysv-test-blocked starts sysv-test-launcher with SIGUSR1 blocked, as a
	// parent that blocked it before fork would: the mask survives exec.
	reexec.Register("sysv-test-blocked", func(args []string) int {
		runtime.LockOSThread()
		var set unix.Sigset_t
		set.Val[0] = 1 << (uint(unix.SIGUSR1) - 1)
		if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, nil); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		self, _ := reexec.Self()
		err := syscall.Exec(self, reexec.Args("sysv-test-launcher", args...), os.Environ())
		fmt.Fprintln(os.Stderr, err)
		return 1
	})
}

// startDaemon starts a daemon in a directory and registry of the test's
// own, and stops it when the test ends.
func startDaemon(t *testing.T, opts sysv.Options) *sysv.Daemon {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	if opts.Registry == nil {
		opts.Registry = &registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}
	}
	if opts.Lifetime == 0 {
		opts.Lifetime = time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := sysv.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Stop(5 * time.Second); err != nil {
			t.Error(err)
		}
	})
	return d
}

func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
