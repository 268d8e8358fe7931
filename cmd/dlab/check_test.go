package main

import (
	"reflect"
	"testing"
	"time"

	"dlab/cmd/dlab/iostreams"
)

// TestCheckFlags: everything after the program's name is the program's own,
// and dlab's flags land in the options.
func TestCheckFlags(t *testing.T) {
	tests := []struct {
		args []string
		want checkOptions
	}{
		{[]string{"--", "./d.sh"}, checkOptions{Command: []string{"./d.sh"}, Timeout: 5 * time.Second, MaxProcs: 100}},
		{[]string{"./d.sh", "--port", "80"}, checkOptions{Command: []string{"./d.sh", "--port", "80"}, Timeout: 5 * time.Second, MaxProcs: 100}},
		{[]string{"--new-style", "--json", "--timeout", "2s", "--pidfile", "d.pid", "--max-procs", "20", "--", "./svc", "-v"},
			checkOptions{Command: []string{"./svc", "-v"}, NewStyle: true, JSON: true, Timeout: 2 * time.Second, PIDFile: "d.pid", MaxProcs: 20}},
	}
	for _, tt := range tests {
		ios, _, _, _ := iostreams.Test()
		var got *checkOptions
		cmd := newCheckCmd(ios, func(o *checkOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		got.IO = nil
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.args, *got, tt.want)
		}
	}
}
