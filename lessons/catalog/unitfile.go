package catalog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/tool"
)

func init() {
	register(Demo{Name: "unit-file", Shows: "a systemd unit for the demo daemon, checked by systemd-analyze verify, and what this machine's PID 1 is", run: unitFileDemo})
}

// unitFor is a unit file for dlab's SysV demo daemon. Type=forking tells
// systemd that the start command forks and that its first process exits
// once the daemon is ready (daemon(7) steps 14 and 15); the one process left
// is then the service's main process.
func unitFor(self string) string {
	return fmt.Sprintf(`[Unit]
Description=dlab demo daemon (a classic SysV daemon, double fork and all)
Documentation=man:daemon(7)

[Service]
# The start command forks; its first process exits once the daemon is
# ready, and systemd takes the process left as the main one.
Type=forking
ExecStart=%s demo daemon --lifetime 24h
ExecReload=/bin/kill -HUP $MAINPID
# Where the daemon keeps its PID file and log: /run/dlab-demo/dlab/...
RuntimeDirectory=dlab-demo
Environment=XDG_RUNTIME_DIR=/run/dlab-demo
# Least privilege: a user made up for the service, no new privileges.
DynamicUser=yes
NoNewPrivileges=yes
Restart=on-failure

[Install]
WantedBy=multi-user.target
`, self)
}

// unitFileDemo writes the unit into a temporary directory and verifies it,
// then a copy with a typo, then says what PID 1 is here.
func unitFileDemo(ctx context.Context) (string, error) {
	self, err := reexec.Self()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "dlab-unit-")
	if err != nil {
		return "", fmt.Errorf("cannot make a directory for the unit file: %w", err)
	}
	defer os.RemoveAll(dir)
	unit := unitFor(self)
	path := filepath.Join(dir, "dlab-demo.service")
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		return "", err
	}
	bad := filepath.Join(dir, "dlab-typo.service")
	if err := os.WriteFile(bad, []byte(strings.Replace(unit, "Type=forking", "Type=forkng", 1)), 0o644); err != nil {
		return "", err
	}

	paras := []string{
		"The unit file dlab wrote for its demo daemon (`dlab-demo.service`):",
		block("ini", strings.ReplaceAll(unit, self, "/usr/local/bin/dlab")),
	}
	if !tool.Installed("systemd-analyze") {
		paras = append(paras, "`systemd-analyze` is not installed here (Debian package systemd), so dlab cannot check the unit. On a machine that has it, `systemd-analyze verify dlab-demo.service` reads the file as systemd would and names every line it can't use.")
	} else {
		good := verify(ctx, dir, path)
		typo := verify(ctx, dir, bad)
		paras = append(paras,
			"`systemd-analyze verify dlab-demo.service` read it as systemd would:",
			block("", good),
			"The same file with `Type=forkng`, a typo:",
			block("", typo),
			"A typo is only a warning: systemd ignores the line and carries on with the default, `Type=simple`. For a daemon that forks, that means systemd would take the launcher for the service, consider the service finished when the launcher exits, and stop the daemon with it. Read the warnings.",
		)
	}
	paras = append(paras, pid1Story(ctx))
	return doc(paras...), nil
}

// verify runs systemd-analyze verify on path and returns its output and exit
// status, with the temporary directory shown as "." so the text is stable.
func verify(ctx context.Context, dir, path string) string {
	res, err := tool.Run(ctx, tool.Options{Dir: dir, Env: []string{"SYSTEMD_LOG_COLOR=0", "SYSTEMD_PAGER="}},
		"systemd-analyze", "verify", filepath.Base(path))
	text := strings.TrimSpace(strings.ReplaceAll(string(res.Output), dir+"/", ""))
	status := fmt.Sprintf("exit status %d", res.Code)
	if err != nil {
		status = err.Error()
	}
	if text == "" {
		text = "(no output: nothing to complain about)"
	}
	return "$ systemd-analyze verify " + filepath.Base(path) + "\n" + text + "\n(" + status + ")"
}

// pid1Story says whether systemd runs this machine, from /proc/1.
func pid1Story(ctx context.Context) string {
	comm := "unknown"
	if st, err := proc.Live().Stat(1); err == nil {
		comm = st.Comm
	}
	if comm == "systemd" {
		return "PID 1 here is `systemd`: `sudo cp dlab-demo.service /etc/systemd/system/ && sudo systemctl daemon-reload && sudo systemctl start dlab-demo` would run the demo daemon as a service, and `systemctl status dlab-demo` would show its main PID, its cgroup and its last log lines."
	}
	paras := []string{fmt.Sprintf("PID 1 on this machine is `%s`, not systemd, so the unit can be checked but not started: `systemctl` has no service manager to talk to.", comm)}
	if tool.Installed("systemctl") {
		res, _ := tool.Run(ctx, tool.Options{}, "systemctl", "is-system-running")
		if o := strings.TrimSpace(string(res.Output)); o != "" {
			paras = append(paras, "Asked, it says:", block("", "$ systemctl is-system-running\n"+o))
		}
	}
	paras = append(paras, "On a machine booted with systemd, `systemctl start dlab-demo` would run it, and `systemctl status dlab-demo` would show its main PID, cgroup and last log lines.")
	return doc(paras...)
}
