package inspect

import (
	"io"
	"os"
	"testing"
)

// BenchmarkList is dlab ps without its output: every process's stat, read
// by one goroutine per CPU.
func BenchmarkList(b *testing.B) {
	for b.Loop() {
		if _, err := List(live, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListAndTable(b *testing.B) {
	for b.Loop() {
		l, err := List(live, nil)
		if err != nil {
			b.Fatal(err)
		}
		WriteTable(io.Discard, l.Processes)
	}
}

// BenchmarkExplainSelf is dlab explain's work on one process, without the
// process start-up.
func BenchmarkExplainSelf(b *testing.B) {
	pid := os.Getpid()
	for b.Loop() {
		r, err := Explain(live, pid)
		if err != nil {
			b.Fatal(err)
		}
		r.WriteText(io.Discard, RenderOptions{})
	}
}

func BenchmarkExplainPID1(b *testing.B) {
	for b.Loop() {
		if _, err := Explain(live, 1); err != nil {
			b.Fatal(err)
		}
	}
}
