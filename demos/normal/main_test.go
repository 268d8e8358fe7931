package normal_test

import (
	"os"
	"testing"

	"dlab/demos/leakcheck"
	"dlab/demos/reexec"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }
