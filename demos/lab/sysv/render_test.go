package sysv

import (
	"bytes"
	"testing"
	"time"

	"dlab/demos/testkit/golden"
)

// daemonFixture is a daemon as Start returns it, started by root on a
// machine whose PID 1 is not systemd.
func daemonFixture() *Daemon {
	dir := "/run/user/1000/dlab/runs/4310-998/sysv-daemon-1"
	return &Daemon{
		PID: 4316, StartTime: 1000, Dir: dir,
		PIDFile: dir + "/dlab.pid", LogFile: dir + "/dlab.log", ConfigFile: dir + "/dlab.conf",
		Addr:   "127.0.0.1:41359",
		Reaper: Reaper{PID: 1, Comm: "process_api", Init: true},
		UID:    65534, User: "nobody", DroppedFrom: "root", Umask: Umask, Lifetime: time.Hour,
		Stages: []Stage{
			{Name: "launcher", When: "as you started it", PID: 4310, PPID: 1200, PGID: 4310, SID: 1200, TTY: "pts/0"},
			{Name: "first child", When: "after setsid (step 6): leads a new session, no terminal", PID: 4315, PPID: 4310, PGID: 4315, SID: 4315, TTY: "?"},
			{Name: "daemon", When: "after the second fork (step 7): ...", PID: 4316, PPID: 4315, PGID: 4315, SID: 4315, TTY: "?"},
			{Name: "daemon", When: "after the first child exited (step 8): ...", PID: 4316, PPID: 1, PGID: 4315, SID: 4315, TTY: "?"},
		},
	}
}

func TestDaemonTextGolden(t *testing.T) {
	var b bytes.Buffer
	daemonFixture().WriteText(&b)
	golden.Check(t, "daemon.txt", b.Bytes())
}
