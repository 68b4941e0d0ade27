#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Receive buffer as a time (RMCAST_RCVBUF_MSECS): the kernel keeps the
# buffer at the measured incoming rate times the time, reports it in
# RMCAST_RCVBUF_CHOSEN, and stays within net.rmcast.rmem_min/rmem_max.
# Three receivers of one paced sender: 1 s, 2 s, and 2 s in a namespace
# whose rmem_max is 262144.

. "$(dirname "$0")/rmcast_lib.sh"

G="239.77.7.1:8200%eth0"
RATE=500000	# bytes/s on the wire, 1000-byte messages
N=2000
# (Slow kernel: still fast enough that 1 s of it exceeds rmem_min.)
[ "${RMCAST_SLOW:-0}" = 1 ] && RATE=300000 N=600

topo_down
topo_up 3 || { topo_down; skip_all "cannot build the netns/veth/bridge topology"; }
tap_plan 1

stat_of() { sed -n "s/^stats: $2 //p" "$1" | head -n 1; }

chosen() {
	$IP netns exec rm-r3 sysctl -qw net.rmcast.rmem_max=262144
	i=0
	for ms in 1000 2000 2000; do
		i=$((i + 1))
		$IP netns exec rm-r$i $RECV -n $N -t "$(slow 20000)" --stats \
			--opt rcvbuf_msecs=$ms "$G" >"$TMPD/r$i" 2>&1 &
	done
	wait_members 3 || return 1
	$IP netns exec rm-s $SEND -q -n $N -s 1000 --opt odata_rate=$RATE \
		"$G" >"$TMPD/s" 2>&1
	wait
	c1=$(stat_of "$TMPD/r1" rcvbuf_chosen)
	c2=$(stat_of "$TMPD/r2" rcvbuf_chosen)
	c3=$(stat_of "$TMPD/r3" rcvbuf_chosen)
	# What the kernel meters: the truesize a 1000-byte message costs
	# (about 1600 bytes) at RATE / 1052 wire bytes per message.
	want=$((RATE / 1052 * 1600))
	echo "# chosen: ${c1:-?} for 1 s, ${c2:-?} for 2 s, ${c3:-?} clamped;" \
		"expected about $want for 1 s"
	[ -n "$c1" ] && [ -n "$c2" ] && [ -n "$c3" ] || return 1
	[ "$c1" -ge $((want / 2)) ] && [ "$c1" -le $((want * 2)) ] &&
		[ $((c2 * 4)) -ge $((c1 * 7)) ] && [ $((c2 * 4)) -le $((c1 * 9)) ] &&
		[ "$c3" -eq 262144 ]
}

check "rcvbuf_msecs: buffer = rate x time, within rmem_min/rmem_max" chosen

topo_down
tap_exit
