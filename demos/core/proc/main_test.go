package proc_test

import (
	"os"
	"testing"

	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
)

// TestMain checks that every process the live tests start has ended.
func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }
