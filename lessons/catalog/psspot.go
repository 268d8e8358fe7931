package catalog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
	"dlab/demos/launch/tool"
)

func init() {
	register(Demo{Name: "ps-spot", Shows: "what `ps aux | grep \"?\"` really matches on this machine, next to dlab's verdicts", run: psSpotDemo})
}

// psSpotDemo runs the classic trick for spotting daemons (lesson spotting)
// and sorts what it matched, line by line, by what each process really is.
func psSpotDemo(ctx context.Context) (string, error) {
	if !tool.Installed("ps") {
		return "", errors.New("ps is not installed (Debian package procps)")
	}
	res, err := tool.Run(ctx, tool.Options{NoStderr: true}, "sh", "-c", `ps aux | grep "?"`)
	if err == nil && res.Code != 0 {
		err = fmt.Errorf("exit status %d", res.Code)
	}
	if err != nil {
		return "", fmt.Errorf("running ps aux | grep \"?\": %w", err)
	}
	out := res.Output
	fs := proc.Live()
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")

	var kernel, noTTY, withTTY, gone, grep int
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) < 11 {
			continue
		}
		pid, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		st, err := fs.Stat(pid)
		switch {
		case strings.Join(f[10:], " ") == `grep ?`:
			grep++
		case err != nil:
			gone++ // the shell of the pipeline itself, mostly
		case st.IsKernelThread():
			kernel++
		case !st.HasTTY():
			noTTY++
		default:
			withTTY++ // matched only because "?" appears elsewhere in the line
		}
	}

	// dlab's own reading of every process, as dlab ps does it.
	listing, err := inspect.List(fs, nil)
	if err != nil {
		return "", err
	}
	verdicts := map[inspect.Verdict]int{}
	var daemons []inspect.Process
	for _, p := range listing.Processes {
		verdicts[p.Verdict]++
		if p.Verdict == inspect.Daemon {
			daemons = append(daemons, p)
		}
	}
	sort.Slice(daemons, func(i, j int) bool { return daemons[i].Stat.PID < daemons[j].Stat.PID })

	t := newTable("`ps aux | grep \"?\"` printed", "lines")
	t.add("in all", len(lines))
	t.add("kernel threads (not daemons: threads of the kernel itself)", kernel)
	t.add("user processes with no controlling terminal", noTTY)
	t.add("processes that have a terminal, matched by a \"?\" elsewhere in the line", withTTY)
	t.add("the grep itself", grep)
	t.add("processes that had already exited when dlab looked (the pipeline's own sh)", gone)

	v := newTable("dlab's verdict (`dlab ps`)", "processes")
	for _, k := range []inspect.Verdict{inspect.Daemon, inspect.Normal, inspect.KernelThread, inspect.Zombie} {
		v.add(string(k), verdicts[k])
	}

	list := newTable("PID", "command", "TTY", "parent")
	for i, d := range daemons {
		if i == 8 {
			list.add("…", fmt.Sprintf("and %d more: `dlab ps --daemons`", len(daemons)-i), "", "")
			break
		}
		list.add(d.Stat.PID, code(d.Stat.Comm), proc.TTYName(d.Stat.TTY), describePID(fs, d.Stat.PPID))
	}
	return doc(
		fmt.Sprintf("The trick matched %d lines; %d of them are kernel threads. It finds every process without a terminal, daemon or not, plus any line with a \"?\" anywhere, plus, when it runs without a terminal itself, the grep.", len(lines), kernel),
		t.String(),
		"`dlab ps` reads the same clue, the controlling terminal, but from the field itself (`/proc/PID/stat` field 7), so a \"?\" elsewhere can't fool it, and it sets kernel threads and zombies apart:",
		v.String(),
		"The processes `dlab ps --daemons` lists here:",
		list.String(),
		"Even read properly, no terminal is one clue, not a verdict: `dlab explain PID` shows the rest of the evidence for one process, including what points the other way (a job whose parent waits for it, stdio on a terminal).",
	), nil
}
