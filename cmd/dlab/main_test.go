package main

import (
	"os"
	"testing"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain makes this test binary serve as dlab itself: in the scripts under
// testdata/script (as the "dlab" command) and when a demo re-executes it in a
// hidden role.
func TestMain(m *testing.M) {
	reexec.Dispatch()
	// testscript.Main calls os.Exit itself; the leak check wraps the run.
	testscript.Main(leakcheckM{m}, map[string]func(){
		"dlab": func() {
			reexec.Dispatch()
			os.Exit(run(os.Args[1:], iostreams.System()))
		},
	})
}

// TestScripts runs every user-visible scenario in testdata/script/*.txtar.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Keep per-user state (demo registry, workshop progress) inside the test's work dir.
			env.Setenv("XDG_STATE_HOME", env.WorkDir+"/state")
			env.Setenv("XDG_RUNTIME_DIR", env.WorkDir+"/run")
			// testscript gives scripts a clean environment: pass the leak marker on.
			env.Setenv(leakcheck.Env, os.Getenv(leakcheck.Env))
			env.Setenv("GORACE", os.Getenv("GORACE"))
			return os.MkdirAll(env.WorkDir+"/run", 0o700)
		},
	})
}

// leakcheckM runs the suite under the leak check.
type leakcheckM struct{ m *testing.M }

func (l leakcheckM) Run() int { return leakcheck.Main(l.m) }
