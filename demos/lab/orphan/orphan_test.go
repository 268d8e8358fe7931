package orphan

import (
	"context"
	"os"
	"testing"
	"time"

	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }

func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestOrphansAreAdoptedAndReaped(t *testing.T) {
	r, err := Orphans(deadline(t))
	if err != nil {
		t.Fatal(err)
	}
	a, b := r.BelowDlab, r.BelowSubreaper
	if a.Orphan == 0 || a.Parent == 0 || a.AdoptedBy == a.Parent || a.AdoptedBy == os.Getpid() {
		t.Errorf("below dlab: %+v: want an orphan adopted by someone other than its parent and dlab", a)
	}
	if b.Orphan == 0 || b.AdoptedBy == b.Parent || b.Reaped != "reaped by the subreaper, exit status 0" {
		t.Errorf("below a subreaper: %+v: want it adopted and reaped by the subreaper", b)
	}
}

func TestZombieIsStateZUntilReaped(t *testing.T) {
	z, err := MakeZombie(deadline(t))
	if err != nil {
		t.Fatal(err)
	}
	if z.Alive.State == 'Z' || z.Dead.State != 'Z' || len(z.Cmdline) != 0 || !z.Gone {
		t.Errorf("zombie %+v: want alive, then Z with no cmdline, then gone", z)
	}
	if z.Alive.PPID != os.Getpid() {
		t.Errorf("its parent is %d, want this test (%d)", z.Alive.PPID, os.Getpid())
	}
}
