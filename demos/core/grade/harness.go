package grade

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"dlab/demos/core/grade/reaper"
	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/registry"

	"golang.org/x/sys/unix"
)

// inheritedUmask is the umask the program gets from dlab's shell. It is not
// the common 0022 on purpose: a daemon that sets 0022 itself then shows it.
const inheritedUmask = 0o002

// harness is the hidden role that runs and watches the program. It is a
// child subreaper, so every process the program leaves behind becomes its
// child.
type harness struct {
	opts   Options
	fs     proc.FS
	self   int
	reaper *reaper.Reaper
	abort  chan struct{}
	obs    *Observation
	// busy is busyFactor when the check started: 1, or more on a busy
	// machine, by which the windows were stretched.
	busy float64

	limit *reaper.PidsLimit
	nproc uint64
	// exclude are PIDs in the harness's tree that are not the program's
	// (the shell).
	exclude map[int]bool
	// started is when the harness began: PID files older than that are
	// someone else's.
	started time.Time
	// chosen says why the daemon is the process it is.
	chosen string
	// recorded are the processes of the program written to dlab's registry,
	// so that 'dlab demo cleanup' finds them should the harness die.
	recorded   []int
	noRegistry bool
}

// harnessMain: argument 1 is the Options as JSON; stdin is the control pipe
// (EOF = stop); fd 3 is where the Observation goes.
func harnessMain(args []string) int {
	report := os.NewFile(3, "report")
	var opts Options
	if len(args) != 1 || json.Unmarshal([]byte(args[0]), &opts) != nil {
		fmt.Fprintln(os.Stderr, "dlab: bad arguments to the grader's harness")
		return 2
	}
	h := &harness{
		busy: 1, opts: opts, fs: proc.Live(), self: os.Getpid(),
		abort: make(chan struct{}), exclude: map[int]bool{}, started: time.Now(),
		obs: &Observation{
			Command: opts.Command, Timeout: opts.Timeout, Harness: os.Getpid(),
			InheritedUmask: inheritedUmask, Mode: SysV,
		},
	}
	if opts.NewStyle {
		h.obs.Mode = NewStyle
	}
	// On a busy machine the program gets longer, and the report says so.
	if f := busyFactor(h.fs); f > 1 {
		h.opts.Timeout, h.busy = stretch(opts.Timeout, f), f
		h.obs.Timeout = h.opts.Timeout
		if l, err := h.fs.LoadAvg(); err == nil {
			h.obs.StretchedFor = fmt.Sprintf("%s asked for, stretched for a busy machine: load %.1f on %d CPUs", opts.Timeout, max(l.One, float64(l.Runnable)), runtime.NumCPU())
		}
	}
	var once sync.Once
	stop := func() { once.Do(func() { close(h.abort) }) }
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGINT, unix.SIGTERM, unix.SIGHUP)
	go func() {
		<-sigs
		stop()
	}()

	if err := reaper.Become(); err != nil {
		fmt.Fprintf(os.Stderr, "dlab: %v\n", err)
		return 1
	}
	h.reaper = reaper.Start()
	h.contain()
	if opts.NewStyle {
		h.service()
	} else {
		h.sysv()
	}
	h.endAll()
	h.removeLimit()
	h.removeStalePIDFile()
	h.forget()
	h.reaper.Stop()
	if h.aborted() {
		h.obs.Aborted = true
	}
	if err := json.NewEncoder(report).Encode(h.obs); err != nil {
		fmt.Fprintf(os.Stderr, "dlab: cannot send the observation: %v\n", err)
		return 1
	}
	// dlab has its answer now, not when this process has finished exiting
	// (tearing down its threads takes a while on a busy machine).
	report.Close()
	return 0
}

// contain sets up what holds back a program that forks without bound: a
// pids cgroup where the kernel lets dlab make one, else RLIMIT_NPROC (not
// enforced for root). EndAll's stop-then-kill is the last line either way.
func (h *harness) contain() {
	limit, err := reaper.NewPidsLimit(cgroupPrefix+strconv.Itoa(h.self), h.opts.MaxProcs)
	if err == nil {
		h.limit = limit
		h.obs.Containment = fmt.Sprintf("pids cgroup %s (pids.max %d)", limit.Dir, limit.Max)
		return
	}
	if uid := os.Getuid(); uid != 0 {
		// Room for twice the allowed processes (threads count too), so
		// the program reaches MaxProcs, and is seen to, before fork fails.
		h.nproc = uint64(reaper.UserTasks(h.fs, uid) + 2*h.opts.MaxProcs)
		h.obs.Containment = fmt.Sprintf("RLIMIT_NPROC %d (the user's tasks now, plus %d)", h.nproc, 2*h.opts.MaxProcs)
		return
	}
	h.obs.Containment = "stop-then-kill of every descendant (no pids cgroup, and RLIMIT_NPROC does not hold root)"
}

// execArgs are the exec role's containment arguments.
func (h *harness) execArgs() []string {
	dir := ""
	if h.limit != nil {
		dir = h.limit.Dir
	}
	return []string{dir, strconv.FormatUint(h.nproc, 10), "--"}
}

func (h *harness) aborted() bool {
	select {
	case <-h.abort:
		return true
	default:
		return false
	}
}

// program lists the live processes that belong to the program: everything
// below the harness except the harness's own helpers.
func (h *harness) program() []proc.Stat {
	all, err := h.fs.Descendants(h.self)
	if err != nil {
		return nil
	}
	var out []proc.Stat
	for _, st := range reaper.Alive(all) {
		if h.exclude[st.PID] {
			continue
		}
		out = append(out, st)
	}
	return out
}

// programConfirmed scans again, for when a scan found nothing: a scan lists
// /proc first and reads each process after, so a child forked after the
// listing whose parent exited before its read is missed. The next scan's
// listing comes after that exit, and so holds the child.
func (h *harness) programConfirmed() []proc.Stat {
	time.Sleep(5 * time.Millisecond)
	return h.program()
}

// bomb reports whether the program has reached the process limit, and
// records it.
func (h *harness) bomb(live []proc.Stat, during string) bool {
	hit := h.limitHit()
	if len(live) < h.opts.MaxProcs && !hit {
		return false
	}
	h.obs.ForkBomb = &ForkBomb{Max: h.opts.MaxProcs, Seen: len(live), LimitHit: hit, During: during}
	return true
}

// limitHit reads the pids cgroup's count of forks refused at pids.max.
func (h *harness) limitHit() bool {
	if h.limit == nil {
		return false
	}
	b, err := os.ReadFile(h.limit.Dir + "/pids.events")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) == 2 && f[0] == "max" && f[1] != "0"
}

// endAll ends every process the program left.
func (h *harness) endAll() {
	n, err := reaper.EndAll(h.fs, h.self, 10*time.Second)
	h.obs.Ended += n
	if err != nil {
		h.problem("cannot end every process the program left: %v", err)
	}
}

// removeLimit removes the pids cgroup, once everything has ended.
func (h *harness) removeLimit() {
	if h.limit != nil {
		// The killed ones are zombies until the reaper collects them.
		if err := h.limit.Remove(2 * time.Second); err != nil {
			h.problem("cannot remove the pids cgroup that held the program: %v", err)
		}
		h.limit = nil
	}
}

// problem records a trouble of the harness's own, saying what it was doing.
func (h *harness) problem(format string, args ...any) {
	h.obs.Problems = append(h.obs.Problems, fmt.Sprintf(format, args...))
}

// record writes a process of the program to dlab's registry, owned by the
// harness: should the harness be killed before it ends the process (the
// guard normally does that), 'dlab demo cleanup' finds it as a leftover.
func (h *harness) record(st proc.Stat, kind string) {
	if h.noRegistry {
		return
	}
	e := registry.Entry{PID: st.PID, StartTime: st.StartTime, Kind: kind, Run: registry.RunID(), Owner: registry.Self()}
	if h.limit != nil {
		e.Cgroup = h.limit.Dir
	}
	err := registry.Add(e)
	if err != nil {
		// Said once: the next ones would fail the same way.
		h.noRegistry = true
		h.problem("cannot record the program's processes for 'dlab demo cleanup' (should dlab be killed, they may be left running): %v", err)
		return
	}
	h.recorded = append(h.recorded, st.PID)
}

// recordLive records every live process of the program not recorded yet:
// the daemon may have started its children after it was found.
func (h *harness) recordLive() {
	done := map[int]bool{}
	for _, pid := range h.recorded {
		done[pid] = true
	}
	for _, st := range h.program() {
		if !done[st.PID] {
			h.record(st, "check-program")
		}
	}
}

// recordPID records pid, if it is still there.
func (h *harness) recordPID(pid int, kind string) {
	if st, err := h.fs.Stat(pid); err == nil {
		h.record(st, kind)
	}
}

// forget removes the harness's registry entries once everything has ended.
func (h *harness) forget() {
	for _, pid := range h.recorded {
		registry.Remove(pid)
	}
	h.recorded = nil
}

// removeStalePIDFile removes the program's PID file when it names a process
// that dlab ended (an interrupted check, a daemon killed with SIGKILL or by
// a trial): left behind, it names a PID the kernel will give to another
// process. Only the user's own small regular file, written during this
// check, that names a process now gone is removed.
func (h *harness) removeStalePIDFile() {
	pf := h.obs.PIDFile
	if pf == nil || pf.Path == "" {
		pf = h.knownPIDFile()
	}
	if pf == nil || pf.Path == "" {
		return
	}
	if h.removePIDFile(pf.Path) {
		h.obs.RemovedPIDFile = pf.Path
	}
}

// removePIDFileOf removes the PID file if it names pid, which dlab ended.
func (h *harness) removePIDFileOf(pid int) {
	pf := h.obs.PIDFile
	if pf == nil || pf.Path == "" {
		pf = h.knownPIDFile()
	}
	if pf == nil || pf.Path == "" {
		return
	}
	if _, named, err := readPIDFile(pf.Path); err == nil && named == pid {
		h.removePIDFile(pf.Path)
	}
}

func (h *harness) removePIDFile(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.ModTime().Before(h.started.Add(-2*time.Second)) {
		return false
	}
	if uid, ok := fileOwner(fi); !ok || uid != os.Geteuid() {
		return false
	}
	_, pid, err := readPIDFile(path)
	if err != nil || pid <= 0 || unix.Kill(pid, 0) != unix.ESRCH {
		return false
	}
	return os.Remove(path) == nil
}

// procOf turns a stat into the ps-like line the observation keeps.
func procOf(st proc.Stat) Proc {
	return Proc{PID: st.PID, PPID: st.PPID, PGID: st.PGID, SID: st.SID, TTY: proc.TTYName(st.TTY), Comm: st.Comm}
}

// how says how a process ended: the wait status when the harness reaped it
// (it is the parent of every orphan), else what its pidfd can still tell.
func (h *harness) how(p *pidfd.Process) string {
	if e, ok := h.reaper.WaitExit(p.PID, 200*time.Millisecond); ok {
		return e.String()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	e, _ := p.ExitStatus(ctx)
	return e.String()
}

// waitExit waits up to d for p to exit and reports whether it did. An
// interrupted check stops waiting at once: the end of the harness kills
// everything anyway.
func (h *harness) waitExit(p *pidfd.Process, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.Exited():
		return true
	case <-t.C:
		return false
	case <-h.abort:
		return !p.Alive()
	}
}

// waitNotPending waits until sig is no longer pending for pid: it has then
// been delivered and acted on (ignored, handled, or the process is dying).
func (h *harness) waitNotPending(pid int, sig unix.Signal, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if !pending(h.fs, pid, sig) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pending reports whether sig is pending for pid, for its thread (SigPnd)
// or for the process (ShdPnd).
func pending(fs proc.FS, pid int, sig unix.Signal) bool {
	st, err := fs.Status(pid)
	return err == nil && st.Pending().Has(sig)
}

// signalTrial sends sig to the daemon and sees whether it survives: with the
// default action it dies (wait for that); caught or ignored, it lives once the
// signal is no longer pending, unless its handler ends it (a short grace).
func (h *harness) signalTrial(p *pidfd.Process, sig unix.Signal, disposition string) *Trial {
	t := &Trial{Disposition: disposition}
	sent := time.Now()
	if err := p.Signal(sig); err != nil {
		t.How, t.Note = "ended", fmt.Sprintf("could not send %s: %v", unix.SignalName(sig), err)
		return t
	}
	var died bool
	if disposition == string(proc.Default) {
		died = h.waitExit(p, time.Second)
	} else {
		h.waitNotPending(p.PID, sig, time.Second)
		died = h.waitExit(p, 200*time.Millisecond)
	}
	t.After = time.Since(sent)
	t.Alive = !died
	if died {
		t.How = h.how(p)
	}
	return t
}

// terminate sends SIGTERM and waits up to the timeout; past it, SIGKILL.
// It returns nil when the check is interrupted meanwhile.
func (h *harness) terminate(p *pidfd.Process) *Trial {
	t := &Trial{}
	if st, err := h.fs.Status(p.PID); err == nil {
		t.Disposition = string(st.DispositionOf(unix.SIGTERM))
	}
	sent := time.Now()
	if err := p.Signal(unix.SIGTERM); err != nil {
		t.How, t.Note = "ended", fmt.Sprintf("could not send SIGTERM: %v", err)
		return t
	}
	if !h.waitExit(p, h.opts.Timeout) {
		if h.aborted() {
			return nil // not a verdict: the check was interrupted
		}
		t.Killed = true
		p.Signal(unix.SIGKILL)
		h.waitExit(p, 2*time.Second)
	}
	t.After = time.Since(sent)
	t.How = h.how(p)
	return t
}

// leftovers waits briefly for the program's remaining processes to end on
// their own (workers follow their master), then lists the ones still there.
func (h *harness) leftovers() []Proc {
	deadline := time.Now().Add(leftoverGrace(h.fs))
	for {
		live := h.program()
		if len(live) == 0 {
			if live = h.programConfirmed(); len(live) == 0 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			var out []Proc
			for _, st := range live {
				out = append(out, procOf(st))
			}
			return out
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// tail keeps the end of a stream the program writes.
type tail struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.ReplaceAll(string(t.buf), "\r\n", "\n")
}

// busyFactor is how much longer than on a quiet machine things take now:
// 1 while no more tasks are runnable than there are CPUs, up to 6 beyond,
// from /proc/loadavg. The grader's windows grow with it, so that a busy
// machine (a classroom server, a CI runner) is not taken for a slow daemon.
func busyFactor(fs proc.FS) float64 {
	l, err := fs.LoadAvg()
	if err != nil {
		return 1
	}
	busy := max(l.One, float64(l.Runnable)) / float64(max(runtime.NumCPU(), 1))
	return min(max(busy, 1), 6)
}

// stretch returns d made longer by busyFactor f, to a tenth of a second.
func stretch(d time.Duration, f float64) time.Duration {
	if f <= 1 {
		return d
	}
	return time.Duration(float64(d) * f).Round(100 * time.Millisecond)
}

// leftoverGrace is how long a process the daemon ended (its SIGTERM handler
// killed a child, say) may take to be gone before it counts as left behind:
// half a second on a quiet machine, up to 3 s on a busy one, so a busy
// machine doesn't turn a dying child into a leftover.
func leftoverGrace(fs proc.FS) time.Duration {
	return stretch(500*time.Millisecond, busyFactor(fs))
}
