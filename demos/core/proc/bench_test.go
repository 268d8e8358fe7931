package proc

import (
	"os"
	"strconv"
	"testing"
)

// Benchmarks over the live /proc. Run them with many processes alive, as
// scripts/bench-ps.sh does (2,000 extra).

func BenchmarkParseStat(b *testing.B) {
	line := []byte(sleepStat)
	for b.Loop() {
		if _, err := ParseStat(line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatReaderAll is dlab ps's reading with one reader: every
// process's stat, and its effective uid from the owner of /proc/PID.
func BenchmarkStatReaderAll(b *testing.B) {
	benchReader(b, (*StatReader).Read)
}

// BenchmarkStatReaderAllStatOnly is the stat alone, as the descendants walk
// reads it: the difference to BenchmarkStatReaderAll is the stat(2) of the
// directory that gives the owner.
func BenchmarkStatReaderAllStatOnly(b *testing.B) {
	benchReader(b, func(r *StatReader, pid int) (Owned, error) {
		s, err := r.Stat(pid)
		return Owned{Stat: s}, err
	})
}

// BenchmarkStatReaderAllWithStatus is what the effective uid would cost
// read from /proc/PID/status's Uid line instead of the directory's owner:
// the kernel formats the whole status file for it.
func BenchmarkStatReaderAllWithStatus(b *testing.B) {
	fs := Live()
	benchReader(b, func(r *StatReader, pid int) (Owned, error) {
		s, err := r.Stat(pid)
		if err != nil {
			return Owned{}, err
		}
		st, err := fs.Status(pid)
		return Owned{Stat: s, UID: st.UID[1]}, err
	})
}

func benchReader(b *testing.B, read func(*StatReader, int) (Owned, error)) {
	fs := Live()
	n := 0
	for b.Loop() {
		pids, err := fs.PIDs()
		if err != nil {
			b.Fatal(err)
		}
		r := fs.StatReader()
		for _, pid := range pids {
			if _, err := read(r, pid); err == nil {
				n++
			}
		}
	}
	b.ReportMetric(float64(n)/float64(b.N), "procs/op")
}

// BenchmarkBareReadFileLoop is the baseline the issue names: a plain Go loop
// that reads each /proc/PID/stat once with os.ReadFile.
func BenchmarkBareReadFileLoop(b *testing.B) {
	fs := Live()
	for b.Loop() {
		pids, err := fs.PIDs()
		if err != nil {
			b.Fatal(err)
		}
		for _, pid := range pids {
			if bs, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
				ParseStat(bs)
			}
		}
	}
}
