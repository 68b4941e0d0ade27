#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Arrival-order delivery under 5% loss: two sockets of one receiver, one
# in arrival order and one in order, see the same packets; each gets every
# message exactly once (the ordered one in order), and for the messages
# that arrived behind a gap the arrival socket's median and 99th
# percentile delay are far below the ordered socket's (p50 under a third,
# p99 under a half), measured in the same run.

. "$(dirname "$0")/rmcast_lib.sh"

G="239.77.5.1:8000%eth0"
N=${RMCAST_MSGS:-3000}
RATE=500	# messages/s
[ "${RMCAST_SLOW:-0}" = 1 ] && N=${RMCAST_MSGS:-600} RATE=100
PROBE=$(dirname "$0")/arrival_probe

topo_down
topo_up 1 || { topo_down; skip_all "cannot build the netns/veth/bridge topology"; }
tap_plan 1

arrival() {
	netem p-r1 loss 5%
	$IP netns exec rm-r1 "$PROBE" recv "$G" "$N" >"$TMPD/r" 2>&1 &
	rp=$!
	wait_members 1 || return 1
	$IP netns exec rm-s "$PROBE" send "$G" "$N" "$RATE" >"$TMPD/s" 2>&1 &
	sp=$!
	wait $rp || { sed 's/^/# /' "$TMPD/r"; kill $sp; wait; return 1; }
	kill $sp 2>/dev/null
	wait
	line=$(grep '^behind=' "$TMPD/r")
	echo "# $line (microseconds)"
	set -- $(echo "$line" | tr ' =' '\n\n' | sed -n '2p;4p;6p;8p;10p')
	nb=$1 ap50=$2 ap99=$3 op50=$4 op99=$5
	[ "${nb:-0}" -ge 20 ] || { echo "# too few messages behind a gap"; return 1; }
	[ $((ap50 * 3)) -lt "$op50" ] && [ $((ap99 * 2)) -lt "$op99" ]
}

check "arrival order: exactly once; behind a gap p50/p99 far below in-order" arrival

topo_down
tap_exit
