#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Crybaby defence at the default settings: one receiver behind 50% loss
# must not starve the group.  Two healthy receivers' goodput (time to get
# N messages from a sender sending as fast as the defaults let it) with
# the third receiver behind 50% loss is within 10% of a run where the
# third has no loss, back to back in the same boot (three receiver
# processes both times, so both runs share the two CPUs alike).  The
# source must have heard the crybaby and bounded what it spent on it.

. "$(dirname "$0")/rmcast_lib.sh"

G="239.77.6.1:8100%eth0"
N=${RMCAST_MSGS:-10000}
# The repair budget is absolute (rdata_rate, 1 MiB/s by default): it
# bounds a crybaby's share only while the source sends well above it.
# On the debug kernel every packet costs ~20x the CPU and the source
# manages ~0.3 MB/s, below the budget, so the ratio measures that, not
# the defence (measured there: +20%).  Known limitation, see the notes.
[ "${RMCAST_SLOW:-0}" = 1 ] &&
	skip_all "source slower than the default repair budget on the debug kernel"

topo_down
topo_up 3 || { topo_down; skip_all "cannot build the netns/veth/bridge topology"; }
tap_plan 1

uptime_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
stat_of() { sed -n "s/^stats: $2 //p" "$1" | head -n 1; }

# run NAME RECEIVERS: prints the slower healthy receiver's time in ms
run() {
	name=$1
	shift
	pids=
	all=
	for r in "$@"; do
		(
			$IP netns exec rm-r$r $RECV -v -n "$N" -t "$(slow 30000)" \
				"$G" >"$TMPD/$name.r$r" 2>&1
			echo "rc $? end $(uptime_ms)" >>"$TMPD/$name.r$r"
		) &
		all="$all $!"
		[ "$r" = 3 ] || pids="$pids $!"
	done
	wait_members $# || return 1
	t0=$(uptime_ms)
	$IP netns exec rm-s $SEND -q --stats -n "$N" -s 1000 \
		--linger 600000 "$G" >"$TMPD/$name.s" 2>&1 &
	sp=$!
	for p in $pids; do wait "$p"; done
	kill -TERM $sp 2>/dev/null
	wait $sp
	# The lossy receiver may still be repairing: stop it.
	killall rmcast-recv 2>/dev/null
	# shellcheck disable=SC2086
	wait $all
	worst=0
	for r in 1 2; do
		set -- $(sed -n 's/^rc \([0-9]*\) end \([0-9]*\)$/\1 \2/p' "$TMPD/$name.r$r")
		[ "$1" = 0 ] || { echo "# $name r$r failed"; return 1; }
		t=$(($2 - t0))
		[ "$t" -gt "$worst" ] && worst=$t
	done
	echo "$worst" >"$TMPD/$name.t"
}

crybaby() {
	run alone 1 2 3 || return 1
	netem p-r3 loss 50%
	run crybaby 1 2 3 || return 1
	a=$(cat "$TMPD/alone.t") c=$(cat "$TMPD/crybaby.t")
	echo "# healthy receivers got $N messages in $a ms with a lossless" \
		"third receiver, $c ms with it behind 50% loss" \
		"(limit $((a * 110 / 100)) ms)"
	for k in rdata_sent nak_received nak_ignored nak_rate_dropped; do
		echo "# source with crybaby: $k $(stat_of "$TMPD/crybaby.s" $k)"
	done
	# The lossy receiver did cry (and was heard), and the healthy ones
	# did not slow down by more than 10%.
	[ "$(stat_of "$TMPD/crybaby.s" nak_received)" -gt 0 ] &&
		[ "$c" -le $((a * 110 / 100)) ]
}

check "a 50%-loss receiver costs healthy receivers under 10% goodput" crybaby

topo_down
tap_exit
