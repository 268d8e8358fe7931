package catalog

import (
	"context"
	"fmt"

	"dlab/demos/lab/spectrum"
)

func init() {
	for _, k := range []struct {
		kind  spectrum.Kind
		shows string
	}{
		{spectrum.Nohup, "nohup typed into a real shell: SIGHUP ignored, but still in the terminal's session, and what the hang-up does to it and to a plain job"},
		{spectrum.Setsid, "setsid typed into a real shell: a new session and no terminal, but its stdio left where they were"},
		{spectrum.PtyServer, "a program on a pseudo-terminal held by a server, as under tmux or screen"},
		{spectrum.Supervised, "a foreground service under a supervisor that restarts it when it is killed"},
	} {
		kind := k.kind
		register(Demo{Name: string(kind), Shows: k.shows, run: func(ctx context.Context) (string, error) {
			return spectrumDemo(ctx, kind)
		}})
	}
}

// spectrumDemo starts one of the processes between a normal process and a
// daemon, inspects it, makes its telling event happen (a hang-up, a killed
// server, a killed service), inspects it again, and ends everything.
func spectrumDemo(ctx context.Context, kind spectrum.Kind) (string, error) {
	s, err := spectrum.Show(ctx, kind, spectrum.Options{})
	if err != nil {
		return "", err
	}
	if s.Transcript == "" {
		return s.Markdown(), nil
	}
	return doc(s.Markdown(),
		fmt.Sprintf("What the terminal showed: dlab typed the commands into a real interactive %s, as you would, and closed the window.", s.Shell),
		block("", printable(spectrum.Shorten(s.Transcript, s.Dir))),
	), nil
}
