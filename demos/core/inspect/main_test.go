package inspect

import (
	"os"
	"testing"

	"dlab/demos/testkit/leakcheck"
	"dlab/demos/launch/reexec"
)

// TestMain checks that every process the live tests start has ended.
func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }
