#!/usr/bin/env bash
# A proper double-forking daemon, except that it ignores SIGTERM.
# Usage: sysv-ignores-term.sh PIDFILE
set -eu
pidfile=$(realpath -m "${1:?usage: sysv-ignores-term.sh PIDFILE}")
export pidfile
setsid bash -c '
  (
    exec </dev/null >/dev/null 2>&1
    umask 027
    cd /
    echo "$BASHPID" >"$pidfile"
    trap "" HUP
    trap "" TERM
    sleep 1000000 & child=$!
    while kill -0 "$child" 2>/dev/null; do wait "$child" || true; done
  ) &
' &
exit 0
