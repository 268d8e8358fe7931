package main

import (
	"fmt"
	"runtime/debug"
)

// version says which dlab this is, from what the Go toolchain recorded in
// the binary: the module version ("(devel)" for a build from a clone, a
// tag for go install dlab@v1.2.3), the commit it was built from and whether
// the work tree had changes ("dirty"). A build without VCS information
// (go build -buildvcs=false, a copy of the source without .git) says
// only "(devel)".
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		return fmt.Sprintf("%s (revision %s, dirty)", v, rev)
	}
	return fmt.Sprintf("%s (revision %s)", v, rev)
}
