#!/usr/bin/env bash
# with-processes.sh N CMD [ARGS...]
#
# Runs CMD while N extra processes (sleep) are alive, then ends them, whatever
# way CMD or this script ends (EXIT, INT, TERM, HUP). The benchmarks of dlab
# ps use it to measure on a machine with 2,000 processes, as the issue asks.
# The sleeps also end by themselves after DLAB_SPAWN_LIFETIME seconds (900),
# so even a SIGKILL of this script leaves nothing for long.
set -euo pipefail

n=${1:?usage: with-processes.sh N CMD [ARGS...]}
shift
[[ $# -gt 0 ]] || { echo "with-processes.sh: no command to run" >&2; exit 2; }
lifetime=${DLAB_SPAWN_LIFETIME:-900}

# Job control puts the holder and its sleeps in a process group of their own,
# whose id is the holder's PID: one kill by that id ends exactly them.
set -m
bash -c 'for ((i = 0; i < $1; i++)); do sleep "$2" & done; wait' holder "$n" "$lifetime" \
  </dev/null >/dev/null 2>&1 &
holder=$!
set +m

cleanup() {
  kill -TERM -- "-$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
  # SIGTERM is delivered asynchronously: wait (up to 5 s) until all are gone.
  for ((tries = 0; tries < 100; tries++)); do
    pgrep -g "$holder" >/dev/null || return 0
    sleep 0.05
  done
  kill -KILL -- "-$holder" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Wait (with a deadline) until all N are running.
for ((tries = 0; tries < 600; tries++)); do
  running=$(pgrep -c -g "$holder" sleep || true)
  [[ $running -ge $n ]] && break
  sleep 0.05
done
if [[ ${running:-0} -lt $n ]]; then
  echo "with-processes.sh: only ${running:-0} of $n processes started" >&2
  exit 1
fi
echo "with-processes.sh: $n extra processes running; $(ls -d /proc/[0-9]* | wc -l) in all" >&2

"$@"
