#!/usr/bin/env bash
# like-ci.sh [CMD [ARGS...]]
#
# Runs CMD (default: go test -race ./...) the way CI runs the suite: in a
# PID namespace of its own, where PID 1 is not init but a shell that reaps
# orphans at once, and where the tests start in session 0 and process group
# 0 because nothing above them called setsid() or setpgid(). A terminal
# shell never looks like that, and tests that pass in one can fail in CI
# (a demo reading a daemon's exit status after PID 1 had already reaped it,
# a golden file holding the launcher's session).
#
# PID 1 in the namespace is bash under the name of this machine's PID 1, so
# the golden files recorded here are still compared. Needs root (unshare -p).
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "like-ci.sh: a PID namespace needs root; run it with sudo" >&2
  exit 2
fi
command -v unshare >/dev/null || { echo "like-ci.sh: unshare not found (apt-get install util-linux)" >&2; exit 2; }
[[ $# -gt 0 ]] || set -- go test -race ./...

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
init="$dir/$(tr -c 'A-Za-z0-9_.\n-' _ </proc/1/comm)"
cp "$(command -v bash)" "$init"

# '"$@"; exit $?' is a list, not one command, so bash forks the command
# instead of exec'ing it, stays PID 1 and reaps whatever is orphaned. --kill-child ends
# the namespace with this script.
unshare --pid --fork --mount-proc --kill-child "$init" -c '"$@"; exit $?' like-ci "$@" </dev/null
