package normal_test

import (
	"os"
	"testing"

	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
)

func TestMain(m *testing.M) {
	reexec.Dispatch()
	// The shell's folder (package shell) is made in the registry's run
	// folder: the tests' own, not the user's.
	dir, err := os.MkdirTemp("", "dlab-normal-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_RUNTIME_DIR", dir)
	os.Setenv("XDG_STATE_HOME", dir)
	code := leakcheck.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}
