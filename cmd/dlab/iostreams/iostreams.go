// Package iostreams is the one place that knows whether dlab writes to a
// terminal, whether colour is on and how wide the screen is. Commands read
// these fields; tests build streams over buffers and set them by hand.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are a command's standard streams and what is known about them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// IsTerminal is true when Out is a terminal.
	IsTerminal bool
	// InIsTerminal is true when In is a terminal.
	InIsTerminal bool
	// Color is true when Out is a terminal, NO_COLOR is unset and TERM is not "dumb".
	Color bool
	// Width is the terminal's width in columns, or 0 when Out is not a terminal.
	Width int

	pager *pager // set between StartPager and StopPager
}

// System describes the process's own standard streams. It never writes to or
// queries the terminal (no escape sequences): only ioctls on the fds.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.IsTerminal = term.IsTerminal(int(os.Stdout.Fd()))
	s.InIsTerminal = term.IsTerminal(int(os.Stdin.Fd()))
	if s.IsTerminal {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			s.Width = w
		}
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	s.Color = s.IsTerminal && !noColor && os.Getenv("TERM") != "dumb"
	return s
}

// Test returns streams over buffers: stdin, stdout and stderr, not a terminal.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// TermWidth is Width, or fallback when it is unknown.
func (s *IOStreams) TermWidth(fallback int) int {
	if s.Width > 0 {
		return s.Width
	}
	return fallback
}
