package sysv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/registry"

	"golang.org/x/sys/unix"
)

// runDaemon is the daemon: the second child, steps 1-3 again, then 9-14, then
// its service loop.
func runDaemon(args []string) int {
	// Keep the main thread for this goroutine. /proc/PID/status shows the
	// signal mask of the main thread only, and os/signal's watcher thread
	// blocks every signal it doesn't deliver: were it to land on the main
	// thread, SigBlk would look as if step 3 had not been done.
	runtime.LockOSThread()
	ready := os.NewFile(readyFD, "readiness pipe")
	fail := func(err error) int {
		sendError(ready, "daemon", err)
		return 1
	}
	a, err := parseRoleArgs("sysv-daemon", args)
	if err != nil {
		return fail(err)
	}
	// Steps 3, 1 and 2 again, in case this process was started some other
	// way than by stage 1. SIGHUP and SIGTERM are caught (reload, shut
	// down) before the others are reset, so that they are never ignored and
	// never take the default action meanwhile.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM)
	if err := resetInheritance(syscall.SIGHUP, syscall.SIGTERM); err != nil {
		return fail(err)
	}

	// Step 8: wait for the first child to exit, then see who adopted us.
	if err := waitParentExit(a.FirstChild, 10*time.Second); err != nil {
		return fail(err)
	}
	reaper := findReaper()
	adopted, err := selfStage("daemon", "after the first child exited (step 8): reparented to "+reaper.String())
	if err != nil {
		return fail(err)
	}
	sendStage(ready, adopted)

	// Step 9: /dev/null on 0, 1, 2.
	if err := nullStdio(); err != nil {
		return fail(err)
	}
	// Step 10: the umask.
	syscall.Umask(Umask)
	// Step 11: cwd /, so the daemon holds no directory that would block an
	// unmount (a user's home on a removable disk, say).
	if err := os.Chdir("/"); err != nil {
		return fail(fmt.Errorf("step 11, chdir /: %w", err))
	}

	// Its own files, opened while it may still be root: the directory (kept
	// open to re-read the configuration and remove the PID file after step
	// 13), the log.
	dir, err := os.Open(a.Dir)
	if err != nil {
		return fail(err)
	}
	logFile, err := os.OpenFile(filepath.Join(a.Dir, LogFileName), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fail(fmt.Errorf("cannot open the log: %w", err))
	}
	logger := log.New(logFile, fmt.Sprintf("dlab-demo-daemon[%d]: ", os.Getpid()), log.LstdFlags)

	// Step 12: the PID file.
	pf, err := writePIDFile(dir, PIDFileName)
	if err != nil {
		logger.Print(err)
		return fail(err)
	}
	cleanExit := func(why string) int {
		logger.Print(why)
		if err := pf.remove(); err != nil {
			logger.Printf("cannot remove the PID file: %v", err)
		}
		return 0
	}

	var ln net.Listener
	if a.Listen {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return fail(err)
		}
	}

	d := Daemon{
		PID: os.Getpid(), StartTime: adopted.StartTime, Dir: a.Dir,
		PIDFile: filepath.Join(a.Dir, PIDFileName), LogFile: logFile.Name(),
		ConfigFile: filepath.Join(a.Dir, ConfigFileName),
		Reaper:     reaper, Umask: Umask, Lifetime: a.Lifetime,
		Stages: []Stage{adopted},
	}
	if ln != nil {
		d.Addr = ln.Addr().String()
	}

	// dlab's registry: recorded before it says it is ready, so there is no
	// moment when it runs unrecorded.
	store := registry.Store{Dir: a.Registry}
	if err := store.Add(registry.Entry{
		PID: d.PID, StartTime: d.StartTime, Kind: "sysv-daemon", Run: a.Run,
		PIDFile: d.PIDFile, LogFile: d.LogFile, Owner: a.Owner,
	}); err != nil {
		pf.remove()
		return fail(err)
	}

	// Step 13: drop privileges when started by root.
	if os.Geteuid() == 0 {
		to := nobody()
		if err := dropPrivileges(a.Dir, to); err != nil {
			logger.Print(err)
			pf.remove()
			return fail(err)
		}
		d.DroppedFrom = "root"
		logger.Printf("dropped privileges from root to %s (uid %d)", to.Name, to.UID)
	}
	d.UID = os.Getuid()
	d.User = userName(d.UID)

	// The greeting is read by the connections' goroutine and replaced on
	// SIGHUP: an atomic pointer, set before the log line says it was
	// reloaded, so a reader of the log never greets the old one.
	var greeting atomic.Pointer[string]
	readGreeting(dir, logger, "read configuration", &greeting)

	// Step 14: tell the launcher it is ready, through the pipe opened before
	// the first fork. If nobody reads any more (the launcher was killed),
	// the write fails with EPIPE and the daemon gives up rather than run
	// unwatched.
	if err := sendReady(ready, &d); err != nil {
		store.Remove(d.PID)
		return cleanExit("the launcher is gone, nobody waits for this daemon: exiting")
	}
	ready.Close()
	logger.Printf("%s%d", LogReady, d.PID)

	if ln != nil {
		go serve(ln, func() string {
			if g := greeting.Load(); g != nil {
				return *g
			}
			return ""
		})
	}
	lifetime := time.NewTimer(a.Lifetime)
	for {
		select {
		case sig := <-sigs:
			switch sig {
			case syscall.SIGHUP:
				// A daemon has no terminal that could hang up, so SIGHUP
				// is free to mean "reload" (a convention, not a kernel rule).
				readGreeting(dir, logger, LogReloaded, &greeting)
			case syscall.SIGTERM:
				return cleanExit(LogShutdown)
			}
		case <-lifetime.C:
			return cleanExit(fmt.Sprintf("lifetime over (%s): exiting", a.Lifetime))
		}
	}
}

// waitParentExit waits until the first child has exited and this process
// has been reparented. It holds the parent by a pidfd, which becomes
// readable on its exit.
func waitParentExit(parent int, timeout time.Duration) error {
	if os.Getppid() != parent {
		return nil // already reparented
	}
	p, err := pidfd.Open(parent, 0)
	if errors.Is(err, proc.ErrGone) {
		return nil
	}
	if err != nil {
		return err
	}
	defer p.Close()
	if os.Getppid() != parent {
		return nil // it exited between the two checks; the pidfd may hold another process
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := p.Wait(ctx); err != nil {
		return fmt.Errorf("step 8, the first child never exited: %w", err)
	}
	return nil
}

// readGreeting reads the configuration (through the directory opened before
// step 13, so it works after dropping privileges), stores the greeting,
// then logs what it did; when the file can't be used, the old greeting
// stays.
func readGreeting(dir *os.File, logger *log.Logger, did string, greeting *atomic.Pointer[string]) {
	fd, err := unix.Openat(int(dir.Fd()), ConfigFileName, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		logger.Printf("cannot read the configuration, keeping the old one: %v", err)
		return
	}
	f := os.NewFile(uintptr(fd), ConfigFileName)
	defer f.Close()
	conf, err := readConfig(f)
	if err != nil {
		logger.Printf("bad configuration, keeping the old one: %v", err)
		return
	}
	g := conf["greeting"]
	greeting.Store(&g)
	logger.Printf("%s: greeting=%q", did, g)
}

// serve greets each connection with one line and closes it.
func serve(ln net.Listener, greeting func() string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.SetDeadline(time.Now().Add(time.Second))
		io.WriteString(c, greeting()+"\n")
		c.Close()
	}
}

func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return strconv.Itoa(uid)
}
