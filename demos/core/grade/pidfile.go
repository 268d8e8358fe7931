package grade

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
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
		content, pid, err := readPIDFile(pf.Path)
		switch {
		case err == nil:
			pf.Found, pf.Content, pf.PID = true, content, pid
		case errors.Is(err, ErrPIDFileRefused):
			pf.Refused = err.Error()
		}
		return &pf
	}
	dirs := h.pidFileDirs()
	euid := os.Geteuid()
	for _, dir := range dirs {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.pid"))
		for _, m := range matches {
			// In shared directories such as /tmp anyone can leave a *.pid
			// file or a symbolic link: only the user's own regular files
			// are considered, and Lstat never follows a link.
			fi, err := os.Lstat(m)
			if err != nil || !fi.Mode().IsRegular() || fi.ModTime().Before(h.started.Add(-2*time.Second)) {
				continue
			}
			if uid, ok := fileOwner(fi); !ok || uid != euid {
				continue
			}
			content, pid, err := readPIDFile(m)
			if err == nil && pid > 0 && contains(live, pid) {
				return &PIDFile{Path: m, Source: "found in " + dir, Found: true, Content: content, PID: pid}
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
			if fi, err := os.Lstat(s); err == nil && fi.IsDir() {
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

// ErrPIDFileRefused means dlab would not read a PID file: it is not a small
// regular file, or it is another user's symbolic link.
var ErrPIDFileRefused = errors.New("refused")

// maxPIDFileSize is the most a PID file may hold: a PID is at most 7 digits
// (pid_max is at most 2^22), and some daemons add a newline or a second line.
const maxPIDFileSize = 64

// readPIDFile reads a PID file as the hostile input it may be: whoever can
// write the directory can put a device (/dev/zero never ends), a FIFO (a
// read blocks until a writer comes), a sparse file of a gigabyte or a link
// to any of these in its place. So it reads only a regular file of at most
// maxPIDFileSize bytes, opened with O_NONBLOCK (opening a FIFO never waits)
// and O_NOFOLLOW (a link swapped in after the check is not followed), and
// it follows a symbolic link only when it is the user's own or root's. The
// pid is 0 when the content is not a positive number.
func readPIDFile(path string) (content string, pid int, err error) {
	refuse := func(why string, args ...any) (string, int, error) {
		return "", 0, fmt.Errorf("%w %s: %s", ErrPIDFileRefused, path, fmt.Sprintf(why, args...))
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return "", 0, err
	}
	flags := unix.O_RDONLY | unix.O_NONBLOCK | unix.O_NOCTTY | unix.O_CLOEXEC
	if fi.Mode()&fs.ModeSymlink != 0 {
		if uid, ok := fileOwner(fi); !ok || (uid != os.Geteuid() && uid != 0) {
			return refuse("it is a symbolic link of user %d, and dlab does not follow another user's link", uid)
		}
		if fi, err = os.Stat(path); err != nil {
			return "", 0, err
		}
	} else {
		flags |= unix.O_NOFOLLOW
	}
	if why := notPIDFile(fi); why != "" {
		return refuse("%s", why)
	}
	fd, err := unix.Open(path, flags, 0)
	if errors.Is(err, unix.ELOOP) {
		return refuse("it became a symbolic link while dlab was reading it")
	}
	if err != nil {
		return "", 0, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	// Check again what was opened: the name may have been replaced since.
	if fi, err = f.Stat(); err != nil {
		return "", 0, err
	}
	if why := notPIDFile(fi); why != "" {
		return refuse("%s", why)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxPIDFileSize+1))
	if err != nil {
		return "", 0, err
	}
	if len(b) > maxPIDFileSize {
		return refuse("it grew past %d bytes while dlab was reading it", maxPIDFileSize)
	}
	content = strings.TrimSpace(string(b))
	first, _, _ := strings.Cut(content, "\n")
	if n, err := strconv.Atoi(strings.TrimSpace(first)); err == nil && n > 0 {
		pid = n
	}
	return content, pid, nil
}

// notPIDFile says why a file cannot be a PID file, or "" when it can.
func notPIDFile(fi fs.FileInfo) string {
	m := fi.Mode()
	switch {
	case m.IsRegular() && fi.Size() > maxPIDFileSize:
		return fmt.Sprintf("it is %d bytes, and a PID file holds a few digits", fi.Size())
	case m.IsRegular():
		return ""
	case m&fs.ModeNamedPipe != 0:
		return "it is a named pipe (FIFO), not a regular file"
	case m&fs.ModeCharDevice != 0:
		return "it is a character device, not a regular file"
	case m&fs.ModeDevice != 0:
		return "it is a block device, not a regular file"
	case m&fs.ModeSocket != 0:
		return "it is a socket, not a regular file"
	case m.IsDir():
		return "it is a directory, not a regular file"
	}
	return "it is not a regular file"
}

// fileOwner returns the owner of a file from its stat data.
func fileOwner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
