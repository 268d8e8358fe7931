#!/usr/bin/env bash
# A proper double-forking daemon, except that it ignores SIGTERM: its
# handler only notes it in the log.
# Usage: sysv-ignores-term.sh [PIDFILE]
set -eu
pidfile=$(realpath -m "${1:-${TMPDIR:-/tmp}/sysv-ignores-term-$(id -u).pid}")
export pidfile
setsid bash -c '
  (
    exec </dev/null >/dev/null 2>&1
    umask 027
    cd /
    echo "$BASHPID" >"$pidfile"
    trap "" HUP
    # It does nothing about SIGTERM but say so in its log.
    trap "echo ignoring SIGTERM >>\"\${pidfile%.pid}.log\"" TERM
    sleep 1000000 & child=$!
    while kill -0 "$child" 2>/dev/null; do wait "$child" || true; done
  ) &
' &
exit 0
