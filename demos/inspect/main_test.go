package inspect

import (
	"os"
	"testing"

	"dlab/demos/leakcheck"
	"dlab/demos/reexec"
)

// TestMain checks that every process the live tests start has ended.
func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }
