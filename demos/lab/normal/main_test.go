package normal_test

import (
	"os"
	"testing"

	"dlab/demos/testkit/leakcheck"
	"dlab/demos/launch/reexec"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }
