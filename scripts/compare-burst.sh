#!/usr/bin/env bash
# compare-burst.sh: run N `dlab demo compare` at once and count how each
# ended: as expected, a mismatch, inconclusive (the machine was too busy),
# or a failure to start. Then check that nothing is left.
#
#   scripts/compare-burst.sh [-n 30] [-u USER] [DLAB]
#
# DLAB is the binary (default: build ./cmd/dlab to a temporary file). With
# -u the runs are made as that user (from root, through su), with a copy of
# the binary in a directory the user can read. Bounded: every run has a
# 5-minute timeout. Only local; it removes only its own temporary files.
set -u
n=30 user=""
while getopts "n:u:" o; do
	case $o in
	n) n=$OPTARG ;;
	u) user=$OPTARG ;;
	*) echo "usage: $0 [-n N] [-u USER] [DLAB]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $n in '' | *[!0-9]*) echo "compare-burst: -n wants a number, got '$n'" >&2; exit 2 ;; esac

work=$(mktemp -d /tmp/compare-burst.XXXXXX)
chmod 755 "$work"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
dlab=${1:-}
if [ -z "$dlab" ]; then
	dlab=$work/dlab
	(cd "$(dirname "$0")/.." && go build -o "$dlab" ./cmd/dlab) || exit 1
else
	cp "$dlab" "$work/dlab" && dlab=$work/dlab
fi
chmod 755 "$dlab"

# A registry of this burst's own (XDG_RUNTIME_DIR), so that the final
# cleanup judges these runs only and touches no other demo of the user's.
state=$work/state
mkdir -m 700 "$state"
[ -n "$user" ] && chown "$user" "$state"

as() {
	if [ -n "$user" ]; then
		su "$user" -s /bin/bash -c "cd /tmp && XDG_RUNTIME_DIR=$state $(printf '%q ' "$@")"
	else
		XDG_RUNTIME_DIR=$state "$@"
	fi
}

mkdir "$work/out" && chmod 777 "$work/out"
echo "load before: $(cat /proc/loadavg) on $(nproc) cores"
t0=$(date +%s.%N)
for i in $(seq 1 "$n"); do
	as timeout 300 "$dlab" demo compare --json >"$work/out/$i.json" 2>"$work/out/$i.err" &
done
wait
t1=$(date +%s.%N)
echo "load after:  $(cat /proc/loadavg); $n runs took $(echo "$t1 - $t0" | bc) s"

ok=0 mismatch=0 inconclusive=0 failed=0
for i in $(seq 1 "$n"); do
	f=$work/out/$i.json
	m=0 c=0
	# "mismatches inconclusive" of one run; nothing if it printed no report.
	counts=$(jq -r 'select(.experiments != null) | [([.experiments[] | select(.match == false and .observed.outcome != "inconclusive")] | length), ([.experiments[] | select(.observed.outcome == "inconclusive")] | length)] | "\(.[0]) \(.[1])"' "$f" 2>/dev/null)
	if [ -n "$counts" ]; then
		read -r m c <<<"$counts"
		[ "$c" -gt 0 ] && inconclusive=$((inconclusive + 1))
		[ "$m" -gt 0 ] && mismatch=$((mismatch + 1))
		[ "$m" -eq 0 ] && [ "$c" -eq 0 ] && ok=$((ok + 1))
		jq -r '.experiments[] | select(.match == false) | "  \(.observed.outcome): \(.event) on the \(.target): \(.observed.text) (\(.observed.evidence | join("; ")))"' "$f"
	else
		failed=$((failed + 1))
		sed 's/^/  failed: /' "$work/out/$i.err" | head -3 | cut -c1-300
	fi
done
echo "runs=$n as_expected=$ok mismatch=$mismatch inconclusive=$inconclusive failed=$failed"

# Nothing left: each run ended its own processes; cleanup must find none.
left=$(as "$dlab" demo cleanup 2>&1)
echo "cleanup: $left"
ps -eo pid,user,args | grep -F "$dlab" | grep -v grep | sed 's/^/  still running: /'
exit 0
