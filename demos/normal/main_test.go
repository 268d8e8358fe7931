package normal_test

import (
	"os"
	"strings"
	"testing"

	"dlab/demos/leakcheck"
	"dlab/demos/reexec"
)

func TestMain(m *testing.M) {
	reexec.Dispatch()
	// A race-enabled binary sleeps a second when it exits, unless told not
	// to; every demo process is this binary.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	os.Exit(leakcheck.Main(m))
}
