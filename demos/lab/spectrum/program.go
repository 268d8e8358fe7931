package spectrum

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"dlab/demos/launch/reexec"

	"golang.org/x/sys/unix"
)

// The roles, registered once for the whole binary: each is `dlab __ROLE`.
const (
	roleProgram   = "spectrum-program"
	roleTerminal  = "terminal"
	rolePtyServer = "pty-server"
	roleSupervise = "supervisor"
	roleService   = "service"
)

func init() {
	reexec.Register(roleProgram, runProgram)
	reexec.Register(roleTerminal, runTerminal)
	reexec.Register(rolePtyServer, runHolder(rolePtyServer))
	reexec.Register(roleSupervise, runSupervisor)
	reexec.Register(roleService, runService)
}

// roleFlags are the flags every role takes.
type roleFlags struct {
	readyFD  int
	log      string
	lifetime time.Duration
}

func parseRoleFlags(name string, args []string, extra func(*flag.FlagSet)) (roleFlags, []string, error) {
	var rf roleFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&rf.readyFD, "ready-fd", -1, "")
	fs.StringVar(&rf.log, "log", "", "")
	fs.DurationVar(&rf.lifetime, "lifetime", time.Hour, "")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(os.Stderr, "dlab: %s: %v\n", name, err)
		return rf, nil, err
	}
	return rf, fs.Args(), nil
}

// roleLog opens a role's log file (or discards) with lines like
// "12:00:00.000000 shell[42]: ...".
func roleLog(name, path string) *log.Logger {
	var w io.Writer = io.Discard
	if path != "" {
		if f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err == nil {
			w = f
		}
	}
	return log.New(w, fmt.Sprintf("%s[%d]: ", name, os.Getpid()), log.Ltime|log.Lmicroseconds|log.Lmsgprefix)
}

// runProgram is the plain program that nohup, setsid and the pty server
// run, and the plain job typed next to them. It installs no signal handler
// of its own: whatever it does with a signal is the disposition it
// inherited (nohup's ignored SIGHUP survives exec, signal(7)) or the
// default, so what happens to it is what would happen to any program. The
// Go runtime would catch SIGHUP and die of it a moment later; the default
// action, restored here, has the kernel end it as it sends the signal.
func runProgram(args []string) int {
	var readyFile, as string
	rf, _, err := parseRoleFlags(roleProgram, args, func(fs *flag.FlagSet) {
		fs.StringVar(&readyFile, "ready-file", "", "")
		fs.StringVar(&as, "as", "program", "")
	})
	if err != nil {
		return 2
	}
	if !signal.Ignored(syscall.SIGHUP) {
		reexec.SetDefault(unix.SIGHUP)
	}
	// Its parent when it starts: the shell, or setsid(1) about to exit.
	ppid := fmt.Sprintf("ppid=%d", os.Getppid())
	if f := announce(rf.readyFD, as, ppid); f != nil {
		f.Close()
	}
	if readyFile != "" {
		// A FIFO the launcher reads (tmux passes on no inherited fd).
		if f, err := os.OpenFile(readyFile, os.O_WRONLY, 0); err == nil {
			announceOn(f, as, ppid)
			f.Close()
		}
	}
	time.Sleep(rf.lifetime)
	return 0
}
