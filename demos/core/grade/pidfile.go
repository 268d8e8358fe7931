package grade

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dlab/demos/core/proc"
)

// knownPIDFile is the PID file named by --pidfile or by the program's own
// arguments (--pidfile X, --pid-file=X, any argument ending in .pid, nginx's
// -g "pid X;"), or nil when none is named.
func (h *harness) knownPIDFile() *PIDFile {
	if h.opts.PIDFile != "" {
		return &PIDFile{Path: h.opts.PIDFile, Source: "given with --pidfile"}
	}
	if p := pidFileInArgs(h.opts.Command[1:]); p != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(h.opts.Dir, p)
		}
		return &PIDFile{Path: p, Source: "named in its arguments"}
	}
	return nil
}

// pidFileInArgs finds a PID file path among a command's arguments.
func pidFileInArgs(args []string) string {
	for i, a := range args {
		flag, val, hasVal := strings.Cut(a, "=")
		switch strings.TrimLeft(flag, "-") {
		case "pidfile", "pid-file", "pid_file":
			if hasVal {
				return val
			}
			if i+1 < len(args) {
				return args[i+1]
			}
		}
		// nginx -g 'pid /run/x.pid; error_log ...;'
		for _, directive := range strings.Split(a, ";") {
			f := strings.Fields(directive)
			if len(f) == 2 && f[0] == "pid" {
				return f[1]
			}
		}
	}
	for _, a := range args {
		_, val, _ := strings.Cut(a, "=")
		if val == "" {
			val = a
		}
		if strings.HasSuffix(val, ".pid") {
			return val
		}
	}
	return ""
}

// findPIDFile reads the known PID file, or looks for a new *.pid file that
// names one of the live processes in the places daemons put them.
func (h *harness) findPIDFile(known *PIDFile, live []proc.Stat) *PIDFile {
	if known != nil {
		pf := *known
		if b, err := os.ReadFile(pf.Path); err == nil {
			pf.Found = true
			pf.Content = strings.TrimSpace(string(b))
			pf.PID, _ = strconv.Atoi(pf.Content)
		}
		return &pf
	}
	dirs := h.pidFileDirs()
	for _, dir := range dirs {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.pid"))
		for _, m := range matches {
			fi, err := os.Stat(m)
			if err != nil || !fi.Mode().IsRegular() || fi.ModTime().Before(h.started.Add(-2*time.Second)) {
				continue
			}
			if pid, ok := readPID(m); ok && contains(live, pid) {
				b, _ := os.ReadFile(m)
				return &PIDFile{Path: m, Source: "found in " + dir, Found: true, Content: strings.TrimSpace(string(b)), PID: pid}
			}
		}
	}
	return &PIDFile{Searched: dirs}
}

// pidFileDirs are where PID files usually go: the directory the program was
// started in and its own, /run (and one level below), /var/run, the
// runtime and temporary directories.
func (h *harness) pidFileDirs() []string {
	cands := []string{h.opts.Dir}
	if p := h.opts.Command[0]; strings.Contains(p, "/") {
		if !filepath.IsAbs(p) {
			p = filepath.Join(h.opts.Dir, p)
		}
		cands = append(cands, filepath.Dir(p))
	}
	cands = append(cands, "/run", "/var/run")
	if sub, err := filepath.Glob("/run/*"); err == nil {
		for _, s := range sub {
			if fi, err := os.Stat(s); err == nil && fi.IsDir() {
				cands = append(cands, s)
			}
		}
	}
	for _, env := range []string{"XDG_RUNTIME_DIR", "TMPDIR"} {
		if d := os.Getenv(env); d != "" {
			cands = append(cands, d)
		}
	}
	cands = append(cands, os.TempDir(), "/tmp")
	seen := map[string]bool{}
	var dirs []string
	for _, d := range cands {
		d = filepath.Clean(d)
		if !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// readPID reads a PID file holding one number.
func readPID(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil && pid > 0
}
