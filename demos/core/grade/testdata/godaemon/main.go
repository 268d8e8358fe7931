// Command godaemon is a SysV daemon written in Go: each step of daemon(7),
// the way Go can do it.
//
// Go cannot fork without exec, so each fork of the classic recipe is the
// program executing itself again, the stage passed in an environment
// variable and the readiness pipe (step 14) passed as fd 3.
//
//	godaemon -pidfile /run/godaemon.pid
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
)

const stageVar = "GODAEMON_STAGE"

func main() {
	pidfile := flag.String("pidfile", "", "where to write the daemon's PID")
	flag.Parse()
	if *pidfile == "" {
		fmt.Fprintln(os.Stderr, "usage: godaemon -pidfile PATH")
		os.Exit(2)
	}
	switch os.Getenv(stageVar) {
	case "":
		original()
	case "1":
		firstChild()
	default:
		daemon(*pidfile)
	}
}

// again runs this program once more at the given stage.
func again(stage string, setsid bool, ready *os.File) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, os.Args[1:]...)
	// Step 4: a sanitized environment (PATH and the stage; DLAB_* is kept
	// only so dlab's own tests can see the process is theirs).
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", stageVar + "=" + stage}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DLAB_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	// Step 9: stdin, stdout and stderr on /dev/null (exec.Cmd's nil).
	cmd.ExtraFiles = []*os.File{ready}
	// Step 6: setsid() in the child of the first fork.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: setsid}
	return cmd.Start()
}

// original is the process the caller started: it forks (step 5) and exits
// once the daemon says it is ready (step 15).
func original() {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "godaemon:", err)
		os.Exit(1)
	}
	if err := again("1", true, w); err != nil {
		fmt.Fprintln(os.Stderr, "godaemon:", err)
		os.Exit(1)
	}
	w.Close()
	buf := make([]byte, 16)
	n, _ := r.Read(buf)
	if strings.TrimSpace(string(buf[:n])) != "READY" {
		fmt.Fprintln(os.Stderr, "godaemon: the daemon did not start")
		os.Exit(1)
	}
	os.Exit(0)
}

// firstChild leads the new session; it forks again (step 7) so the daemon
// is not a session leader, and exits (step 8).
func firstChild() {
	if err := again("2", false, os.NewFile(3, "ready")); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

func daemon(pidfile string) {
	ready := os.NewFile(3, "ready")
	syscall.Umask(0o022) // step 10
	os.Chdir("/")        // step 11
	// Step 12: the PID file, refusing to run twice.
	f, err := os.OpenFile(pidfile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		os.Exit(1)
	}
	fmt.Fprintln(f, os.Getpid())
	f.Close()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM)
	ready.WriteString("READY\n") // step 14
	ready.Close()
	for sig := range sigs {
		if sig == syscall.SIGTERM {
			os.Remove(pidfile)
			os.Exit(0)
		}
		// SIGHUP: reload the configuration (there is none to reload).
	}
}
