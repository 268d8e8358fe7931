package workshop

// planEntry is a lesson's place in the 90-minute workshop.
type planEntry struct {
	minutes  int
	exercise string // an exercise ID, "" for none
	prompts  []string
}

// plan gives each lesson its minutes (reading, exercise and discussion; they
// add up to 90), its exercise and the questions an instructor can put to the
// room. The prompts aim at what students get wrong.
var plan = map[string]planEntry{
	"differences": {8, "your-shell", []string{
		"Which rows of the usual table are things the kernel knows (terminal, session, parent) and which are habits (names ending in d, started at boot, run as root)?",
		"Your shell has a terminal and leads its session: which of those would a daemon give up, and why?",
	}},
	"spotting": {7, "find-daemon", []string{
		"ps aux | grep '?' lists more than daemons: what else has no terminal? (kernel threads, cron jobs, commands run over ssh without a pty)",
		"On this machine PID 1 may not be systemd: what does that change about 'the parent of a daemon is PID 1'?",
	}},
	"parents": {8, "zombie", []string{
		"Who reaps an orphan's exit status? What if PID 1 never calls wait()?",
		"Why is a zombie harmless one at a time, and a problem by the thousand?",
	}},
	"detaching": {12, "daemonize-script", []string{
		"Why must setsid() be called in a child and not in the original process?",
		"What exactly could go wrong without the second fork? (a session leader opening a terminal acquires it)",
		"Which of daemon(7)'s steps does a new-style daemon skip, and who does them instead?",
	}},
	"file-descriptors": {6, "redirect", []string{
		"What happens to a daemon that writes to a terminal that has hung up? And one whose fd 1 is simply closed?",
		"Why is a leaked fd from the parent (Go doesn't close them for you) a problem for a daemon?",
	}},
	"working-directory": {5, "cwd-umask", []string{
		"Which directory would your daemon keep busy if it never called chdir(\"/\")? What breaks then?",
		"Why does a daemon set its own umask instead of trusting the caller's?",
	}},
	"job-control": {6, "stopped-job", []string{
		"^C, ^Z and ^\\ go to a whole process group: which one, and who decides?",
		"What happens to a background job that reads from the terminal?",
	}},
	"startup": {8, "survive-hangup", []string{
		"nohup, setsid, tmux, a real daemon: which survives the terminal closing, which survives logout with KillUserProcesses=yes, which is a daemon?",
		"Why is 'it survived closing the terminal' not the same as 'it is a daemon'?",
	}},
	"process-commands": {5, "stop-by-pidfile", []string{
		"pkill -f 'python script.py' and killall: what could they hit besides your process?",
		"What makes a PID file trustworthy, and when does it lie?",
	}},
	"service-management": {4, "", []string{
		"systemctl stop sends SIGTERM and, 90 seconds later, SIGKILL: what should a daemon do in between?",
		"Type=forking versus Type=notify: which one needs a PID file, and why?",
	}},
	"troubleshooting": {6, "port-owner", []string{
		"Which tools need root to name another user's process behind a socket, and why?",
		"The port is taken but nothing seems to run: where would you look next?",
	}},
	"monitoring-logs": {4, "log-file", []string{
		"A SysV daemon writes to a log file or syslog; a new-style one writes to stderr. Who adds the time stamps in each case?",
		"What happens to a log file that was deleted while the daemon still holds it open?",
	}},
	"security": {3, "", []string{
		"Which of daemon(7)'s steps is about privileges, and why must it come after the PID file and the sockets are opened?",
	}},
	"signals": {5, "reload", []string{
		"SIGHUP means 'your terminal hung up' to a normal process and 'reload' to a daemon: why can both be true?",
		"Which signals can't be caught, and why does that matter for shutdown?",
	}},
	"supervision": {3, "", []string{
		"Restart=always with RestartSec=0 on a program that crashes at start: what happens to the machine?",
		"A supervisor needs its daemon in the foreground: why does a forking daemon make supervision harder?",
	}},
}
