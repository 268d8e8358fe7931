package render_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"dlab/content"
	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
	"dlab/lessons"
	"dlab/lessons/catalog"
	"dlab/lessons/render"
)

// stateDir keeps the registry records of the demos out of the user's own.
var stateDir string

func TestMain(m *testing.M) {
	reexec.Dispatch()
	flag.Parse()
	var err error
	if stateDir, err = os.MkdirTemp("", "dlab-render-test-"); err != nil {
		panic(err)
	}
	os.Setenv("XDG_RUNTIME_DIR", stateDir)
	os.Setenv("XDG_STATE_HOME", stateDir)
	code := leakcheck.Main(m)
	os.RemoveAll(stateDir)
	os.Exit(code)
}

// machineDependent demos show this machine's process table, the chain of
// processes that started the test, or counts that vary from run to run or
// build to build: their golden text is a placeholder, and lessons/catalog
// checks what they say.
var machineDependent = map[string]bool{
	"ps-spot":      true, // every process of the machine
	"pstree":       true, // the ancestry of the test binary
	"explain-self": true, // the test binary, started by go test
	"pkill":        true, // lists zombies of earlier demos not yet reaped
	"troubleshoot": true, // thread count, memory
	"orphan":       true, // whether PID 1 reaps within a second depends on when it polls
	"fds":          true, // how many fds the Go runtime keeps open varies with Go and the daemon's code
	"pidfile-lock": true, // lsof: the descriptor number, the device, the command name
}

// machine is what the demos' output depends on besides the lessons: a demo
// daemon started by root drops privileges, one started by a user can't;
// whether PID 1 is systemd decides whether systemd answers (what other init
// it is only changes its name, which normalise replaces); the demo daemon's
// launcher (this test) shows its own terminal, or none.
type machine struct {
	root, systemd, terminal bool
	pid1                    string // PID 1's comm
}

func thisMachine() machine {
	m := machine{root: os.Geteuid() == 0, pid1: "unknown"}
	if st, err := proc.Live().Stat(1); err == nil {
		m.pid1 = st.Comm
	}
	m.systemd = m.pid1 == "systemd"
	if st, err := proc.Live().Stat(os.Getpid()); err == nil {
		m.terminal = st.HasTTY()
	}
	return m
}

// variant names the golden file recorded on such a machine: "" for the
// first one recorded (root, PID 1 not systemd, no terminal: a CI
// container), else what differs from it ("user", "user-systemd-terminal").
func (m machine) variant() string {
	var parts []string
	if !m.root {
		parts = append(parts, "user")
	}
	if m.systemd {
		parts = append(parts, "systemd")
	}
	if m.terminal {
		parts = append(parts, "terminal")
	}
	return strings.Join(parts, "-")
}

func (m machine) String() string {
	return fmt.Sprintf("root=%v systemd=%v terminal=%v", m.root, m.systemd, m.terminal)
}

// pid1Names are the places a demo names PID 1; another init than systemd
// (tini, a container's own, a sandbox's) only changes that name.
func (m machine) normalisePID1(md string) string {
	if m.systemd || m.pid1 == "" {
		return md
	}
	q := regexp.QuoteMeta(m.pid1)
	for _, re := range []string{`\b1 \(` + q + `\)`, `PID 1 \(` + q + `\)`, `\b` + q + ` \(PID 1\)`, `parent: ` + q + `\)`, `PID 1 on this machine is ` + q + `\b`} {
		md = regexp.MustCompile(re).ReplaceAllStringFunc(md, func(s string) string {
			return strings.Replace(s, m.pid1, "INIT", 1)
		})
	}
	return md
}

// TestEveryLessonWithItsDemos runs every lesson end to end, every demo for
// real, as `dlab lesson all` does: no demo may fail, every demo's output
// must land under its own text, and no process may be left behind
// (TestMain's leak check). The plain output, with what changes from run to
// run normalised, is compared with testdata/golden/NAME.demos.txt when this
// machine is like the one the files were recorded on.
func TestEveryLessonWithItsDemos(t *testing.T) {
	ls, err := lessons.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	env := thisMachine()
	for _, l := range ls {
		t.Run(l.Name, func(t *testing.T) {
			var raw []string
			run := func(ctx context.Context, name string) (string, error) {
				out, err := catalog.Run(ctx, name)
				raw = append(raw, out)
				if machineDependent[name] {
					return fmt.Sprintf("(live output of demo %s: it depends on this machine's processes; lessons/catalog checks it)", name), err
				}
				return env.normalisePID1(normalise(out)), err
			}
			var b bytes.Buffer
			if err := render.Lesson(context.Background(), &b, l, render.Options{Plain: true, Width: 80}, run); err != nil {
				t.Fatalf("%v\n%s", err, b.String())
			}
			if n := len(l.Demos()); len(raw) != n {
				t.Errorf("%d demos ran, the lesson places %d", len(raw), n)
			}
			out := b.String()
			if strings.Contains(out, "\x1b[") {
				t.Error("plain output holds escape sequences")
			}
			for _, d := range l.Demos() {
				if !strings.Contains(out, "▶ Live demo: "+d+" (") || !strings.Contains(out, "◀ end of live demo "+d) {
					t.Errorf("demo %s is not framed in the output", d)
				}
			}
			name := l.Name + ".demos.txt"
			if v := env.variant(); v != "" {
				name = l.Name + ".demos." + v + ".txt"
			}
			goldenWithEnvironment(t, filepath.Join("testdata", "golden", name), env, out)
		})
	}
}

// goldenWithEnvironment compares got with the golden file recorded on a
// machine like this one. Where none was recorded the comparison is skipped,
// saying how to record one, unless CI=true: a CI job must compare.
func goldenWithEnvironment(t *testing.T, path string, env machine, got string) {
	t.Helper()
	header := "# recorded with " + env.String() + "\n"
	if updating() {
		if err := os.WriteFile(path, []byte(header+got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		msg := fmt.Sprintf("no golden file %s for a machine with %s: record one with go test ./lessons/render -update on such a machine, and read it", path, env)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if err != nil {
		t.Fatal(err)
	}
	want, ok := strings.CutPrefix(string(b), header)
	if !ok {
		first, _, _ := strings.Cut(string(b), "\n")
		t.Fatalf("%s was %s, not %s: run go test ./lessons/render -update", path, strings.TrimPrefix(first, "# "), env)
	}
	if want != got {
		t.Errorf("%s differs: if a lesson or a demo's wording changed on purpose, run go test ./lessons/render -update and read the diff:\n%s", path, lineDiff(want, got))
	}
}

// updating reports whether -update (declared by the package's own tests)
// was given: it rewrites these golden files too.
func updating() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	return ok && g.Get() == true
}

var multiSpace = regexp.MustCompile(`[ \t]{2,}`)

// wherePatterns, applied after normPatterns, make the demos' text the same
// wherever the test runs. Under a container's or CI's PID 1 the test
// process is in session 0 and often process group 0 (nothing above it
// called setsid or setpgid), and a minute after that PID 1 started,
// everything looks "started with the system".
var wherePatterns = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?m)^\|\s*1\. launcher\s*\|\s*[N0-9]+\s*\|\s*[N0-9]+\s*\|\s*[N0-9]+\s*\|\s*[N0-9]+\s*\|`), "| 1. launcher | N | N | N | N |"},
	{regexp.MustCompile(` \(session 0: [^)]*\)`), ""},
	{regexp.MustCompile(`\b[N0] / [N0] / [N0]\b`), "N / N / N"},
	{regexp.MustCompile(`no login recorded; started DURATION after PID 1`), "no login recorded (loginuid unset)"},
	// A real shell's transcript: nohup writes its note as the shell writes
	// its next prompt, and either may come first; the usual order wins.
	{regexp.MustCompile(`(\[\d+\] N\n)(` + nohupNote + `\n)\$ `), "$1$$ $2"},
	{regexp.MustCompile(`(` + nohupNote + `\n)(\[\d+\] N\n)\$ `), "$2$$ $1"},
}

const nohupNote = `nohup: ignoring input and appending output to 'nohup.out'`

var (
	normPatterns = []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`\d{4}/\d\d/\d\d \d\d:\d\d:\d\d`), "DATE TIME"},
		{regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`), "DATE TIME"},
		{regexp.MustCompile(`\d{4}/\d\d/\d\d`), "DATE"},
		{regexp.MustCompile(`\d\d:\d\d:\d\d`), "TIME"},
		// Every form inspect's duration() prints: 3.2 s, 4m05s, 2h03m, 3d04h.
		{regexp.MustCompile(`\b(\d+d\d\dh|\d+h\d\dm|(\d+h)?(\d+m)?\d+(\.\d+)? ?(ms|µs|s))\b`), "DURATION"},
		{regexp.MustCompile(`pts/\d+`), "pts/N"},
		{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
		// Running or sleeping: whichever the scheduler had it in.
		{regexp.MustCompile(`\(state [RSD]\)`), "(state S)"},
		{regexp.MustCompile(`\b[RSD] \((running|sleeping|disk sleep)\)`), "S (sleeping)"},
		// How an exit status was read: from the pidfd, or from the zombie.
		{regexp.MustCompile(`\(read from [^()]*(\([^()]*\))?[^()]*\)`), "(read from SOURCE)"},
		{regexp.MustCompile(`\b\d{2,}\b`), "N"},
	}
)

// normalise replaces what changes from run to run in a demo's Markdown
// (PIDs, times, ports, terminal numbers, paths, names), before it is
// rendered, so the table layout is the same every time too.
func normalise(md string) string {
	if stateDir != "" {
		md = strings.ReplaceAll(md, stateDir, "STATE")
	}
	if wd, err := os.Getwd(); err == nil {
		md = strings.ReplaceAll(md, wd, "CWD")
	}
	if self, err := os.Executable(); err == nil {
		md = strings.ReplaceAll(md, self, "/path/to/dlab")
		md = strings.ReplaceAll(md, filepath.Base(self), "dlab")
		// The kernel's comm: the name cut to 15 bytes.
		if b := filepath.Base(self); len(b) > 15 {
			md = strings.ReplaceAll(md, b[:15], "dlab")
		}
	}
	if host, err := os.Hostname(); err == nil && len(host) > 2 {
		md = strings.ReplaceAll(md, host, "HOST")
	}
	if u, err := user.Current(); err == nil && u.Username != "root" && len(u.Username) > 2 {
		md = strings.ReplaceAll(md, u.Username, "USER")
	}
	for _, p := range normPatterns {
		md = p.re.ReplaceAllString(md, p.with)
	}
	for _, p := range wherePatterns {
		md = p.re.ReplaceAllString(md, p.with)
	}
	// Columns of a tool's output (ps, lsof) are aligned to the widest
	// value, which changes with the PIDs.
	md = multiSpace.ReplaceAllString(md, " ")
	lines := strings.Split(md, "\n")
	inCode := false
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			inCode = !inCode
			continue
		}
		if inCode {
			lines[i] = strings.TrimLeft(l, " ")
		}
	}
	return strings.Join(lines, "\n")
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", i+1, wl, gl)
		}
	}
	return "(same lines)"
}

// BenchmarkLessonWithDemos measures a whole lesson with its demos, as a
// reader waits for it: the default lesson, signals.
func BenchmarkLessonWithDemos(b *testing.B) {
	ls, err := lessons.Load(content.FS)
	if err != nil {
		b.Fatal(err)
	}
	l, err := lessons.Find(ls, "signals")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var out bytes.Buffer
		if err := render.Lesson(context.Background(), &out, l, render.Options{Color: true, Term: "xterm-256color", Width: 100}, catalog.Run); err != nil {
			b.Fatal(err)
		}
	}
}
