#!/usr/bin/env bash
# Forks twice and redirects its stdio, but never calls setsid: the daemon
# stays in the caller's session, with the caller's controlling terminal.
# Usage: sysv-no-setsid.sh [PIDFILE]
set -eu
pidfile=$(realpath -m "${1:-${TMPDIR:-/tmp}/sysv-no-setsid-$(id -u).pid}")
export pidfile
bash -c '
  (
    exec </dev/null >/dev/null 2>&1
    umask 027
    cd /
    echo "$BASHPID" >"$pidfile"
    trap "" HUP
    trap "rm -f \"\$pidfile\"; kill \$child 2>/dev/null; exit 0" TERM
    sleep 1000000 & child=$!
    while kill -0 "$child" 2>/dev/null; do wait "$child" || true; done
  ) &
' &
exit 0
