#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End-to-end reliable delivery through real packet loss (netem).
#
# One sender and four receivers on a bridge.  Each case sends NMSGS
# generated messages of mixed sizes (1 byte to 64 KiB, rmcast-send -S) and
# checks that every receiver got every message exactly once, in order,
# byte-identical (rmcast-recv -v, and its FNV-1a-64 hash equals the
# sender's), and that the NAK/NCF/RDATA counters are non-zero exactly
# when there was loss.
#
# Cases: independent loss per receiver of 0%, 1%, 5% and 20%; 5% loss
# common to all (on the sender's port); reordering; duplication; IPv6 at
# 5%; IP protocol 113 at 5%.  RMCAST_MSGS overrides the message count.

. "$(dirname "$0")/rmcast_lib.sh"

NMSGS=${RMCAST_MSGS:-20000}
# Original data rate, bytes/s on the wire: what four receivers and a
# sender sharing two emulated CPUs sustain, so that the only losses are
# the ones netem makes.
RATE=${RMCAST_RATE:-3000000}
# Repairs: the independent-loss case asks for ~26% of the data again
# (1 + 5 + 20% plus repairs of lost repairs).  At the default share
# (net.rmcast.rdata_share, 5% of the data rate while data flows) the
# source would treat the 20% receiver as a crybaby and let it lose what
# the window cannot hold (crybaby_goodput_test checks that default);
# this test is about full repair, so it grants repairs the share such
# loss needs, as Documentation/latency.rst tells applications to.
SHARE=30
# The NAK back-off: the default, except on the debug kernel, where packets
# queued on the other CPU's backlog can arrive tens of milliseconds out
# of order, which a receiver cannot tell from loss after its back-off.
BO_IVL=50
if [ "${RMCAST_SLOW:-0}" = 1 ]; then
	NMSGS=${RMCAST_MSGS:-2000}
	RATE=${RMCAST_RATE:-300000}
	BO_IVL=$(slow 50)
fi
NRECV=4

# No "trap ... EXIT": busybox ash runs it when $(...) subshells exit.
topo_down
topo_up $NRECV || { topo_down; skip_all "cannot build the netns/veth/bridge topology"; }
tap_plan 8

stat_of() { sed -n "s/^stats: $2 //p" "$1" | head -n 1; }

# run_case NAME FAMILY(4|6) TRANSPORT(udp|ip) LOSSY_RECEIVERS
# LOSSY_RECEIVERS: which receivers must show repair activity ("all",
# "none", or a list like "2 3 4"); the others must show none.  "any":
# repairs are allowed but not required (reordering may trigger NAKs).
run_case() {
	name=$1 fam=$2 tr=$3 lossy=$4
	if [ "$fam" = 6 ]; then
		group="[ff15::77]:7500%eth0"
	else
		group="239.77.0.1:7500%eth0"
	fi
	timeout_ms=$(slow 30000)
	pids=
	for r in $(seq 1 $NRECV); do
		$IP netns exec rm-r$r $RECV -v --hash --stats -T "$tr" \
			-n "$NMSGS" -t "$timeout_ms" --expect-sources 1 \
			--opt nak_bo_ivl_msecs="$BO_IVL" \
			"$group" >"$TMPD/$name.r$r" 2>&1 &
		pids="$pids $!"
	done
	if ! wait_members $NRECV; then
		echo "# $name: receivers did not bind; objects:"
		sed 's/^/#   /' "$OBJ"
		kill $pids 2>/dev/null
		wait
		for r in $(seq 1 $NRECV); do
			sed "s/^/#   r$r: /" "$TMPD/$name.r$r" | tail -n 5
		done
		return 1
	fi
	drops0=$(softnet_drops)
	$IP netns exec rm-s $SEND -q --stats -T "$tr" -n "$NMSGS" \
		--opt odata_rate="$RATE" --opt rdata_share="$SHARE" \
		-S 1:65536 --seed 77 --linger 600000 "$group" \
		>"$TMPD/$name.s" 2>&1 &
	spid=$!

	rc=0
	r=0
	for p in $pids; do
		r=$((r + 1))
		if ! wait "$p"; then
			echo "# $name: receiver $r failed:"
			grep -v '^stats: ' "$TMPD/$name.r$r" | tail -n 20 |
				sed 's/^/#   /'
			grep '^stats: \(nak_sent\|rcvbuf_dropped\|lost_sqns\) ' \
				"$TMPD/$name.r$r" | sed 's/^/#   /'
			rc=1
		fi
	done
	kill -TERM "$spid" 2>/dev/null
	wait "$spid"

	drops=$(($(softnet_drops) - drops0))
	want=$(field "$TMPD/$name.s" "send:" hash)
	if [ -z "$want" ]; then
		echo "# $name: no sender summary:"
		sed 's/^/#   /' "$TMPD/$name.s" | tail -n 20
		return 1
	fi
	for r in $(seq 1 $NRECV); do
		f=$TMPD/$name.r$r
		got=$(grep '^recv-source:' "$f" | tr ' ' '\n' | sed -n 's/^hash=//p')
		msgs=$(field "$f" "recv:" msgs)
		naks=$(stat_of "$f" nak_sent)
		rdata=$(stat_of "$f" rdata_received)
		ncf=$(stat_of "$f" ncf_received)
		echo "# $name r$r: msgs=$msgs hash=$got naks=$naks ncf=$ncf rdata=$rdata"
		if [ "$got" != "$want" ] || [ "$msgs" != "$NMSGS" ]; then
			echo "# $name r$r: want hash $want and $NMSGS messages"
			rc=1
		fi
		case " $lossy " in
		*" all "* | *" $r "*)
			if [ "${naks:-0}" -eq 0 ] || [ "${ncf:-0}" -eq 0 ] ||
			   [ "${rdata:-0}" -eq 0 ]; then
				echo "# $name r$r: expected NAK/NCF/RDATA activity"
				rc=1
			fi
			;;
		*" any "*) ;;
		*)
			if [ "${naks:-0}" -ne 0 ] && [ "$drops" -eq 0 ]; then
				echo "# $name r$r: NAKs without loss"
				rc=1
			elif [ "${naks:-0}" -ne 0 ]; then
				echo "# $name r$r: NAKs for $drops packets the" \
					"kernel dropped on input (backlog full)"
			fi
			;;
		esac
	done
	grep '^stats: \(nak_received\|rdata_sent\|ncf_sent\) ' "$TMPD/$name.s" |
		sed "s/^/# $name sender: /"
	grep '^send: ' "$TMPD/$name.s" | sed "s/^/# $name /"
	return $rc
}

netem_clear
check "no loss: all delivered, no repairs" run_case clean 4 udp none

netem_clear
netem p-r2 loss 1%
netem p-r3 loss 5%
netem p-r4 loss 20%
check "loss 0/1/5/20% per receiver: all delivered exactly once, in order" \
	run_case perrecv 4 udp "2 3 4"

netem_clear
netem_sender loss 5%
check "5% loss common to all receivers" run_case common 4 udp all

netem_clear
netem_sender delay 2ms reorder 25% 50%
check "reordering: delivered in order" run_case reorder 4 udp any

netem_clear
netem_sender duplicate 5%
check "duplication: delivered exactly once" run_case dup 4 udp none

netem_clear
netem_sender loss 5%
check "IPv6, 5% common loss" run_case ipv6 6 udp all

netem_clear
netem_sender loss 5%
check "IP protocol 113, 5% common loss" run_case ipproto 4 ip all

netem_clear
netem_sender loss 5%
check "IPv6 + IP protocol 113, 5% common loss" run_case ip6proto 6 ip all

netem_clear
topo_down
tap_exit
