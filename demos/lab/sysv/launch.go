package sysv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
	"dlab/demos/launch/lifeline"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
)

// readyTimeout bounds the wait for readiness when ctx has no deadline. A
// daemon is ready in milliseconds; this only guards against a hang.
const readyTimeout = 10 * time.Second

// Start launches the demo daemon and returns once it has said it is ready
// (daemon(7) steps 14 and 15). It is recorded in the registry. If ctx ends
// first, or a step fails, whatever was started is ended and an error says
// which step failed.
func Start(ctx context.Context, opts Options) (*Daemon, error) {
	if opts.Lifetime <= 0 {
		opts.Lifetime = DefaultLifetime
	}
	store, err := storeOf(opts)
	if err != nil {
		return nil, err
	}
	if opts.Dir == "" {
		if opts.Dir, err = registry.RunDir("sysv-daemon"); err != nil {
			return nil, err
		}
	}
	if opts.Dir, err = filepath.Abs(opts.Dir); err != nil {
		return nil, err
	}
	config := filepath.Join(opts.Dir, ConfigFileName)
	if _, err := os.Stat(config); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(config, []byte(defaultConfig), 0o644); err != nil {
			return nil, fmt.Errorf("cannot write the demo daemon's configuration: %w", err)
		}
	}
	// Readable by the unprivileged user a root-started daemon becomes.
	os.Chmod(config, 0o644)

	launcher, err := selfStage("launcher", "as you started it")
	if err != nil {
		return nil, err
	}
	a := roleArgs{Dir: opts.Dir, Lifetime: opts.Lifetime, Listen: opts.Listen, Registry: store.Dir, Run: registry.RunID()}
	if !opts.Keep {
		a.Owner = registry.Self()
	}

	// Step 14's pipe, opened before the first fork. Both ends are
	// close-on-exec; the write end reaches the children only as fd 3.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()

	// Step 5: fork (and exec stage 1), with step 6, setsid, done in the child.
	cmd, err := reexec.Command("sysv-stage1", a.flags()...)
	if err != nil {
		w.Close()
		return nil, err
	}
	// Step 4: a sanitized environment.
	cmd.Env = sanitizedEnv(os.Environ())
	// A demo's daemon ends itself when this dlab is gone (package
	// lifeline); one the user asked to keep (dlab demo daemon) must not.
	if opts.Keep {
		lifeline.Cut(cmd)
	} else {
		lifeline.Attach(cmd)
	}
	// The children inherit dlab's stdio, as they would across fork; the
	// daemon lets go of it in step 9, before it says it is ready.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	w.Close() // now only the children hold the write end: EOF means they are all gone
	if err != nil {
		return nil, fmt.Errorf("cannot start the demo daemon's first child: %w", err)
	}
	// Recorded at once, before it says a word: a dlab killed a moment
	// later leaves nothing unknown to `dlab demo cleanup`. Stage 1 records
	// the daemon the same way.
	stage1, _ := store.Started(cmd.Process.Pid, registry.Entry{Kind: "sysv-first-child", Run: a.Run, Owner: a.Owner})
	// Stage 1 exits right after the second fork (step 8); reap it.
	stage1Done := make(chan error, 1)
	go func() { err := cmd.Wait(); store.Forget(stage1); stage1Done <- err }()

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, readyTimeout)
		defer cancel()
	}
	stages := []Stage{launcher}
	var d *Daemon
	var failure error
	// Read until end of file: the daemon closes its end of the pipe right
	// after the ready event, and the launcher returns only once the daemon
	// holds nothing of it.
	readErr := event.Read(ctx, r, func(e event.Event) error {
		switch e.Kind {
		case "error":
			failure = errors.New(e.Error)
			return event.ErrStop
		case "stage":
			var s Stage
			if err := e.Decode(&s); err != nil {
				return err
			}
			stages = append(stages, s)
		case "ready":
			var ready Daemon
			if err := e.Decode(&ready); err != nil {
				return err
			}
			d = &ready
		}
		return nil
	})
	if d == nil || failure != nil {
		if failure == nil {
			failure = readFailure(ctx, readErr, stage1Done)
		}
		cmd.Process.Kill()
		abandon(stages, store)
		<-stage1Done
		return nil, fmt.Errorf("the demo daemon did not start: %w", failure)
	}
	d.Stages = stages
	d.store = store
	// Ready means running; should it already be gone (a very short
	// lifetime), each method opens a pidfd of its own and says so.
	if p, err := pidfd.Open(d.PID, d.StartTime); err == nil {
		d.watch = p
	}
	return d, nil
}

// storeOf returns the registry to use.
func storeOf(opts Options) (registry.Store, error) {
	if opts.Registry != nil {
		return *opts.Registry, nil
	}
	return registry.Default()
}

// readFailure explains why the pipe ended without a ready message.
func readFailure(ctx context.Context, readErr error, stage1Done <-chan error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("not ready in time: %w", ctx.Err())
	}
	if readErr != nil {
		return readErr
	}
	select {
	case err := <-stage1Done:
		if err != nil {
			return fmt.Errorf("its processes ended without a word (first child: %v)", err)
		}
	default:
	}
	return errors.New("its processes ended without a word")
}

// abandon ends the daemon of a failed start, if it had reported itself.
func abandon(stages []Stage, store registry.Store) {
	for _, s := range stages {
		if s.Name != "daemon" {
			continue
		}
		if p, err := pidfd.Open(s.PID, s.StartTime); err == nil {
			p.Signal(syscall.SIGKILL)
			p.Close()
		} else if !errors.Is(err, proc.ErrGone) {
			continue
		}
		store.Remove(s.PID)
	}
}
