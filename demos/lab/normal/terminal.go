package normal

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// cbreak turns off line buffering and echo on the terminal fd, so each key
// reaches the program as it is typed, but leaves ISIG on: ^C, ^Z and ^\ still
// make the terminal driver send SIGINT, SIGTSTP and SIGQUIT, which is what
// the program is there to show. (Raw mode would turn them into plain bytes.)
// It returns the settings to restore.
func cbreak(fd int) (*unix.Termios, error) {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	t := *old
	t.Lflag &^= unix.ICANON | unix.ECHO
	t.Lflag |= unix.ISIG
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return nil, err
	}
	return old, nil
}

func restoreTermios(fd int, t *unix.Termios) {
	if t != nil {
		unix.IoctlSetTermios(fd, unix.TCSETS, t)
	}
}

// windowSize reads the terminal's size in columns and rows.
func windowSize(fd int) (cols, rows int, err error) {
	ws, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ)
	if err != nil {
		return 0, 0, err
	}
	return int(ws.Col), int(ws.Row), nil
}

// takeForeground makes pgid the terminal's foreground process group, from a
// process that may be in the background. A background process that changes
// the foreground group gets SIGTTOU, unless it blocks or ignores it: a shell
// blocks it around this call, and so does this function, on a thread of its
// own (the signal mask belongs to the thread).
func takeForeground(fd, pgid int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ttou, old unix.Sigset_t
	ttou.Val[0] = 1 << (uint(unix.SIGTTOU) - 1)
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &ttou, &old); err != nil {
		return err
	}
	defer unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
	return unix.IoctlSetPointerInt(fd, unix.TIOCSPGRP, pgid)
}

// foregroundGroup reads the terminal's foreground process group.
func foregroundGroup(fd int) (int, error) {
	return unix.IoctlGetInt(fd, unix.TIOCGPGRP)
}
