package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/lab/sysv"
	"dlab/demos/launch/registry"
	"dlab/demos/testkit/golden"
)

func TestDemoDaemonFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *demoDaemonOptions
	cmd := newDemoDaemonCmd(ios, func(o *demoDaemonOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--lifetime", "10m", "--listen", "--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Lifetime != 10*time.Minute || !got.Listen || !got.JSON {
		t.Fatalf("options %+v", got)
	}
	cmd = newDemoDaemonCmd(ios, func(o *demoDaemonOptions) error { got = o; return nil })
	cmd.SetArgs(nil)
	cmd.Execute()
	if got.Lifetime != sysv.DefaultLifetime || got.Listen || got.JSON {
		t.Fatalf("defaults %+v", got)
	}
}

func TestDemoStopArguments(t *testing.T) {
	tests := []struct {
		args    []string
		want    []int
		wantErr string
	}{
		{[]string{"12", "34"}, []int{12, 34}, ""},
		{[]string{"abc"}, nil, `"abc" is not a process ID: give the PID that dlab demo printed`},
		{[]string{"12", "0"}, nil, `"0" is not a process ID: give the PID that dlab demo printed`},
		{nil, nil, "which process? give the PID of a demo process, as dlab demo daemon printed it"},
		{[]string{"5", "--timeout", "-1s"}, nil, "--timeout must be positive, not -1s"},
	}
	for _, tt := range tests {
		ios, _, _, _ := iostreams.Test()
		var got *demoStopOptions
		cmd := newDemoStopCmd(ios, func(o *demoStopOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%q: error %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || len(got.PIDs) != len(tt.want) || got.PIDs[0] != tt.want[0] || got.PIDs[1] != tt.want[1] {
			t.Errorf("%q: %+v, %v", tt.args, got, err)
		}
		if got.Timeout != stopTimeout {
			t.Errorf("default timeout %v", got.Timeout)
		}
	}
}

func TestDemoStopTextGolden(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "dlab.log")
	os.WriteFile(log, []byte("dlab-demo-daemon[4316]: 2026/11/25 17:25:36 ready pid=4316\ndlab-demo-daemon[4316]: 2026/11/25 17:25:46 shutting down on SIGTERM\n"), 0o600)
	var b bytes.Buffer
	for _, e := range []registry.Ended{
		{Entry: registry.Entry{PID: 4316, Kind: "sysv-daemon", LogFile: log, PIDFile: filepath.Join(dir, "dlab.pid")}, How: "ended on SIGTERM", Took: 3 * time.Millisecond, Signalled: true},
		{Entry: registry.Entry{PID: 4400, Kind: "normal"}, How: "killed with SIGKILL, SIGTERM had not ended it in 5s", Took: 5002 * time.Millisecond, Signalled: true},
		{Entry: registry.Entry{PID: 4500, Kind: "normal-leader"}, How: "had already ended"},
	} {
		writeEnded(&b, e, true)
	}
	golden.Check(t, "stop.txt", bytes.ReplaceAll(b.Bytes(), []byte(dir), []byte("$DIR")))
}

// Another user's process is named as such, with its owner, not as one
// "not started by dlab": the registry is per user, so dlab can't tell.
func TestDemoStopNamesAnotherUsersProcess(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start a process as another user")
	}
	u, err := user.Lookup("student")
	if err != nil {
		t.Skip("no user student")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	sleep := exec.Command("sleep", "60")
	sleep.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	if err := sleep.Start(); err != nil {
		t.Skip(err)
	}
	defer func() { sleep.Process.Kill(); sleep.Wait() }()
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	ios, _, _, stderr := iostreams.Test()
	code := run([]string{"demo", "stop", strconv.Itoa(sleep.Process.Pid)}, ios)
	want := fmt.Sprintf("dlab: process %d (sleep) belongs to user student (uid %d), not you: dlab demo stop ends only your own demo processes\n", sleep.Process.Pid, uid)
	if code != 1 || stderr.String() != want {
		t.Fatalf("exit %d, stderr %q; want 1, %q", code, stderr.String(), want)
	}
}
