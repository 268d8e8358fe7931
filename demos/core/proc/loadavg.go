package proc

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// LoadAvg is /proc/loadavg: how busy the machine is (proc(5)).
type LoadAvg struct {
	// One, Five and Fifteen are the load averages: the number of tasks
	// runnable or in uninterruptible sleep, averaged over 1, 5 and 15
	// minutes. They lag: a burst shows in One only after seconds.
	One, Five, Fifteen float64
	// Runnable is the number of tasks runnable right now (the 4th field's
	// numerator, the reader included): the load of this instant.
	Runnable int
	// Tasks is the number of tasks (threads) that exist (its denominator).
	Tasks int
}

// LoadAvg reads /proc/loadavg.
func (p FS) LoadAvg() (LoadAvg, error) {
	path := filepath.Join(p.root(), "loadavg")
	b, err := os.ReadFile(path)
	if err != nil {
		return LoadAvg{}, fmt.Errorf("cannot read the machine's load: %w", err)
	}
	l, err := ParseLoadAvg(b)
	if err != nil {
		return LoadAvg{}, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// ParseLoadAvg parses /proc/loadavg ("0.52 0.58 0.59 2/467 12345"): three
// load averages, runnable/existing tasks, the last PID handed out.
func ParseLoadAvg(b []byte) (LoadAvg, error) {
	f := bytes.Fields(b)
	if len(f) < 4 {
		return LoadAvg{}, fmt.Errorf("short loadavg %q", clip(b))
	}
	var l LoadAvg
	for i, dst := range []*float64{&l.One, &l.Five, &l.Fifteen} {
		v, err := strconv.ParseFloat(string(f[i]), 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return LoadAvg{}, fmt.Errorf("bad load average %q in %q", f[i], clip(b))
		}
		*dst = v
	}
	run, tasks, ok := bytes.Cut(f[3], []byte{'/'})
	r, ok1 := atou(run)
	t, ok2 := atou(tasks)
	if !ok || !ok1 || !ok2 || r > 1<<31 || t > 1<<31 {
		return LoadAvg{}, fmt.Errorf("bad runnable/tasks %q in %q", f[3], clip(b))
	}
	l.Runnable, l.Tasks = int(r), int(t)
	return l, nil
}
