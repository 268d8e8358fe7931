#!/usr/bin/env bash
# classroom-load.sh: a classroom on one shared server. N students run dlab at
# once for a bounded time: lessons with and without their demos, demo
# compare, demo daemon then demo stop, explain, ps, check on a sample daemon,
# workshop status/next/hint/check, in random order, and some of the commands
# are interrupted (SIGINT, as ^C) or killed (SIGKILL) at a random moment.
# Then each student's `dlab demo cleanup` runs, and the report says: runs,
# failures (by reason), what the next dlab or the final cleanup had to end
# after a kill, leaks (processes still there after cleanup), and p50/p95
# time per command (of the runs that were not interrupted on purpose).
#
#   scripts/classroom-load.sh [--users N] [--minutes M] [--user-list a,b,c]
#                             [--kill-percent P] [--command-timeout S] [--dlab PATH]
#
# As root, the students are the system users dlabload01..NN, created with
# useradd (no home directory, no login shell) when they don't exist, or the
# existing users of --user-list; nothing of the machine's is ever removed
# (users created stay, for the next run). Not as root, the students are N
# sessions of the calling user. Every student gets a HOME and an
# XDG_RUNTIME_DIR of their own under a temporary directory, so dlab's state
# (registry, workshop progress) is theirs only; that directory is removed at
# the end. Bounded: no command starts after --minutes, and each one is
# killed after --command-timeout seconds or 30 s past the end, whichever
# comes first. Only local: nothing is fetched, nothing listens but dlab's
# own demo daemons on 127.0.0.1.
set -u

users=30 minutes=10 user_list="" kill_percent=15 command_timeout=120 dlab=""
usage() {
	echo "usage: $0 [--users N] [--minutes M] [--user-list a,b,c] [--kill-percent P] [--command-timeout S] [--dlab PATH]" >&2
	exit 2
}
number() { case $2 in '' | *[!0-9]*) echo "classroom-load: $1 wants a whole number, got '$2'" >&2; exit 2 ;; esac; }
while [ $# -gt 0 ]; do
	case $1 in
	--users) users=${2:-}; number "$1" "$users"; shift ;;
	--minutes) minutes=${2:-}; number "$1" "$minutes"; shift ;;
	--user-list) user_list=${2:-}; shift ;;
	--kill-percent) kill_percent=${2:-}; number "$1" "$kill_percent"; shift ;;
	--command-timeout) command_timeout=${2:-}; number "$1" "$command_timeout"; shift ;;
	--dlab) dlab=${2:-}; shift ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) usage ;;
	esac
	shift
done
[ "$users" -ge 1 ] && [ "$users" -le 200 ] || { echo "classroom-load: --users goes from 1 to 200" >&2; exit 2; }
[ "$minutes" -ge 1 ] && [ "$minutes" -le 120 ] || { echo "classroom-load: --minutes goes from 1 to 120" >&2; exit 2; }
[ "$kill_percent" -le 100 ] || { echo "classroom-load: --kill-percent goes from 0 to 100" >&2; exit 2; }

work=$(mktemp -d /tmp/classroom-load.XXXXXX) || exit 1
chmod 755 "$work"
mkdir -p "$work/bin" "$work/results" "$work/home" "$work/run"
chmod 1777 "$work/results"

# The binary: a copy every student can read and run.
if [ -z "$dlab" ]; then
	(cd "$(dirname "$0")/.." && go build -o "$work/bin/dlab" ./cmd/dlab) || exit 1
else
	cp "$dlab" "$work/bin/dlab" || exit 1
fi

# The students.
students=()
if [ -n "$user_list" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "classroom-load: --user-list needs root, to run as those users" >&2; exit 2; }
	IFS=, read -r -a students <<<"$user_list"
	for u in "${students[@]}"; do
		id "$u" >/dev/null 2>&1 || { echo "classroom-load: no user '$u'" >&2; exit 2; }
	done
elif [ "$(id -u)" -eq 0 ]; then
	for i in $(seq 1 "$users"); do
		u=$(printf 'dlabload%02d' "$i")
		if ! id "$u" >/dev/null 2>&1; then
			useradd --no-create-home --shell /usr/sbin/nologin "$u" || exit 1
			echo "created user $u"
		fi
		students+=("$u")
	done
else
	for i in $(seq 1 "$users"); do students+=("$(id -un)#$i"); done
fi

# The sample daemon students check: a SysV daemon in shell (cd /, umask,
# setsid then a second fork, stdio on /dev/null, a PID file it removes on
# SIGTERM, SIGHUP ignored).
cat >"$work/bin/sample-daemon.sh" <<'EOF'
#!/bin/sh
# sample-daemon.sh PIDFILE
cd / || exit 1
umask 022
setsid sh -c 'sh -c '\''
	echo $$ >"$1"
	trap "kill \$s 2>/dev/null; rm -f \"$1\"; exit 0" TERM
	trap "" HUP
	while :; do sleep 1 & s=$!; wait $s; done
'\'' sh "$1" &' sh "$1" </dev/null >/dev/null 2>&1 &
EOF

# One student's session: random commands until the end time.
cat >"$work/bin/student.sh" <<'EOF'
#!/usr/bin/env bash
# student.sh NAME END KILL_PERCENT COMMAND_TIMEOUT: run as one student.
set -u
name=$1 end=$2 kill_percent=$3 command_timeout=$4
bin=$(dirname "$0")
dlab=$bin/dlab
out=$bin/../results/$name.tsv
tmp=$HOME/tmp
mkdir -p "$tmp"
cd "$HOME" || exit 1
lessons=(differences spotting parents detaching file-descriptors working-directory job-control startup
	process-commands service-management troubleshooting monitoring-logs security signals supervision)

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run KIND OK-STATUSES ARGS...: run dlab once, perhaps interrupt or kill it at
# a random moment, and record: student, kind, ms, status, signal sent,
# verdict, reason.
run() {
	local kind=$1 ok=$2
	shift 2
	local sig=- delay limit
	limit=$(((end - $(date +%s)) + 30))
	[ "$limit" -gt "$command_timeout" ] && limit=$command_timeout
	[ "$limit" -lt 1 ] && limit=1
	delay=$limit
	if [ $((RANDOM % 100)) -lt "$kill_percent" ]; then
		if [ $((RANDOM % 2)) -eq 0 ]; then sig=INT; else sig=KILL; fi
		delay=$((RANDOM % 4)).$((RANDOM % 10))
	fi
	local t0 rc
	t0=$(now_ms)
	"$dlab" "$@" >"$tmp/out" 2>"$tmp/err" &
	local pid=$!
	# The watchdog: the random signal, or the time limit (SIGKILL).
	(
		trap 'kill $s 2>/dev/null; exit 0' TERM
		sleep "$delay" &
		s=$!
		wait $s
		if [ "$sig" = - ]; then kill -KILL $pid 2>/dev/null && echo timeout >"$tmp/dog"; else kill -s "$sig" $pid 2>/dev/null && echo sent >"$tmp/dog"; fi
	) &
	local dog=$!
	wait $pid 2>/dev/null # no "Killed" line from bash: the table counts them
	rc=$?
	kill $dog 2>/dev/null
	wait $dog 2>/dev/null
	local ms=$(($(now_ms) - t0)) fired=-
	[ -f "$tmp/dog" ] && fired=$(cat "$tmp/dog") && rm -f "$tmp/dog"
	local verdict=ok reason=-
	if grep -qE '^(panic:|goroutine [0-9]+ \[)' "$tmp/err"; then
		verdict=fail reason="panic: $(grep -m1 '^panic:' "$tmp/err")"
	elif [ "$fired" = timeout ]; then
		verdict=fail reason="did not end within ${limit}s (killed)"
	elif [ "$fired" = sent ]; then
		# Interrupted on purpose: ^C ends dlab with 130, SIGKILL with 137;
		# it may also have finished first.
		case " $ok 130 137 " in *" $rc "*) verdict=interrupted ;; *) verdict=fail reason="after SIG$sig: exit $rc: $(head -1 "$tmp/err")" ;; esac
	else
		sig=-
		case " $ok " in *" $rc "*) ;; *) verdict=fail reason="exit $rc: $(head -1 "$tmp/err")" ;; esac
	fi
	# demo compare: an inconclusive experiment is no failure, but counted.
	if [ "$kind" = "demo compare" ] && grep -q '? inconclusive' "$tmp/out"; then
		[ "$verdict" = ok ] && verdict=inconclusive
	fi
	reason=$(printf '%s' "$reason" | tr '\t\n' '  ' | sed -E 's/[0-9]+/N/g' | cut -c1-160)
	# What an earlier, killed dlab of this student left and this one ended.
	local leftovers
	leftovers=$(grep -c 'left running by an earlier dlab' "$tmp/err")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$kind" "$ms" "$rc" "$sig" "$verdict" "$reason" "$leftovers" >>"$out"
}

while [ "$(date +%s)" -lt "$end" ]; do
	case $((RANDOM % 11)) in
	0 | 1) run "lesson" 0 lesson "${lessons[RANDOM % ${#lessons[@]}]}" ;;
	2) run "lesson --no-demos" 0 lesson "${lessons[RANDOM % ${#lessons[@]}]}" --no-demos ;;
	3) run "demo compare" 0 demo compare ;;
	4)
		run "demo daemon" 0 demo daemon --json --lifetime 10m
		pid=$(grep -m1 -oE '"pid": *[0-9]+' "$tmp/out" | grep -oE '[0-9]+$')
		[ -n "$pid" ] && run "demo stop" 0 demo stop "$pid"
		;;
	5) run "explain" 0 explain $((RANDOM % 2 == 0 ? 1 : $$)) ;;
	6) run "ps" 0 ps --daemons ;;
	7) run "check" 0 check --pidfile "$tmp/sample.pid" -- "$bin/sample-daemon.sh" "$tmp/sample.pid" ;;
	8) run "workshop status" 0 workshop status ;;
	9)
		case $((RANDOM % 2)) in
		0) run "workshop next" 0 workshop next ;;
		1) run "workshop hint" "0 1" workshop hint ;;
		esac
		;;
	10) run "workshop check" "0 1" workshop check $$ ;;
	esac
done
EOF
chmod 755 "$work/bin/"*

# as STUDENT CMD...: run a command as that student, in their own HOME and
# XDG_RUNTIME_DIR.
as() {
	local s=$1
	shift
	local h=$work/home/${s//#/-} r=$work/run/${s//#/-}
	local env=(HOME="$h" XDG_RUNTIME_DIR="$r" PATH="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" LANG=C.UTF-8)
	if [[ $s == *"#"* ]]; then
		env -i "${env[@]}" "$@"
	else
		su "$s" -s /bin/bash -c "cd / && exec env -i $(printf '%q ' "${env[@]}" "$@")"
	fi
}

for s in "${students[@]}"; do
	d=${s//#/-}
	mkdir -p "$work/home/$d" "$work/run/$d"
	chmod 700 "$work/home/$d" "$work/run/$d"
	[[ $s == *"#"* ]] || chown "$s" "$work/home/$d" "$work/run/$d"
done

end=$(($(date +%s) + minutes * 60))
echo "classroom-load: ${#students[@]} students for $minutes minute(s), ${kill_percent}% of commands interrupted or killed"
echo "load before: $(cat /proc/loadavg) on $(nproc) CPUs"
t0=$(date +%s)
for s in "${students[@]}"; do
	as "$s" "$work/bin/student.sh" "${s//#/-}" "$end" "$kill_percent" "$command_timeout" &
done
peak=0
while [ -n "$(jobs -rp)" ]; do
	l=$(cut -d' ' -f1 /proc/loadavg)
	peak=$(echo "$l $peak" | awk '{print ($1 > $2) ? $1 : $2}')
	sleep 5
done
wait
echo "load after:  $(cat /proc/loadavg) (peak 1-minute load seen: $peak); took $(($(date +%s) - t0)) s"

# Cleanup, as each student would at the end of the class.
ended=0
for s in "${students[@]}"; do
	c=$(as "$s" "$work/bin/dlab" demo cleanup --timeout 5s 2>&1)
	n=$(printf '%s\n' "$c" | grep -cE '^PID [0-9]+ .*(ended|killed)')
	ended=$((ended + n))
	[ "$n" -gt 0 ] && printf '%s\n' "$c" | grep -E '^PID [0-9]+' | sed "s/^/  cleanup for ${s//#/-}: /"
done

# Leaks: anything still running from this classroom: dlab's hidden roles
# (argv[0] is "dlab", so they are known by their executable), the sample
# daemons (their arguments name $work), and, for the students that are
# users of their own, any process of theirs.
own_uids=" "
for s in "${students[@]}"; do [[ $s == *"#"* ]] || own_uids+="$(id -u "$s") "; done
exe_pids=" $(find /proc -mindepth 2 -maxdepth 2 -name exe -lname "$work/bin/dlab" 2>/dev/null | cut -d/ -f3 | tr '\n' ' ') "
# A zombie runs nothing: it waits for its reaper (PID 1 here may reap
# late), so it is not a leak.
leaks=$(ps -eo pid=,uid=,stat=,args= | W="$work/" EXE="$exe_pids" UIDS="$own_uids" awk '
	$3 !~ /^Z/ && (index(ENVIRON["EXE"], " " $1 " ") || index($0, ENVIRON["W"]) || index(ENVIRON["UIDS"], " " $2 " "))')
leak_count=0
[ -n "$leaks" ] && leak_count=$(printf '%s\n' "$leaks" | wc -l)

all=$work/results/all.tsv
cat "$work"/results/*.tsv >"$all" 2>/dev/null
echo
echo "runs: $(wc -l <"$all"); ok: $(awk -F'\t' '$6=="ok"' "$all" | wc -l);" \
	"interrupted on purpose: $(awk -F'\t' '$6=="interrupted"' "$all" | wc -l)" \
	"(SIGINT $(awk -F'\t' '$6=="interrupted" && $5=="INT"' "$all" | wc -l), SIGKILL $(awk -F'\t' '$6=="interrupted" && $5=="KILL"' "$all" | wc -l));" \
	"compare inconclusive: $(awk -F'\t' '$6=="inconclusive"' "$all" | wc -l);" \
	"failures: $(awk -F'\t' '$6=="fail"' "$all" | wc -l)"
awk -F'\t' '$6=="fail" {print $2 ": " $7}' "$all" | sort | uniq -c | sort -rn | sed 's/^/  failure /'
echo "leftovers of killed commands ended by the student's next dlab: $(awk -F'\t' '{n += $8} END {print n + 0}' "$all");" \
	"by the final cleanup: $ended"
echo "leaks (still running after cleanup): $leak_count"
[ -n "$leaks" ] && printf '%s\n' "$leaks" | sed 's/^/  leak: /'
echo
printf '%-20s %6s %9s %9s %9s\n' command runs p50_ms p95_ms max_ms
# Times of the runs that were not interrupted on purpose.
awk -F'\t' '$6!="interrupted" {print $2 "\t" $3}' "$all" | sort -t$'\t' -k1,1 -k2,2n |
	awk -F'\t' '
	# The nearest rank: the smallest value with at least p of the runs at or under it.
	function rank(p,  i) { i = int(n * p); if (i < n * p) i++; return i < 1 ? 1 : i }
	function flush() { if (n) printf "%-20s %6d %9d %9d %9d\n", k, n, v[rank(0.5)], v[rank(0.95)], v[n] }
	$1 != k { flush(); k = $1; n = 0 }
	{ v[++n] = $2 }
	END { flush() }'

# End what leaked, by PID (this classroom's processes only), then remove the
# temporary directory; the users stay.
if [ -n "$leaks" ]; then
	printf '%s\n' "$leaks" | awk '{print $1}' | xargs -r kill -KILL 2>/dev/null
fi
rm -rf "$work"
