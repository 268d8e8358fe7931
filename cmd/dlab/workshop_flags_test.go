package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

// underWorkshop puts one workshop subcommand under a "workshop" parent with
// the shared flags, as newWorkshopCmd does, and runs it on args.
func underWorkshop(t *testing.T, args []string, sub func(*iostreams.IOStreams, *workshopFlags) *cobra.Command) error {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	flags := &workshopFlags{}
	parent := &cobra.Command{Use: "workshop"}
	flags.bind(parent)
	parent.AddCommand(sub(ios, flags))
	parent.SetArgs(args)
	parent.SilenceErrors, parent.SilenceUsage = true, true
	return parent.Execute()
}

// TestWorkshopCommandLines: each subcommand parses its own command line
// into its own options, with the shared flags before or after it.
func TestWorkshopCommandLines(t *testing.T) {
	t.Run("the path", func(t *testing.T) {
		for _, tt := range []struct {
			args       []string
			instructor bool
		}{{nil, false}, {[]string{"--instructor"}, true}} {
			ios, _, _, _ := iostreams.Test()
			var got *workshopOptions
			cmd := newWorkshopCmdWith(ios, func(o *workshopOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatalf("%q: %v", tt.args, err)
			}
			if got.Instructor != tt.instructor {
				t.Errorf("%q: instructor %v", tt.args, got.Instructor)
			}
		}
	})
	t.Run("next", func(t *testing.T) {
		var got *workshopNextOptions
		err := underWorkshop(t, []string{"next", "--instructor"}, func(ios *iostreams.IOStreams, f *workshopFlags) *cobra.Command {
			return newWorkshopNextCmd(ios, f, func(o *workshopNextOptions) error { got = o; return nil })
		})
		if err != nil || !got.Instructor || got.JSON {
			t.Errorf("next --instructor: %+v, %v", got, err)
		}
	})
	t.Run("check keeps the answer's own flags", func(t *testing.T) {
		var got *workshopCheckOptions
		err := underWorkshop(t, []string{"--json", "check", "./worker.sh", "--pidfile", "w.pid"}, func(ios *iostreams.IOStreams, f *workshopFlags) *cobra.Command {
			return newWorkshopCheckCmd(ios, f, func(o *workshopCheckOptions) error { got = o; return nil })
		})
		if err != nil || !got.JSON || !reflect.DeepEqual(got.Answer, []string{"./worker.sh", "--pidfile", "w.pid"}) {
			t.Errorf("check: %+v, %v", got, err)
		}
	})
	t.Run("goto", func(t *testing.T) {
		var got *workshopGotoOptions
		err := underWorkshop(t, []string{"goto", "zombie", "--json"}, func(ios *iostreams.IOStreams, f *workshopFlags) *cobra.Command {
			return newWorkshopGotoCmd(ios, f, func(o *workshopGotoOptions) error { got = o; return nil })
		})
		if err != nil || got.Step != "zombie" || !got.JSON {
			t.Errorf("goto zombie --json: %+v, %v", got, err)
		}
	})
}

// TestWorkshopUsageErrors: a wrong number of arguments or an unknown flag
// is a FlagError, and the run function is never reached.
func TestWorkshopUsageErrors(t *testing.T) {
	never := func(t *testing.T) func() error {
		return func() error { t.Error("ran despite a usage error"); return nil }
	}
	subs := map[string]func(*testing.T, *iostreams.IOStreams, *workshopFlags) *cobra.Command{
		"next": func(t *testing.T, ios *iostreams.IOStreams, f *workshopFlags) *cobra.Command {
			return newWorkshopNextCmd(ios, f, func(*workshopNextOptions) error { return never(t)() })
		},
		"hint": func(t *testing.T, ios *iostreams.IOStreams, f *workshopFlags) *cobra.Command {
			return newWorkshopHintCmd(ios, f, func(*workshopHintOptions) error { return never(t)() })
		},
		"status": func(t *testing.T, ios *iostreams.IOStreams, f *workshopFlags) *cobra.Command {
			return newWorkshopStatusCmd(ios, f, func(*workshopStatusOptions) error { return never(t)() })
		},
		"reset": func(t *testing.T, ios *iostreams.IOStreams, f *workshopFlags) *cobra.Command {
			return newWorkshopResetCmd(ios, f, func(*workshopResetOptions) error { return never(t)() })
		},
		"goto": func(t *testing.T, ios *iostreams.IOStreams, f *workshopFlags) *cobra.Command {
			return newWorkshopGotoCmd(ios, f, func(*workshopGotoOptions) error { return never(t)() })
		},
	}
	for _, args := range [][]string{
		{"next", "1"}, {"hint", "x"}, {"status", "--bogus"}, {"reset", "all"},
		{"goto"}, {"goto", "1", "2"},
	} {
		t.Run(args[0]+" "+args[len(args)-1], func(t *testing.T) {
			err := underWorkshop(t, args, func(ios *iostreams.IOStreams, f *workshopFlags) *cobra.Command {
				c := subs[args[0]](t, ios, f)
				// As under dlab's root: flag errors are usage errors.
				c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &FlagError{err} })
				return c
			})
			var fe *FlagError
			if !errors.As(err, &fe) {
				t.Errorf("%q: %v (%T), want a FlagError", args, err, err)
			}
		})
	}
}

// TestWorkshopResetRecoversWhatStatusRefuses: with progress no dlab wrote,
// status says to reset (one error, the file kept) and reset works.
func TestWorkshopResetRecoversWhatStatusRefuses(t *testing.T) {
	state := t.TempDir()
	getenv := func(k string) string {
		if k == "XDG_STATE_HOME" {
			return state
		}
		return ""
	}
	path := filepath.Join(state, "dlab", "workshop.json")
	newer := []byte(`{"version": 7, "steps": {}, "future": true}`)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, newer, 0o600); err != nil {
		t.Fatal(err)
	}
	ios, _, out, _ := iostreams.Test()
	err := runWorkshopStatus(&workshopStatusOptions{IO: ios, Getenv: getenv, workshopFlags: &workshopFlags{}})
	if err == nil || !strings.Contains(err.Error(), "'dlab workshop reset'") {
		t.Fatalf("status on a newer file: %v", err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, newer) {
		t.Errorf("status changed the newer file: %s", b)
	}
	if err := runWorkshopReset(&workshopResetOptions{IO: ios, Getenv: getenv, workshopFlags: &workshopFlags{}}); err != nil {
		t.Fatalf("reset: %v", err)
	}
	if !strings.Contains(out.String(), "Workshop progress forgotten") {
		t.Errorf("reset said %q", out.String())
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("reset left the file: %v", err)
	}
}
