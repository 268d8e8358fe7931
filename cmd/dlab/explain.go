package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
	"dlab/demos/text/safe"
	"dlab/lessons/render"

	"github.com/spf13/cobra"
)

// explainOptions holds the flags and arguments of dlab explain.
type explainOptions struct {
	IO   *iostreams.IOStreams
	Args []string

	// Target is the argument: a PID, ":PORT", or "" for dlab itself.
	Target   string
	Port     int
	PortSet  bool // --port was given, even as 0
	Tree     bool
	Children bool
	Raw      bool
	JSON     bool
	// ProcRoot is where /proc is; tests point it at a fixture tree.
	ProcRoot string
	// Self is the PID explained when no argument is given.
	Self int
	// Style and Plain choose the rendering as dlab lesson does (issue 12):
	// --plain beats everything, --style beats detection, $GLAMOUR_STYLE
	// applies where colour is on.
	Style   string
	Plain   bool
	NoPager bool
	Getenv  func(string) string
}

func newExplainCmd(ios *iostreams.IOStreams, runF func(*explainOptions) error) *cobra.Command {
	opts := &explainOptions{IO: ios, ProcRoot: proc.DefaultRoot, Self: os.Getpid()}
	cmd := &cobra.Command{
		Use:   "explain [PID | :PORT | PATH]",
		Short: "Is this process a daemon? The verdict, with evidence read from /proc",
		Long: `Reads a live process from /proc and answers daemon, normal process, kernel
thread or zombie, with the evidence row by row: what was observed, where it
was read (file and field, to check by hand) and what it means; then what would
happen to it if its terminal closed, its user logged out, its parent exited,
or it got SIGHUP.

A PATH (anything with a /) names a unix socket, to explain the process
serving it, or any other file, to list the processes holding it open and
explain the first. With no argument, dlab explains itself.`,
		Example: `  dlab explain 1234
  dlab explain $(pgrep -o nginx)
  dlab explain :8080            # the process listening on port 8080
  dlab explain /dev/log         # the process serving a unix socket
  dlab explain --tree $$        # your shell's ancestry, each with its verdict
  dlab explain --json 1 | jq .verdict`,
		Args: maximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if len(args) == 1 {
				opts.Target = args[0]
				// An empty argument is what `dlab explain "$(pgrep x)"`
				// gives when nothing matched: not a request to explain dlab.
				if strings.TrimSpace(opts.Target) == "" {
					return errors.New("empty argument: give a PID, :PORT or a path (did a `$(pgrep ...)` match nothing?)")
				}
			}
			opts.PortSet = cmd.Flags().Changed("port")
			if runF != nil {
				return runF(opts)
			}
			return runExplain(opts)
		},
	}
	cmd.Flags().IntVar(&opts.Port, "port", 0, "explain the process listening on this TCP or UDP port")
	cmd.Flags().BoolVar(&opts.Tree, "tree", false, "show the ancestry up to PID 1, each process with its verdict")
	cmd.Flags().BoolVar(&opts.Children, "children", false, "show the process's descendants, each with its verdict")
	cmd.Flags().BoolVar(&opts.Raw, "raw", false, "print the lines read from /proc under each evidence row")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON: one object per process, with pid, verdict and evidence")
	cmd.Flags().BoolVar(&opts.Plain, "plain", false, "plain text, no colours or styles")
	cmd.Flags().BoolVar(&opts.NoPager, "no-pager", false, "don't page a long report in a terminal (default pager: $DLAB_PAGER, $PAGER, less)")
	cmd.Flags().StringVar(&opts.Style, "style", "", "glamour style: "+strings.Join(render.StyleNames(), ", ")+", or a JSON style file (default: dark on a terminal; $GLAMOUR_STYLE)")
	cmd.Flags().StringVar(&opts.ProcRoot, "proc-root", proc.DefaultRoot, "read processes from this /proc tree")
	_ = cmd.Flags().MarkHidden("proc-root")
	cmd.SetFlagErrorFunc(negativePIDError)
	return cmd
}

// negativePIDError turns cobra's reading of "-5" as a flag into the error a
// user needs.
func negativePIDError(cmd *cobra.Command, err error) error {
	if m := negativeFlag.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("-%s is not a process ID: PIDs are positive numbers", m[1])
	}
	return err
}

var negativeFlag = regexp.MustCompile(`in -(\d+)$`)

func runExplain(opts *explainOptions) error {
	fs, err := proc.New(opts.ProcRoot)
	if err != nil {
		return err
	}
	pid, note, err := explainTarget(fs, opts)
	if err != nil {
		return err
	}
	if opts.Tree || opts.Children {
		return explainTree(fs, pid, opts)
	}
	// A thread's TID has a /proc entry of its own that ls doesn't list: it
	// shares its process's session, terminal and signals, so explain that.
	if tgid, err := fs.ThreadGroup(pid); err == nil && tgid != pid && tgid > 0 {
		tnote := fmt.Sprintf("%d is a thread of PID %d, not a process: threads share their process's session, terminal and signal dispositions; explaining PID %d.", pid, tgid, tgid)
		if note != "" {
			note += "\n"
		}
		note += tnote
		pid = tgid
	}
	report, err := inspect.Explain(fs, pid)
	if err != nil {
		return explainError(pid, err)
	}
	if opts.JSON {
		return writeJSON(opts.IO, report)
	}
	// Longer than a screen in a terminal, it pages like a lesson (less -F
	// prints a report that fits and quits at once).
	if !opts.NoPager {
		if err := opts.IO.StartPagerFromEnv(os.Getenv); err != nil {
			return err
		}
		defer opts.IO.StopPager()
	}
	if note != "" {
		fmt.Fprintln(opts.IO.Out, safe.Text(note))
		fmt.Fprintln(opts.IO.Out)
	}
	return renderReport(opts, report, inspect.RenderOptions{Width: opts.IO.TermWidth(80), Raw: opts.Raw})
}

// explainTarget turns the argument into a PID; for a port it also returns a
// line saying which socket and processes were found.
func explainTarget(fs proc.FS, opts *explainOptions) (int, string, error) {
	target := opts.Target
	port := opts.Port
	portSet := opts.PortSet || port != 0
	if portSet && (port <= 0 || port > 65535) {
		return 0, "", fmt.Errorf("%d is not a port number: ports go from 1 to 65535", port)
	}
	if strings.HasPrefix(target, ":") {
		if portSet {
			return 0, "", errors.New("give either :PORT or --port, not both")
		}
		digits := target[1:]
		n, err := strconv.Atoi(digits)
		if err != nil || digits == "" || digits[0] < '0' || digits[0] > '9' {
			return 0, "", fmt.Errorf("%q is not a port: write :8080 for port 8080", target)
		}
		port, target, portSet = n, "", true
		if port <= 0 || port > 65535 {
			return 0, "", fmt.Errorf("%d is not a port number: ports go from 1 to 65535", port)
		}
	}
	if portSet {
		if target != "" {
			return 0, "", errors.New("give either a PID or a port, not both")
		}
		owner, err := inspect.ListenerOn(fs, port)
		if err != nil {
			return 0, "", err
		}
		var socks []string
		for _, s := range owner.Sockets {
			socks = append(socks, s.Proto+" "+s.Local)
		}
		pids := make([]string, len(owner.Holders))
		for i, p := range owner.Holders {
			pids[i] = strconv.Itoa(p)
		}
		note := fmt.Sprintf("Port %d: %s, held by PID %s; explaining PID %d.", port, strings.Join(socks, ", "), strings.Join(pids, ", "), owner.PID)
		return owner.PID, note, nil
	}
	if target == "" {
		return opts.Self, "", nil
	}
	if strings.Contains(target, "/") {
		return explainPath(fs, target)
	}
	pid, err := parsePID(target)
	return pid, "", err
}

// explainPath finds the process behind a path: the server of a unix
// socket, else the processes holding the file open.
func explainPath(fs proc.FS, path string) (int, string, error) {
	h, err := inspect.HoldersOf(fs, path)
	if err != nil {
		return 0, "", err
	}
	pids := make([]string, len(h.PIDs))
	for i, p := range h.PIDs {
		pids[i] = strconv.Itoa(p)
	}
	if h.Socket != nil {
		return h.PID, fmt.Sprintf("%s: a unix %s socket (inode %d), held by PID %s; explaining PID %d.",
			path, h.SocketType, h.Socket.Inode, strings.Join(pids, ", "), h.PID), nil
	}
	return h.PID, fmt.Sprintf("%s: held open by PID %s; explaining PID %d.", path, strings.Join(pids, ", "), h.PID), nil
}

// parsePID reads a PID as a user typed it.
func parsePID(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("%s is not a process ID: it is far beyond any PID", s)
	case err != nil:
		return 0, fmt.Errorf("%q is not a process ID: give a number (dlab explain 1234), or :PORT for the process listening on a port", s)
	case n < 0:
		return 0, fmt.Errorf("%d is not a process ID: PIDs are positive numbers", n)
	case n == 0:
		return 0, errors.New("0 is not a process ID: PIDs start at 1 (PID 0 is the kernel's idle task, which /proc doesn't show)")
	case n > 1<<22:
		return 0, fmt.Errorf("no process %d: Linux PIDs go up to 4194304 at most (see /proc/sys/kernel/pid_max)", n)
	}
	return int(n), nil
}

// explainError says in one line what went wrong reading pid.
func explainError(pid int, err error) error {
	switch {
	case errors.Is(err, inspect.ErrExited):
		return fmt.Errorf("process %d exited while dlab was reading it; nothing to explain", pid)
	case errors.Is(err, proc.ErrGone):
		return fmt.Errorf("no process %d (it may have exited; dlab ps lists the running ones)", pid)
	case errors.Is(err, proc.ErrPermission):
		return fmt.Errorf("cannot read process %d: permission denied (/proc may be mounted with hidepid; try as root)", pid)
	}
	return fmt.Errorf("cannot explain process %d: %w", pid, err)
}

// renderReport writes the report for a person with the lessons' renderer
// settings (--style, --plain, $GLAMOUR_STYLE): Markdown through glamour when
// a style applies, the stable aligned text when the style is plain.
func renderReport(opts *explainOptions, r inspect.Report, o inspect.RenderOptions) error {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	ro := render.Options{Style: opts.Style, Plain: opts.Plain, Color: opts.IO.Color, Width: o.Width - 4}.FromEnv(getenv)
	if !ro.Styled() {
		return r.WriteText(opts.IO.Out, o)
	}
	rd, err := render.New(ro)
	if err != nil {
		return err
	}
	return rd.Markdown(opts.IO.Out, r.Markdown(o))
}

// explainTree shows pid's family: its ancestors (--tree), its descendants
// (--children), or both.
func explainTree(fs proc.FS, pid int, opts *explainOptions) error {
	family, err := inspect.Family(fs, pid, opts.Tree, opts.Children)
	if err != nil {
		return explainError(pid, err)
	}
	if opts.JSON {
		return writeJSON(opts.IO, family)
	}
	return inspect.WriteTree(opts.IO.Out, family)
}
