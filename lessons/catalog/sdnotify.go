package catalog

import (
	"context"
	"fmt"
	"strings"

	"dlab/demos/lab/sdnotify"
)

func init() {
	register(Demo{Name: "sd-notify", Shows: "a Type=notify service telling its manager, through NOTIFY_SOCKET, when it is ready and when it stops", run: sdnotifyDemo})
}

func sdnotifyDemo(ctx context.Context) (string, error) {
	pid, msgs, err := sdnotify.Run(ctx)
	if err != nil {
		return "", err
	}
	t := newTable("datagram", "what it tells the manager", "port open then?")
	for _, m := range msgs {
		t.add(strings.ReplaceAll(m.Text, "\n", " · "), meaning(m.Text), orDash(m.Listening))
	}
	return doc(
		fmt.Sprintf("dlab listened on a NOTIFY_SOCKET as systemd does for a `Type=notify` unit, and started a service (PID %d) with the socket's path in its environment. What arrived, in order:", pid),
		t.String(),
		"READY=1 came only once the service's port took connections: a unit ordered `After=` it starts then, not when the process merely exists (`Type=simple`) or when its parent exits (`Type=forking`). In C that is `sd_notify(0, \"READY=1\")`; from a shell, `systemd-notify --ready`.",
	), nil
}

// meaning says what systemd does with a notification.
func meaning(msg string) string {
	var out []string
	for _, l := range strings.Split(msg, "\n") {
		k, v, _ := strings.Cut(l, "=")
		switch k {
		case "READY":
			out = append(out, "start-up is over: the unit becomes active")
		case "STATUS":
			out = append(out, "shown by systemctl status: "+v)
		case "MAINPID":
			out = append(out, "the main process is PID "+v)
		case "STOPPING":
			out = append(out, "it is shutting down")
		}
	}
	return strings.Join(out, "; ")
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
