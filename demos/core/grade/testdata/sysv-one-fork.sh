#!/usr/bin/env bash
# Forks once and calls setsid, but does not fork a second time: the daemon
# is the leader of its new session.
# Usage: sysv-one-fork.sh [PIDFILE]
set -eu
pidfile=$(realpath -m "${1:-${TMPDIR:-/tmp}/sysv-one-fork-$(id -u).pid}")
export pidfile
setsid bash -c '
  exec </dev/null >/dev/null 2>&1
  umask 027
  cd /
  echo "$$" >"$pidfile"
  trap "" HUP
  trap "rm -f \"\$pidfile\"; kill \$child 2>/dev/null; exit 0" TERM
  sleep 1000000 & child=$!
  while kill -0 "$child" 2>/dev/null; do wait "$child" || true; done
' &
exit 0
