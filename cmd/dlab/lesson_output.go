package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// outputFile is where -o writes: the file itself, or a temporary file
// beside it that takes its place at the end.
type outputFile struct {
	*os.File
	path string // what -o named
	temp string // "" when writing straight to path
}

// createOutput opens what path names for a handout, the way a shell's
// redirection would, so that nothing but a regular file is ever replaced:
//   - a regular file, or nothing yet: written to a temporary file in the same
//     directory and renamed over it by Commit, so an interrupted run leaves
//     no half a handout; a new file gets 0666 less the umask, a replaced one
//     keeps its mode;
//   - a symbolic link, a device (/dev/null, a terminal) or a FIFO: opened and
//     written through, never replaced: renaming over /dev/null as root would
//     put a regular file in its place;
//   - a directory: refused, naming it.
func createOutput(path string) (*outputFile, error) {
	fail := func(err error) (*outputFile, error) {
		return nil, fmt.Errorf("cannot write the lesson to %s: %w", path, err)
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(path)
		if _, err := os.Stat(dir); err != nil {
			return fail(fmt.Errorf("no directory %s: create it first or write elsewhere", dir))
		}
		return createBeside(path, 0o666)
	case err != nil:
		return fail(err)
	case fi.IsDir():
		return fail(fmt.Errorf("it is a directory: name a file in it, such as %s", filepath.Join(path, "lesson.html")))
	case fi.Mode().IsRegular():
		return createBeside(path, fi.Mode().Perm())
	}
	// A symlink, a device, a FIFO or a socket: through it, as > would.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return fail(err)
	}
	return &outputFile{File: f, path: path}, nil
}

// createBeside creates a temporary file in path's directory with perm (less
// the umask, which open(2) applies).
func createBeside(path string, perm fs.FileMode) (*outputFile, error) {
	for range 100 {
		var b [6]byte
		rand.Read(b[:])
		temp := filepath.Join(filepath.Dir(path), ".dlab-lesson-"+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(temp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cannot write the lesson to %s: %w", path, err)
		}
		return &outputFile{File: f, path: path, temp: temp}, nil
	}
	return nil, fmt.Errorf("cannot write the lesson to %s: no free temporary name in its directory", path)
}

// Commit finishes the handout: the temporary file takes the target's place.
func (o *outputFile) Commit() error {
	if err := o.File.Close(); err != nil {
		o.Abort()
		return fmt.Errorf("cannot write the lesson to %s: %w", o.path, err)
	}
	if o.temp == "" {
		return nil
	}
	if err := os.Rename(o.temp, o.path); err != nil {
		os.Remove(o.temp)
		return fmt.Errorf("cannot write the lesson to %s: %w", o.path, err)
	}
	return nil
}

// Abort leaves the target as it was (or, written through, as far as it got).
func (o *outputFile) Abort() {
	o.File.Close()
	if o.temp != "" {
		os.Remove(o.temp)
	}
}

var _ io.Writer = (*outputFile)(nil)
