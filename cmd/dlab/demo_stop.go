package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/core/grade"
	"dlab/demos/core/proc"
	"dlab/demos/launch/registry"
	"dlab/demos/text/safe"

	"github.com/spf13/cobra"
)

// demoStopOptions holds the flags and arguments of dlab demo stop.
type demoStopOptions struct {
	IO      *iostreams.IOStreams
	PIDs    []int
	Timeout time.Duration
	JSON    bool
}

func newDemoStopCmd(ios *iostreams.IOStreams, runF func(*demoStopOptions) error) *cobra.Command {
	opts := &demoStopOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "stop PID...",
		Short: "End demo processes that dlab started: SIGTERM, then SIGKILL if they don't end",
		Long: `End the demo processes with these PIDs, if dlab started them (it keeps a list
per user). Each gets SIGTERM through a pidfd, and SIGKILL if it is still
running after --timeout. A PID is signalled only if the process still has the
start time dlab recorded, so a PID reused by another process is never hit.`,
		Example: `  dlab demo stop 4316`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errors.New("which process? give the PID of a demo process, as dlab demo daemon printed it")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, a := range args {
				pid, err := parseDemoPID(a)
				if err != nil {
					return err
				}
				opts.PIDs = append(opts.PIDs, pid)
			}
			if opts.Timeout <= 0 {
				return fmt.Errorf("--timeout must be positive, not %v", opts.Timeout)
			}
			if runF != nil {
				return runF(opts)
			}
			return runDemoStop(opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", stopTimeout, "how long to wait after SIGTERM before SIGKILL")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print what happened to each process as JSON")
	return cmd
}

// stopResult is what happened to one PID: how it ended, or why not.
type stopResult struct {
	registry.Ended
	PID   int    `json:"pid"`
	Error string `json:"error,omitempty"`
}

func runDemoStop(opts *demoStopOptions) error {
	store, err := registry.Default()
	if err != nil {
		return err
	}
	// Every PID is tried, whatever happened to the one before: each
	// failure is its own line (and its own JSON object).
	var results []stopResult
	var errs []error
	for _, pid := range opts.PIDs {
		e, err := store.Stop(pid, opts.Timeout)
		r := stopResult{Ended: e, PID: pid}
		if err != nil {
			err = stopError(pid, err)
			r.Error = err.Error()
			errs = append(errs, err)
		}
		results = append(results, r)
	}
	if opts.JSON {
		if err := writeJSON(opts.IO, results); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			if r.Error == "" {
				writeEnded(opts.IO.Out, r.Ended, true)
			}
		}
	}
	return reportEach(opts.IO, errors.Join(errs...))
}

// reportEach writes each error joined in err as a line of its own on
// stderr and ends dlab with status 1; a single error goes back to run,
// which writes it the same way.
func reportEach(ios *iostreams.IOStreams, err error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	for _, e := range joined.Unwrap() {
		fmt.Fprintf(ios.ErrOut, "dlab: %s\n", strings.ReplaceAll(e.Error(), "\n", " "))
	}
	return exitError{code: 1}
}

// stopError says in one line why pid was not stopped.
func stopError(pid int, err error) error {
	switch {
	case errors.Is(err, registry.ErrNotStarted):
		st, serr := proc.Live().Stat(pid)
		switch {
		case serr != nil:
			return fmt.Errorf("no process %d, and dlab has no record of starting one", pid)
		case st.State == 'Z':
			return fmt.Errorf("process %d has already ended: it is a zombie until its parent (PID %d) reaps it", pid, st.PPID)
		}
		if o, err := proc.Live().StatReader().Read(pid); err == nil && o.UID != os.Geteuid() {
			return fmt.Errorf("process %d (%s) belongs to %s, not you: dlab demo stop ends only your own demo processes", pid, safe.Text(st.Comm), userName(o.UID))
		}
		return fmt.Errorf("process %d (%s) was not started by dlab: dlab demo stop only ends dlab's own demo processes (kill it yourself if you mean it)", pid, safe.Text(st.Comm))
	case errors.Is(err, registry.ErrReused):
		return fmt.Errorf("process %d is not the one dlab started: that one ended and its PID now belongs to another process, which dlab leaves alone", pid)
	case errors.Is(err, proc.ErrGone):
		return fmt.Errorf("process %d had already ended", pid)
	case errors.Is(err, proc.ErrPermission):
		return fmt.Errorf("not allowed to signal process %d: %v", pid, err)
	}
	return err
}

// userName names a user as "user alice (uid 1000)".
func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return fmt.Sprintf("user %s (uid %d)", u.Username, uid)
	}
	return fmt.Sprintf("user %d", uid)
}

// writeEnded says what happened to one process and, with files, the
// daemon's last words and whether it removed its PID file.
func writeEnded(w io.Writer, e registry.Ended, files bool) {
	fmt.Fprintf(w, "PID %d (%s): %s", e.Entry.PID, e.Entry.Kind, e.How)
	if e.Signalled {
		fmt.Fprintf(w, " (%s)", e.Took.Round(time.Millisecond))
	}
	fmt.Fprintln(w, ".")
	if !e.Signalled || !files {
		return
	}
	if e.Entry.LogFile != "" {
		if last := lastLine(e.Entry.LogFile); last != "" {
			fmt.Fprintf(w, "  its log ends with: %s\n", last)
		}
	}
	if e.Entry.PIDFile != "" {
		if _, err := os.Stat(e.Entry.PIDFile); errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(w, "  its PID file is gone: %s\n", e.Entry.PIDFile)
		}
	}
}

func lastLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return lines[len(lines)-1]
}

// demoCleanupOptions holds the flags of dlab demo cleanup.
type demoCleanupOptions struct {
	IO      *iostreams.IOStreams
	Timeout time.Duration
	JSON    bool
}

func newDemoCleanupCmd(ios *iostreams.IOStreams, runF func(*demoCleanupOptions) error) *cobra.Command {
	opts := &demoCleanupOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "cleanup",
		Short: "End every demo process dlab started for you, and remove their files",
		Long: `End every demo process that dlab started for you and that still runs: daemons
left running on purpose, and leftovers of a dlab that was killed before it
could end its demo. Each gets SIGTERM through a pidfd, then SIGKILL after
--timeout; a PID that now belongs to another process is left alone. Then the
run directories (PID files, logs) of finished runs are removed.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Timeout <= 0 {
				return fmt.Errorf("--timeout must be positive, not %v", opts.Timeout)
			}
			if runF != nil {
				return runF(opts)
			}
			return runDemoCleanup(opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", stopTimeout, "how long to wait after SIGTERM before SIGKILL")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print what happened to each process as JSON")
	return cmd
}

func runDemoCleanup(opts *demoCleanupOptions) error {
	ended, err := registry.Cleanup(opts.Timeout)
	// A check killed with its guard may have left, in its pids cgroup, a
	// process it had not yet recorded.
	checks, cgErr := grade.EndLeftoverChecks(ended)
	err = errors.Join(err, cgErr)
	if opts.JSON {
		if ended == nil {
			ended = []registry.Ended{}
		}
		if err := writeJSON(opts.IO, ended); err != nil {
			return err
		}
		return reportEach(opts.IO, err)
	}
	forgotten := 0
	for _, e := range ended {
		if e.Signalled {
			writeEnded(opts.IO.Out, e, false)
		} else {
			forgotten++
		}
	}
	if forgotten > 0 {
		fmt.Fprintf(opts.IO.Out, "Forgot %d record(s) of demo processes that had already ended.\n", forgotten)
	}
	if checks > 0 {
		fmt.Fprintf(opts.IO.Out, "Ended what %d killed 'dlab check' run(s) left in their pids cgroup.\n", checks)
	}
	if len(ended) == 0 && checks == 0 && err == nil {
		fmt.Fprintln(opts.IO.Out, "Nothing to clean up: no demo process of yours is running.")
	}
	return reportEach(opts.IO, err)
}
