package proc

import (
	"os"
	"path/filepath"
	"testing"
)

func writeTree(t *testing.T, files map[string]string) FS {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return FS{Root: root}
}

// A process that changed its uid without exec is not dumpable: its /proc
// files belong to root, and only status has the uid ps shows.
func TestEffectiveUIDReadsTheStatusUidLine(t *testing.T) {
	fs := writeTree(t, map[string]string{
		"7/status": "Name:\tdbus-daemon\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t7\nUid:\t101\t102\t101\t101\nGid:\t0\t0\t0\t0\n",
		"8/status": "Name:\tbad\nUid:\t1\n",
		"9/status": "Name:\tthread\nTgid:\t7\nUid:\t0\t0\t0\t0\n",
	})
	r := fs.StatReader()
	if uid, err := r.EffectiveUID(7); err != nil || uid != 102 {
		t.Errorf("EffectiveUID(7) = %d, %v; want 102", uid, err)
	}
	if _, err := r.EffectiveUID(8); err == nil {
		t.Error("a Uid line with one id parsed")
	}
}
