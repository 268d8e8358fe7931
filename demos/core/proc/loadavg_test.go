package proc

import "testing"

func TestFixtureLoadAvg(t *testing.T) {
	l, err := nasty.LoadAvg()
	want := LoadAvg{One: 85.43, Five: 25.62, Fifteen: 9.37, Runnable: 3, Tasks: 148}
	if err != nil || l != want {
		t.Errorf("LoadAvg() = %+v, %v; want %+v", l, err, want)
	}
}

func TestParseLoadAvg(t *testing.T) {
	l, err := ParseLoadAvg([]byte("0.52 0.58 0.59 2/467 12345\n"))
	if want := (LoadAvg{One: 0.52, Five: 0.58, Fifteen: 0.59, Runnable: 2, Tasks: 467}); err != nil || l != want {
		t.Errorf("ParseLoadAvg = %+v, %v; want %+v", l, err, want)
	}
	for _, bad := range []string{"", "0.5 0.5 0.5", "x 0.5 0.5 1/2 3", "0.5 0.5 -1 1/2 3", "0.5 0.5 NaN 1/2 3", "Inf 0.5 0.5 1/2 3",
		"0.5 0.5 0.5 12 3", "0.5 0.5 0.5 /2 3", "0.5 0.5 0.5 1/ 3", "0.5 0.5 0.5 1/-2 3", "0.5 0.5 0.5 99999999999/2 3"} {
		if l, err := ParseLoadAvg([]byte(bad)); err == nil {
			t.Errorf("ParseLoadAvg(%q) = %+v, want an error", bad, l)
		}
	}
}

func TestLiveLoadAvg(t *testing.T) {
	l, err := Live().LoadAvg()
	if err != nil {
		t.Fatal(err)
	}
	// The reader itself is running as it reads.
	if l.Runnable < 1 || l.Tasks < l.Runnable {
		t.Errorf("live LoadAvg = %+v: want at least the reader runnable, and no more runnable than tasks", l)
	}
}

func FuzzParseLoadAvg(f *testing.F) {
	f.Add([]byte("0.52 0.58 0.59 2/467 12345\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLoadAvg(b)
		if err == nil && (l.One < 0 || l.Five < 0 || l.Fifteen < 0 || l.Runnable < 0 || l.Tasks < 0) {
			t.Fatalf("negative field in %+v from %q", l, b)
		}
	})
}
