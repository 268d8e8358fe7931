package sysv_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"dlab/demos/lab/sysv"
	"dlab/demos/launch/registry"
)

// BenchmarkStartStop measures a whole demo daemon: three processes started
// (launcher, first child, daemon), ready, then stopped on SIGTERM.
//
//	go test -run '^$' -bench StartStop ./demos/sysv
func BenchmarkStartStop(b *testing.B) {
	reg := registry.Store{Dir: filepath.Join(b.TempDir(), "processes")}
	for b.Loop() {
		d, err := sysv.Start(context.Background(), sysv.Options{Dir: b.TempDir(), Registry: &reg, Lifetime: time.Minute})
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Stop(5 * time.Second); err != nil {
			b.Fatal(err)
		}
	}
}
