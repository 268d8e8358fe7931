#!/usr/bin/env bash
# Forks twice with setsid in between, but keeps the terminal's fds as its
# stdin, stdout and stderr.
# Usage: sysv-keeps-terminal.sh [PIDFILE]
set -eu
pidfile=$(realpath -m "${1:-${TMPDIR:-/tmp}/sysv-keeps-terminal-$(id -u).pid}")
export pidfile
setsid bash -c '
  (
    umask 027
    cd /
    echo "$BASHPID" >"$pidfile"
    echo "daemon $BASHPID started, still writing to your terminal"
    trap "" HUP
    trap "rm -f \"\$pidfile\"; kill \$child 2>/dev/null; exit 0" TERM
    sleep 1000000 & child=$!
    while kill -0 "$child" 2>/dev/null; do wait "$child" || true; done
  ) &
' &
exit 0
