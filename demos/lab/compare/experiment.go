package compare

import (
	"strings"
)

// Target is which process an experiment is run on.
type Target string

const (
	NormalProcess Target = "normal"
	SysVDaemon    Target = "daemon"
)

// Event names what an experiment does to its target.
type Event string

const (
	SendTERM  Event = "SIGTERM"
	SendHUP   Event = "SIGHUP"
	SendINT   Event = "SIGINT"
	SendKILL  Event = "SIGKILL"
	TypeCtrlC Event = "^C typed on the terminal"
	HangUp    Event = "the terminal hangs up"
)

// Events lists the experiments in the order of the lesson.
var Events = []Event{SendTERM, SendHUP, SendINT, SendKILL, TypeCtrlC, HangUp}

// Outcome is what became of the process, in the few kinds the lesson
// tells apart.
type Outcome string

const (
	Killed        Outcome = "killed"         // ended by the signal's default action (Signal says which)
	CleanShutdown Outcome = "clean shutdown" // caught it, logged, removed its PID file, exited 0
	Reloaded      Outcome = "reloaded"       // caught it, reloaded its configuration, still running
	Ignored       Outcome = "ignored"        // the kernel discarded it: still running
	StillRunning  Outcome = "still running"  // it never got a signal: still running
	OtherExit     Outcome = "exited"         // ended some other way
	NoReaction    Outcome = "no reaction"    // still running, with no sign of having handled it
	NotObserved   Outcome = "not observed"   // the experiment could not be run
	// Inconclusive: what the process did was not seen in time, on a
	// machine too busy to tell a slow reaction from none (see patience).
	Inconclusive Outcome = "inconclusive"
)

// Expectation is what the lesson says will happen (facts.md, signal(7)).
type Expectation struct {
	Outcome Outcome `json:"outcome"`
	Signal  string  `json:"signal,omitempty"` // for Killed: which signal
	Text    string  `json:"text"`
	Why     string  `json:"why"`
}

// Observation is what happened, with the evidence.
type Observation struct {
	Outcome  Outcome  `json:"outcome"`
	Signal   string   `json:"signal,omitempty"` // for Killed: which signal, from the wait status
	Text     string   `json:"text"`
	Evidence []string `json:"evidence"`
}

// Experiment is one event on one target: what the lesson expects, what was
// observed, and whether they match.
type Experiment struct {
	Event        Event       `json:"event"`
	Target       Target      `json:"target"`
	PID          int         `json:"pid"`
	How          string      `json:"how"`                     // how dlab made the event happen
	Disposition  string      `json:"disposition"`             // of the signal, from /proc/PID/status just before
	Classic      string      `json:"classic,omitempty"`       // what the classic signal table says
	ClassicHolds *bool       `json:"classic_holds,omitempty"` // whether the observation agrees with it; nil when the table says nothing or nothing was seen
	Expected     Expectation `json:"expected"`
	Observed     Observation `json:"observed"`
	Match        bool        `json:"match"`
	TookMS       float64     `json:"took_ms"` // from the event to the observation
}

// Matches decides whether an observation is what was expected: the same
// kind of outcome, and for a killed process the same signal.
func Matches(e Expectation, o Observation) bool {
	if e.Outcome != o.Outcome {
		return false
	}
	if e.Outcome == Killed {
		return e.Signal == o.Signal
	}
	return true
}

// lesson is what facts.md says happens, for this demo's normal process (a
// program with no signal handler of its own, the foreground job of a shell
// on a terminal) and daemon (the SysV daemon, which catches SIGHUP and
// SIGTERM and nothing else: daemon(7) step 2 reset every other handler).
var lesson = map[Target]map[Event]Expectation{
	NormalProcess: {
		SendTERM: {Killed, "SIGTERM", "killed by SIGTERM",
			"SIGTERM's default action is to terminate, and the program sets no handler for it (signal(7))"},
		SendHUP: {Killed, "SIGHUP", "killed by SIGHUP",
			"SIGHUP's default action is to terminate; only a program that catches or ignores it (nohup) survives"},
		SendINT: {Killed, "SIGINT", "killed by SIGINT",
			"SIGINT's default action is to terminate, whether a ^C or kill -INT sent it"},
		SendKILL: {Killed, "SIGKILL", "killed by SIGKILL",
			"SIGKILL can't be caught, blocked or ignored"},
		TypeCtrlC: {Killed, "SIGINT", "killed by SIGINT",
			"the terminal driver turns ^C into SIGINT for the terminal's foreground process group, which is the program's"},
		HangUp: {Killed, "SIGHUP", "killed by SIGHUP",
			"the kernel sends SIGHUP to the terminal's controlling process, the session leader; as it ends, SIGHUP reaches the foreground job"},
	},
	SysVDaemon: {
		SendTERM: {CleanShutdown, "", "shuts down cleanly: logs it, removes its PID file, exits 0",
			"it catches SIGTERM to shut down cleanly, as a service manager's stop expects"},
		SendHUP: {Reloaded, "", "reloads its configuration and keeps running",
			"it catches SIGHUP to reload: a convention of daemons, chosen because a daemon has no terminal that could hang up; the kernel gives SIGHUP no such meaning"},
		SendINT: {Killed, "SIGINT", "killed by SIGINT",
			"a daemon never gets SIGINT from a terminal, having none; sent by hand, SIGINT terminates it unless it catches or ignores it, and this one doesn't (the classic table's \"usually ignored\" really means \"never sent\")"},
		SendKILL: {Killed, "SIGKILL", "killed by SIGKILL",
			"SIGKILL can't be caught: no clean shutdown, the PID file stays behind"},
		TypeCtrlC: {StillRunning, "", "not reached: still running",
			"it has no controlling terminal, so no terminal's ^C reaches it"},
		HangUp: {StillRunning, "", "not reached: still running",
			"it has no controlling terminal, so no hang-up reaches it"},
	},
}

// Expected is what the lesson says event does to target.
func Expected(target Target, event Event) Expectation { return lesson[target][event] }

// ClassicSignals is the classic signal table, word for word as the lesson
// signals shows it (lessons/catalog's test holds them together); ^C and the
// hang-up are not in it.
var ClassicSignals = map[Target]map[Event]string{
	NormalProcess: {SendTERM: "terminates", SendHUP: "terminates", SendINT: "interrupts (^C)", SendKILL: "force kill"},
	SysVDaemon:    {SendTERM: "graceful shutdown", SendHUP: "reload config", SendINT: "usually ignored", SendKILL: "force kill"},
}

// classicOutcome is the outcome each phrase of the classic signal table
// claims.
var classicOutcome = map[string]Outcome{
	"terminates": Killed, "interrupts (^C)": Killed, "force kill": Killed,
	"graceful shutdown": CleanShutdown, "reload config": Reloaded, "usually ignored": Ignored,
}

// observedKilled turns a wait status description ("killed by SIGINT",
// "exited with status 0") into an outcome.
func observedKilled(how string) (Outcome, string) {
	if sig, ok := strings.CutPrefix(how, "killed by "); ok {
		sig, _, _ = strings.Cut(sig, " ")
		return Killed, sig
	}
	return OtherExit, ""
}

// newExperiment fills in the lesson's side and decides the match.
func newExperiment(event Event, target Target, pid int, how, disposition string, o Observation) Experiment {
	e := Experiment{Event: event, Target: target, PID: pid, How: how, Disposition: disposition,
		Classic: ClassicSignals[target][event], Expected: Expected(target, event), Observed: o}
	e.Match = Matches(e.Expected, o)
	if want, ok := classicOutcome[e.Classic]; ok && o.Outcome != Inconclusive && o.Outcome != NotObserved {
		holds := want == o.Outcome
		e.ClassicHolds = &holds
	}
	return e
}
