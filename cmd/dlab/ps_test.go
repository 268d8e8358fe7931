package main

import (
	"encoding/json"
	"testing"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/core/inspect"
)

func TestPsFiltersAndJSON(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	if err := runPs(&psOptions{IO: ios, ProcRoot: hostProc, Normal: true, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var entries []inspect.PsEntry
	if err := json.Unmarshal(out.Bytes(), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 6 {
		t.Errorf("%d normal processes, want 6 (700, 701, 702, 951, and the cron job 971, 972)", len(entries))
	}
	for _, e := range entries {
		if e.Verdict != inspect.Normal || len(e.Evidence) == 0 || e.Evidence[0].Source == "" {
			t.Errorf("entry %+v", e)
		}
	}
}

func TestPsFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *psOptions
	cmd := newPsCmd(ios, func(o *psOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--daemons", "--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !got.Daemons || got.Normal || !got.JSON || got.ProcRoot != "/proc" {
		t.Errorf("options %+v", got)
	}
}
