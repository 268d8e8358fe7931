package lessons

import (
	"os"
	"testing"

	"dlab/demos/testkit/leakcheck"
)

// TestMain checks that every process the tests start (systemd-analyze, the
// init script's daemon) has ended.
func TestMain(m *testing.M) { os.Exit(leakcheck.Main(m)) }
