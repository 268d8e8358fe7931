package sysv

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadConfig(t *testing.T) {
	tests := []struct {
		name, text string
		want       map[string]string
		bad        bool
	}{
		{"default", defaultConfig, map[string]string{"greeting": "hello from a SysV daemon"}, false},
		{"spaces and comments", "  # c\n\n greeting=  hi there \nother = x = y\n", map[string]string{"greeting": "hi there", "other": "x = y"}, false},
		{"no equals sign", "greeting hello\n", nil, true},
		{"empty", "", map[string]string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readConfig(tempFile(t, tt.text))
			if (err != nil) != tt.bad {
				t.Fatalf("error %v, want error: %v", err, tt.bad)
			}
			if tt.bad {
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func FuzzReadConfig(f *testing.F) {
	f.Add(defaultConfig)
	f.Add("a=b\n#c\n=\n")
	f.Add("\x00=\xff\n")
	f.Fuzz(func(t *testing.T, text string) {
		conf, err := readConfig(tempFile(t, text))
		if err != nil {
			return
		}
		for k := range conf {
			if k != "" && (k[0] == ' ' || k[len(k)-1] == ' ') {
				t.Errorf("key %q not trimmed", k)
			}
		}
	})
}

func tempFile(t *testing.T, text string) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dlab.conf")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
