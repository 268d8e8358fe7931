package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionFromTheBuildInfo(t *testing.T) {
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "3722eae1b2c4d5e6f708192a3b4c5d6e7f809102"}
	for _, tt := range []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"no VCS information", debug.BuildInfo{Main: debug.Module{Path: "dlab", Version: "(devel)"}}, "(devel)"},
		{"no version at all", debug.BuildInfo{Main: debug.Module{Path: "dlab"}}, "(devel)"},
		{"a clean clone", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{rev, {Key: "vcs.modified", Value: "false"}}},
			"(devel) (revision 3722eae1b2c4)"},
		{"a clone with changes", debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130060000-3722eae1b2c4+dirty"}, Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, rev, {Key: "vcs.modified", Value: "true"}}},
			"v0.0.0-20261130060000-3722eae1b2c4+dirty (revision 3722eae1b2c4, dirty)"},
		{"a tagged release", debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
	} {
		if got := versionOf(&tt.bi); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
