#!/usr/bin/env bash
# A SysV daemon in bash, doing each step of daemon(7) a shell can do.
# Usage: sysv-correct.sh [PIDFILE]
set -eu
pidfile=$(realpath -m "${1:-${TMPDIR:-/tmp}/sysv-correct-$(id -u).pid}") # absolute: cd / comes later
export pidfile

# Step 5: fork (the & at the end); step 6: setsid() in that child, which is
# not a process group leader, so setsid(1) calls it without forking.
setsid bash -c '
  # Step 7: fork again, so the daemon is not a session leader and can never
  # acquire a terminal; step 8: the first child (this bash) exits.
  (
    exec </dev/null >/dev/null 2>&1    # step 9
    umask 027                          # step 10
    cd /                               # step 11
    echo "$BASHPID" >"$pidfile"        # step 12
    trap "echo reloaded configuration >>\"\${pidfile%.pid}.log\"" HUP
    trap "rm -f \"\$pidfile\"; kill \$child 2>/dev/null; exit 0" TERM
    sleep 1000000 & child=$!
    # wait returns early when a trapped signal arrives; keep waiting.
    while kill -0 "$child" 2>/dev/null; do wait "$child" || true; done
  ) &
' &
# Step 15: the original exits, and control returns to the caller.
exit 0
