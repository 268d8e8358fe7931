package normal_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"dlab/demos/lab/normal"
	"dlab/demos/launch/registry"
)

// BenchmarkStartInterrupt measures a whole demo normal process: a pty, the
// session leader and the program started, ^C typed, its end reported.
//
//	go test -run '^$' -bench StartInterrupt ./demos/normal
func BenchmarkStartInterrupt(b *testing.B) {
	reg := registry.Store{Dir: filepath.Join(b.TempDir(), "processes")}
	for b.Loop() {
		p, err := normal.Start(context.Background(), normal.Options{Registry: &reg, Lifetime: time.Minute})
		if err != nil {
			b.Fatal(err)
		}
		p.TypeInterrupt()
		if how, err := p.WaitExit(context.Background()); err != nil || how != "killed by SIGINT" {
			b.Fatalf("%q, %v", how, err)
		}
		p.Stop()
	}
}
