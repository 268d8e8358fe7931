package sdnotify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"dlab/demos/launch/reexec"
)

const role = "notify-service"

func init() { reexec.Register(role, service) }

// service is a new-style daemon with Type=notify: it says what it is doing,
// opens its listening socket, and only then says READY=1, so whatever is
// ordered after it finds the port open. It stops at the end of its stdin
// (a pipe only dlab writes to), saying STOPPING=1 first.
func service(args []string) int {
	Notify("STATUS=opening its listening socket")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		Notify("STATUS=failed: " + err.Error())
		return 1
	}
	defer l.Close()
	Notify(fmt.Sprintf("READY=1\nSTATUS=listening on %s\nMAINPID=%d", l.Addr(), os.Getpid()))
	io.Copy(io.Discard, os.Stdin)
	Notify("STOPPING=1\nSTATUS=shutting down")
	return 0
}

// Message is one notification, as the service manager got it.
type Message struct {
	After time.Duration // since the service started
	Text  string        // "READY=1\nSTATUS=…"
	// Listening is whether the address in STATUS took a connection when the
	// message arrived ("" when STATUS names none).
	Listening string
}

// Run is the demo: start the service with NOTIFY_SOCKET set, as systemd
// starts a Type=notify unit (own session, stdin a pipe here), read what it
// sends until READY=1, check that its port answers then, stop it, and read
// STOPPING=1. Every process has ended when Run returns.
func Run(ctx context.Context) (pid int, msgs []Message, err error) {
	sock, err := Listen()
	if err != nil {
		return 0, nil, err
	}
	defer sock.Close()
	cmd, err := reexec.Command(role)
	if err != nil {
		return 0, nil, err
	}
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock.Path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		return 0, nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, nil, fmt.Errorf("cannot start the demo service: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		in.Close()
		select {
		case <-exited:
		case <-ctx.Done():
			cmd.Process.Kill()
			<-exited
		}
	}()

	read := func(until string) error {
		for {
			select {
			case m, ok := <-sock.Messages:
				if !ok {
					return errors.New("the notify socket closed")
				}
				msgs = append(msgs, Message{After: time.Since(start), Text: m, Listening: listening(m)})
				if HasLine(m, until) {
					return nil
				}
			case err := <-exited:
				exited <- err
				// What it sent before it exited is in the socket already,
				// but the reader may not have passed it on yet.
				if drain(sock, &msgs, start, until) {
					return nil
				}
				return fmt.Errorf("the demo service exited before it said %s: %v", until, err)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if err := read("READY=1"); err != nil {
		return cmd.Process.Pid, msgs, err
	}
	in.Close() // stop: as systemctl stop would with SIGTERM
	if err := read("STOPPING=1"); err != nil {
		return cmd.Process.Pid, msgs, err
	}
	return cmd.Process.Pid, msgs, nil
}

// drain takes the messages still on their way after the service exited,
// until one holds until or none comes for a second, and says whether one did.
func drain(sock *Socket, msgs *[]Message, start time.Time, until string) bool {
	for {
		select {
		case m, ok := <-sock.Messages:
			if !ok {
				return false
			}
			*msgs = append(*msgs, Message{After: time.Since(start), Text: m, Listening: listening(m)})
			if HasLine(m, until) {
				return true
			}
		case <-time.After(time.Second):
			return false
		}
	}
}

// listening tries the address that STATUS=listening on ADDR names.
func listening(msg string) string {
	for _, l := range strings.Split(msg, "\n") {
		if addr, ok := strings.CutPrefix(l, "STATUS=listening on "); ok {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err != nil {
				return "no: " + err.Error()
			}
			c.Close()
			return "yes: " + addr + " took a connection"
		}
	}
	return ""
}
