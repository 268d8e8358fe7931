// Command dlab is a lab for learning how a Linux daemon differs from a normal
// process, by looking at real ones, live.
package main

import (
	"os"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/launch/reexec"
)

func main() {
	// A demo process is dlab started again in a hidden role; run it before
	// any command parsing.
	reexec.Dispatch()
	os.Exit(run(os.Args[1:], iostreams.System()))
}
