// Command gonewstyle is a new-style daemon written in Go, as daemon(7)
// describes one for a service manager: it stays in the foreground, logs to
// stderr, says READY=1 on $NOTIFY_SOCKET, reloads on SIGHUP and exits on
// SIGTERM.
package main

import (
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	log.SetFlags(0)
	log.Println("starting")
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM)
	notify("READY=1")
	log.Println("ready")
	for sig := range sigs {
		if sig == syscall.SIGTERM {
			notify("STOPPING=1")
			log.Println("stopping on SIGTERM")
			return
		}
		log.Println("reloading configuration")
	}
}

// notify is sd_notify(3): one datagram to the socket named in $NOTIFY_SOCKET
// ("@" starts an abstract socket name).
func notify(state string) {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return
	}
	if path[0] == '@' {
		path = "\x00" + path[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		log.Printf("cannot notify: %v", err)
		return
	}
	defer c.Close()
	c.Write([]byte(state))
}
