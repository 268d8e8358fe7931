package inspect

import (
	"path"
	"strings"

	"dlab/demos/core/proc"
)

// Kinds of cgroup, as dlab explains them.
const (
	CgroupService     = "system service"
	CgroupSession     = "login session"
	CgroupUserManager = "user manager"
	CgroupContainer   = "container"
	CgroupRoot        = "root"
	CgroupOther       = "other"
)

// ClassifyCgroup picks the cgroup path that says most about the process and
// names its kind. systemd puts every service in system.slice/NAME.service and
// every login in user.slice/user-UID.slice/session-N.scope; container
// runtimes use docker/, kubepods, lxc/ or a libpod-/docker- scope.
func ClassifyCgroup(cgs []proc.Cgroup) (p, kind, unit string) {
	p = "/"
	// The unified (v2) hierarchy first, then systemd's named v1 hierarchy,
	// then any controller that places the process below the root.
	for _, pass := range []func(proc.Cgroup) bool{
		func(c proc.Cgroup) bool { return c.Hierarchy == 0 && c.Controllers == "" },
		func(c proc.Cgroup) bool { return c.Controllers == "name=systemd" },
		func(c proc.Cgroup) bool { return true },
	} {
		found := false
		for _, c := range cgs {
			if pass(c) && c.Path != "/" && c.Path != "" {
				p, found = c.Path, true
				break
			}
		}
		if found {
			break
		}
	}
	if p == "/" {
		return p, CgroupRoot, ""
	}
	base := path.Base(p)
	switch {
	case strings.Contains(p, "/docker/") || strings.Contains(p, "kubepods") || strings.Contains(p, "/lxc/") ||
		strings.HasPrefix(base, "docker-") || strings.HasPrefix(base, "libpod-") || strings.HasPrefix(base, "cri-containerd-") ||
		strings.Contains(p, "/machine.slice/"):
		return p, CgroupContainer, base
	case strings.HasPrefix(base, "session-") && strings.HasSuffix(base, ".scope"):
		return p, CgroupSession, base
	case strings.Contains(p, "/user@"):
		return p, CgroupUserManager, base
	case strings.HasSuffix(base, ".service"):
		return p, CgroupService, base
	}
	return p, CgroupOther, ""
}
