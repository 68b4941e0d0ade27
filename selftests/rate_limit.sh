#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The original-data token bucket: a sender limited to RATE bytes/s on the
# wire (IP header included) achieves RATE within 5% over several seconds,
# measured from its own wire-byte counter and the time it took; SPMs keep
# flowing while it waits for the bucket.

. "$(dirname "$0")/rmcast_lib.sh"

G="239.77.3.1:7800%eth0"
RATE=${RMCAST_RATE:-400000}
N=2000		# 1000-byte messages: ~5 s at the default rate
if [ "${RMCAST_SLOW:-0}" = 1 ]; then
	RATE=${RMCAST_RATE:-100000}
	N=500
fi

topo_down
topo_up 1 || { topo_down; skip_all "cannot build the netns/veth/bridge topology"; }
tap_plan 1

stat_of() { sed -n "s/^stats: $2 //p" "$1" | head -n 1; }

odata_rate() {
	$IP netns exec rm-r1 $RECV -v -n $N -t "$(slow 20000)" "$G" \
		>"$TMPD/r" 2>&1 &
	rp=$!
	wait_members 1 || return 1
	$IP netns exec rm-s $SEND -q --stats -n $N -s 1000 \
		--opt odata_rate="$RATE" --opt spm_ambient_msecs=200 "$G" \
		>"$TMPD/s" 2>&1
	wait $rp || return 1
	wire=$(stat_of "$TMPD/s" odata_wire_bytes)
	ms=$(field "$TMPD/s" "send:" elapsed_ms)
	spm=$(stat_of "$TMPD/s" spm_sent)
	waits=$(stat_of "$TMPD/s" rate_waits)
	got=$((wire * 1000 / ms))
	echo "# $wire wire bytes in $ms ms: $got B/s for a limit of $RATE;" \
		"$waits sends waited; $spm SPMs"
	# Within 5%, and the sender really was held back, and SPMs went on
	# (ambient every 200 ms: at least 3 per second of sending).
	[ $((got * 100)) -ge $((RATE * 95)) ] &&
		[ $((got * 100)) -le $((RATE * 105)) ] &&
		[ "$waits" -gt 0 ] && [ "$spm" -ge $((ms / 1000 * 3)) ]
}

check "odata_rate: achieved rate within 5% over several seconds" odata_rate

topo_down
tap_exit
