package catalog

import (
	"context"
	"fmt"
)

// pending registers demos whose demos/ package has not landed yet: they fail
// with a clear message, which the lesson shows in place.
func pending(name, pkg, shows string) {
	register(Demo{Name: name, Shows: shows, run: func(ctx context.Context) (string, error) {
		return "", fmt.Errorf("demo unavailable: %s is not built yet", pkg)
	}})
}

func init() {
	pending("compare", "demos/compare", "a real normal process and a real daemon, side by side")
	pending("signals", "demos/compare", "signals sent to both, with the outcome observed")
	pending("fds", "demos/sysv", "the open files of a daemon and of a normal process")
	pending("cwd-umask", "demos/sysv", "working directory and umask of a daemon and of a normal process")
	pending("jobcontrol", "demos/normal", "process groups, the foreground group, and where ^C goes")
	pending("hangup", "demos/normal", "the terminal closes: the normal process gets SIGHUP, the daemon doesn't")
}
