#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Interoperation with OpenPGM (Debian libpgm 5.3, pgm_peer.c), over UDP
# encapsulation on OpenPGM's default ports, with 5% loss on the sender's
# link (every receiver loses, so repairs must cross implementations):
#  1. an OpenPGM sender to three rmcast receivers: each gets every
#     message, in order, byte-identical (rmcast-recv -v), and NAKed (to
#     OpenPGM) and was repaired by it;
#  2. an rmcast sender to three OpenPGM receivers: each gets every
#     message in order and byte-identical (pgm_peer recv verifies), and
#     the rmcast source received their NAKs and sent repairs.
# Both sides at their default ports, no port configuration: OpenPGM's are
# 3055 (NAKs, unicast) and 3056 (data), but an OpenPGM source binds only
# its multicast port (socket.c binds the receive socket to
# udp_encap_mcast_port); rmcast receivers send their NAKs there, and an
# rmcast source listens on both.  OpenPGM receivers start at the first packet
# they see unless an SPM told them the window first: the rmcast source
# sends SPMs every 100 ms for half a second before its first message.
#
# Messages are rmcast-send's self-verifying test messages: 1 byte to
# 16 KiB from rmcast (fragmented; OpenPGM reassembles them), 1 to 1400
# bytes from OpenPGM (one TPDU each: libpgm 5.3.128 crashes fragmenting
# larger messages, see pgm_peer.c).

. "$(dirname "$0")/rmcast_lib.sh"

PEER=$(dirname "$0")/pgm_peer
[ -x "$PEER" ] || skip_all "pgm_peer (OpenPGM) not built"

N=${RMCAST_MSGS:-2000}
RATE=${RMCAST_RATE:-1000000}
if [ "${RMCAST_SLOW:-0}" = 1 ]; then
	N=${RMCAST_MSGS:-400}
	RATE=${RMCAST_RATE:-200000}
fi
GADDR=239.77.9.1
PORT=7500
SIZES=1:16384
PGM_SIZES=1:1400

topo_down
topo_up 3 || { topo_down; skip_all "cannot build the netns/veth/bridge topology"; }
tap_plan 2

stat_of() { sed -n "s/^stats: $2 //p" "$1" | head -n 1; }

# OpenPGM sends, rmcast receives.
openpgm_to_rmcast() {
	pids=
	for r in 1 2 3; do
		$IP netns exec rm-r$r $RECV -v --hash --stats -n "$N" \
			-t "$(slow 30000)" --expect-sources 1 \
			--opt nak_bo_ivl_msecs="$(slow 50)" \
			"$GADDR:$PORT%eth0" >"$TMPD/a.r$r" 2>&1 &
		pids="$pids $!"
	done
	wait_members 3 || return 1
	$IP netns exec rm-s "$PEER" send -i 10.77.0.1 -g "$GADDR" -p "$PORT" \
		-n "$N" -S "$PGM_SIZES" -r "$RATE" -e 7 --linger "$(slow 20)" \
		>"$TMPD/a.s" 2>&1 &
	spid=$!
	rc=0
	for p in $pids; do wait "$p" || rc=1; done
	kill -TERM $spid 2>/dev/null
	wait $spid
	sed 's/^/# openpgm sender: /' "$TMPD/a.s" | tail -n 3
	for r in 1 2 3; do
		line=$(grep '^recv:' "$TMPD/a.r$r")
		echo "# rmcast r$r: $line" | cut -c1-160
		echo "#   nak_sent $(stat_of "$TMPD/a.r$r" nak_sent)" \
			"rdata_received $(stat_of "$TMPD/a.r$r" rdata_received)"
		if ! grep -q "^recv: msgs=$N " "$TMPD/a.r$r"; then
			sed "s/^/#   r$r: /" "$TMPD/a.r$r" | tail -n 8
			rc=1
		fi
		# it lost, NAKed and OpenPGM repaired
		[ "$(stat_of "$TMPD/a.r$r" nak_sent)" -gt 0 ] &&
			[ "$(stat_of "$TMPD/a.r$r" rdata_received)" -gt 0 ] || rc=1
	done
	return $rc
}

# rmcast sends, OpenPGM receives.
rmcast_to_openpgm() {
	pids=
	for r in 1 2 3; do
		$IP netns exec rm-r$r "$PEER" recv -i "10.77.0.$((10 + r))" \
			-g "$GADDR" \
			-p "$PORT" -n "$N" -e 9 -t "$(slow 60)" \
			>"$TMPD/b.r$r" 2>&1 &
		pids="$pids $!"
	done
	# OpenPGM joins from userspace: give it a moment (no module count).
	sleep "$(slow 1)"
	$IP netns exec rm-s $SEND -q --stats -n "$N" -S "$SIZES" --seed 9 \
		--opt odata_rate="$RATE" --opt spm_ambient_msecs=100 \
		--delay 500 --linger 600000 "$GADDR:$PORT%eth0" \
		>"$TMPD/b.s" 2>&1 &
	spid=$!
	rc=0
	for p in $pids; do wait "$p" || rc=1; done
	kill -TERM $spid 2>/dev/null
	wait $spid
	for r in 1 2 3; do
		sed "s/^/# openpgm r$r: /" "$TMPD/b.r$r" | tail -n 3
	done
	for k in nak_received ncf_sent rdata_sent; do
		echo "# rmcast source: $k $(stat_of "$TMPD/b.s" $k)"
	done
	[ "$(stat_of "$TMPD/b.s" nak_received)" -gt 0 ] &&
		[ "$(stat_of "$TMPD/b.s" rdata_sent)" -gt 0 ] || rc=1
	return $rc
}

netem_sender loss 5%
check "OpenPGM sender to rmcast receivers, 5% loss: all in order" openpgm_to_rmcast
check "rmcast sender to OpenPGM receivers, 5% loss: all in order" rmcast_to_openpgm
netem_clear

topo_down
tap_exit
