package main

import (
	"errors"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

// lessonOptions holds the flags and arguments of dlab lesson.
type lessonOptions struct {
	IO   *iostreams.IOStreams
	Args []string
}

func newLessonCmd(ios *iostreams.IOStreams, runF func(*lessonOptions) error) *cobra.Command {
	opts := &lessonOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "lesson",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if runF != nil {
				return runF(opts)
			}
			return runLesson(opts)
		},
	}
	return cmd
}

func runLesson(opts *lessonOptions) error {
	return errors.New("lesson is not built yet")
}
