#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the installed rmcast selftests (kselftest-style TAP on stdout).
#
# Usage: run_tests.sh [NAME...]       (from anywhere; runs all tests without NAMEs)
# Needs root. Environment:
#   RMCAST_KO            path of rmcast.ko (default: ./rmcast.ko next to this script)
#   RMCAST_SLOW=1        slow (debug) kernel: tests scale their time limits
#   RMCAST_TIMEOUT_SCALE multiply the per-test timeout from ./settings (default 1)
#   RMCAST_KMEMLEAK=0|1  check kmemleak (default: 1 when /sys/kernel/debug/kmemleak exists)
#
# Tests start with rmcast.ko unloaded. Unless listed in TEST_OWN_MODULE, the runner
# insmods it before the test and rmmods it after; a failing rmmod (a leaked
# reference) fails the test. Exit code 4 from a test means SKIP.
# Exit status: 0 when every test passed or skipped, 1 otherwise.

cd "$(dirname "$0")" || exit 1
export PATH=/sbin:/usr/sbin:/bin:/usr/bin:$PATH
. ./tests.list
: "${RMCAST_KO:=$PWD/rmcast.ko}"
export RMCAST_KO RMCAST_SLOW

timeout=45
[ -f settings ] && timeout=$(sed -n 's/^timeout=//p' settings)
timeout=$((timeout * ${RMCAST_TIMEOUT_SCALE:-1}))

kml=/sys/kernel/debug/kmemleak
[ -z "$RMCAST_KMEMLEAK" ] && { [ -w $kml ] && RMCAST_KMEMLEAK=1 || RMCAST_KMEMLEAK=0; }

tests=
for t in $TEST_GEN_PROGS $TEST_PROGS; do
	if [ $# -gt 0 ]; then
		for want in "$@"; do [ "$want" = "$t" ] && tests="$tests $t"; done
	else
		tests="$tests $t"
	fi
done
for want in "$@"; do
	case " $tests " in *" $want "*) ;; *)
		echo "run_tests: no test named '$want' (tests: $TEST_GEN_PROGS $TEST_PROGS)" >&2
		exit 1 ;;
	esac
done

set -- $tests
n=$#
[ "$RMCAST_KMEMLEAK" = 1 ] && n=$((n + 1))

loaded() { grep -q '^rmcast ' /proc/modules; }

kmemleak_scan() {
	# kmemleak reports an object older than 5 s that two scans in a row found
	# unreferenced. Scan while rmcast.ko is still loaded so the backtraces of the
	# reports (printed on the console) keep their symbols.
	sleep 6
	echo scan >$kml
	echo scan >$kml
}

# Run ./TEST in its own session with a time limit; on timeout, or when the test
# returns, its whole process group is killed (no stray process may hold the output
# pipe open or a module reference). Prints the exit status on fd 3.
run_one() { # TIMEOUT TEST
	rm -f /tmp/timedout.$$
	setsid "./$2" </dev/null 2>&1 &
	pid=$!
	(
		sleep "$1"
		touch /tmp/timedout.$$
		kill -TERM -"$pid" 2>/dev/null
		sleep 5
		kill -KILL -"$pid" 2>/dev/null
	) >/dev/null 2>&1 &
	dog=$!
	wait "$pid"
	r=$?
	kill "$dog" 2>/dev/null
	kill -KILL -"$pid" 2>/dev/null
	echo "$r" >&3
}

# Indent a test's output as kselftest does, unbuffered; remember its last SKIP line.
indent() {
	while IFS= read -r line; do
		echo "# $line"
		case $line in *SKIP* | *[Ss]kip*) printf '%s\n' "$line" >/tmp/skip.$$ ;; esac
	done
}

echo "TAP version 13"
echo "1..$n"
if [ "$RMCAST_KMEMLEAK" = 1 ]; then
	# Ignore anything the boot itself leaked.
	echo scan >$kml
	echo clear >$kml
	# Print leak reports on the console at each scan.
	[ -w /sys/module/kmemleak/parameters/verbose ] && echo 1 >/sys/module/kmemleak/parameters/verbose
fi

num=0 fails=0
for t; do
	num=$((num + 1))
	echo "# selftests: rmcast: $t"
	own=0
	case " $TEST_OWN_MODULE " in *" $t "*) own=1 ;; esac
	if loaded; then
		echo "# rmcast.ko already loaded before $t: unloading"
		rmmod rmcast 2>&1 | indent
	fi
	why=
	rm -f /tmp/skip.$$
	if [ $own = 0 ] && ! insmod "$RMCAST_KO" 2>/tmp/insmod.err; then
		indent </tmp/insmod.err
		rc=1 why="insmod $RMCAST_KO failed"
	else
		start=$(cut -d' ' -f1 /proc/uptime)
		run_one "$timeout" "$t" 3>/tmp/rc.$$ | indent
		rc=$(cat /tmp/rc.$$)
		end=$(cut -d' ' -f1 /proc/uptime)
		echo "# $t: exit $rc after $(echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }') s"
		if [ -e /tmp/timedout.$$ ]; then
			why="TIMEOUT ${timeout}s"
			[ "$rc" = 0 ] || [ "$rc" = 4 ] && rc=1
		fi
		[ "$RMCAST_KMEMLEAK" = 1 ] && loaded && kmemleak_scan
		if loaded; then
			if [ $own = 1 ]; then
				echo "# $t left rmcast.ko loaded"
				[ $rc = 0 ] && rc=1 why="left rmcast.ko loaded"
			fi
			if ! rmmod rmcast 2>/tmp/rmmod.err; then
				indent </tmp/rmmod.err
				echo "# rmmod rmcast failed: refcount $(cat /sys/module/rmcast/refcnt 2>/dev/null)"
				[ $rc = 4 ] && rc=1
				[ $rc = 0 ] && rc=1
				why="${why:+$why, }rmmod failed (leaked reference?)"
			fi
		fi
	fi
	case $rc in
	0) echo "ok $num $t" ;;
	4)
		reason=$(sed 's/.*[Ss][Kk][Ii][Pp]\(ped\)\{0,1\}[]:) ]*//' /tmp/skip.$$ 2>/dev/null)
		echo "ok $num $t # SKIP${reason:+ $reason}" ;;
	*)
		echo "not ok $num $t # exit=$rc${why:+ $why}"
		fails=$((fails + 1)) ;;
	esac
done

if [ "$RMCAST_KMEMLEAK" = 1 ]; then
	num=$((num + 1))
	echo "# selftests: rmcast: kmemleak"
	kmemleak_scan
	if [ -s $kml ]; then
		indent <$kml
		echo "not ok $num kmemleak # leaks reported"
		fails=$((fails + 1))
	else
		echo "ok $num kmemleak"
	fi
fi

[ $fails = 0 ]
