#!/usr/bin/env bash
# bench-ps.sh [N]: dlab ps against ps(1), side by side in one run, with N
# extra processes alive (default 2000), and dlab explain as a whole process.
#
#   scripts/bench-ps.sh            # needs hyperfine (Debian package hyperfine)
#   scripts/bench-ps.sh 500
#
# The issue's targets: dlab ps at least as fast as
# `ps -e -o pid,ppid,pgid,sid,tty,tpgid,stat,uid,comm`, aiming at a third of
# its time; dlab explain PID well under 20 ms. Then the Go benchmarks of the
# same code paths run with the same processes alive.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-2000}
command -v hyperfine >/dev/null || { echo "bench-ps.sh: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/dlab" ./cmd/dlab
echo "bench-ps.sh: $(nproc) CPUs, $(go version | cut -d' ' -f3), kernel $(uname -r)" >&2

scripts/with-processes.sh "$n" bash -c '
  set -euo pipefail
  dlab=$1
  hyperfine -N --warmup 5 --min-runs 30 \
    --export-markdown "$2/ps.md" \
    "ps -e -o pid,ppid,pgid,sid,tty,tpgid,stat,uid,comm" \
    "$dlab ps" \
    "$dlab ps --json"
  hyperfine -N --warmup 5 --min-runs 50 \
    --export-markdown "$2/explain.md" \
    "$dlab explain 1" \
    "$dlab explain $$" \
    "$dlab --help"
  cat "$2/ps.md" "$2/explain.md"
  go test -run "^\$" -bench "List|StatReaderAll|BareReadFileLoop|Explain" -benchmem ./demos/core/inspect ./demos/core/proc |
    grep -E "^(Benchmark|ok)"
' bench "$tmp/dlab" "$tmp"
