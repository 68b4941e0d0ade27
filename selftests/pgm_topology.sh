#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Delivery in other topologies:
#  1. two senders on the same group and port: every receiver gets both
#     streams, each complete, in order and attributed to its sender;
#  2. sender and receivers on the same host (multicast loopback): they
#     get everything, and a local socket that stops reading for two
#     seconds delays neither the other local socket, nor a remote
#     receiver, nor the sender, and then gets everything too;
#  3. a socket that stops reading for two seconds with a receive buffer
#     far smaller than what arrives meanwhile (net.rmcast.rmem 256 KiB
#     in its namespace, ~2 MB sent during the stall) loses packets at
#     its own socket, then repairs all of them from the source's window,
#     while the other socket of its host and a remote receiver finish
#     undelayed and without a NAK.

. "$(dirname "$0")/rmcast_lib.sh"

N=${RMCAST_MSGS:-3000}
RATE=${RMCAST_RATE:-1000000}
if [ "${RMCAST_SLOW:-0}" = 1 ]; then
	N=${RMCAST_MSGS:-600}
	RATE=${RMCAST_RATE:-200000}
fi
G4="239.77.0.9:7600%eth0"
# On the debug kernel the other CPU's backlog can reorder packets by tens
# of ms, which a receiver cannot tell from loss: back off longer there.
BO="--opt nak_bo_ivl_msecs=$(slow 50)"

topo_down
topo_up 4 || { topo_down; skip_all "cannot build the netns/veth/bridge topology"; }
tap_plan 3

uptime_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
stat_of() { sed -n "s/^stats: $2 //p" "$1" | head -n 1; }

# A source's hash as a receiver saw it: rhash FILE TSI
rhash() {
	grep "^recv-source: tsi=$2 " "$1" | tr ' ' '\n' | sed -n 's/^hash=//p'
}

two_senders() {
	pids=
	for r in 1 2 3; do
		$IP netns exec rm-r$r $RECV -v --hash -n $((2 * N)) \
			-t "$(slow 30000)" --expect-sources 2 "$G4" \
			>"$TMPD/two.r$r" 2>&1 &
		pids="$pids $!"
	done
	wait_members 3 || return 1
	netem p-r1 loss 5%
	for s in s r4; do
		$IP netns exec rm-$s $SEND -q -n "$N" -S 1:16384 \
			--seed "$([ $s = s ] && echo 1 || echo 2)" \
			--opt odata_rate="$RATE" --linger 600000 "$G4" \
			>"$TMPD/two.$s" 2>&1 &
		eval "spid_$s=\$!"
	done
	rc=0
	for p in $pids; do wait "$p" || rc=1; done
	# shellcheck disable=SC2154
	kill -TERM "$spid_s" "$spid_r4" 2>/dev/null
	wait
	netem_clear
	for s in s r4; do
		tsi=$(field "$TMPD/two.$s" "send:" tsi)
		want=$(field "$TMPD/two.$s" "send:" hash)
		for r in 1 2 3; do
			got=$(rhash "$TMPD/two.r$r" "$tsi")
			echo "# sender $s ($tsi) at r$r: hash $got want $want"
			[ -n "$want" ] && [ "$got" = "$want" ] || rc=1
		done
	done
	[ $rc = 0 ] || tail -n 3 "$TMPD"/two.r* | sed 's/^/#   /'
	return $rc
}

same_host() {
	t0=$(uptime_ms)
	(
		$IP netns exec rm-s $RECV -v --hash --stats -n "$N" \
			-t "$(slow 30000)" --expect-sources 1 $BO "$G4"
		echo "end $(uptime_ms)"
	) >"$TMPD/local.fast" 2>&1 &
	p1=$!
	(
		$IP netns exec rm-s $RECV -v --hash --stats -n "$N" \
			-t "$(slow 30000)" --expect-sources 1 \
			$BO --sleep-after 300:2000 "$G4"
		echo "end $(uptime_ms)"
	) >"$TMPD/local.slow" 2>&1 &
	p2=$!
	(
		$IP netns exec rm-r1 $RECV -v --hash --stats -n "$N" \
			-t "$(slow 30000)" --expect-sources 1 $BO "$G4"
		echo "end $(uptime_ms)"
	) >"$TMPD/remote" 2>&1 &
	p3=$!
	wait_members 2 || return 1
	$IP netns exec rm-s $SEND -q --stats -n "$N" -S 1:16384 --seed 3 \
		--opt odata_rate="$RATE" --linger 600000 "$G4" \
		>"$TMPD/local.s" 2>&1 &
	spid=$!
	rc=0
	for p in $p1 $p2 $p3; do wait "$p" || rc=1; done
	kill -TERM "$spid" 2>/dev/null
	wait "$spid"

	want=$(field "$TMPD/local.s" "send:" hash)
	for f in local.fast local.slow remote; do
		got=$(grep '^recv-source:' "$TMPD/$f" | tr ' ' '\n' | sed -n 's/^hash=//p')
		end=$(sed -n 's/^end //p' "$TMPD/$f")
		echo "# $f: hash $got (want $want) done after $((end - t0)) ms," \
			"rcvbuf_dropped $(stat_of "$TMPD/$f" rcvbuf_dropped)" \
			"nak_sent $(stat_of "$TMPD/$f" nak_sent)" \
			"rdata $(stat_of "$TMPD/$f" rdata_received)"
		[ -n "$want" ] && [ "$got" = "$want" ] || rc=1
	done
	grep '^send:' "$TMPD/local.s" | sed 's/^/# /'
	[ $rc = 0 ] || for f in local.fast local.slow remote; do
		grep -v '^stats: ' "$TMPD/$f" | tail -n 4 | sed "s/^/#   $f: /"
		grep -o '([a-z]*)$' "$TMPD/$f" | sort | uniq -c |
			sed "s/^/#   $f loss causes: /"
		grep '^stats: ' "$TMPD/$f" | tr '\n' ' ' | sed "s/^/#   $f: /"
		echo
	done
	[ $rc = 0 ] || grep '^stats: ' "$TMPD/local.s" | tr '\n' ' ' |
		sed "s/^/#   sender: /"
	# No socket saw loss, so none needed repair...
	for f in local.fast local.slow remote; do
		[ "$(stat_of "$TMPD/$f" nak_sent)" = 0 ] || { echo "# $f had to NAK"; rc=1; }
	done
	# ...and the others were not held up: the local fast socket finished
	# with the remote receiver.
	tf=$(($(sed -n 's/^end //p' "$TMPD/local.fast") - t0))
	tr_=$(($(sed -n 's/^end //p' "$TMPD/remote") - t0))
	[ "$tf" -le $((tr_ + tr_ / 4 + 300)) ] || { echo "# fast local socket delayed ($tf ms vs remote $tr_ ms)"; rc=1; }
	# The sender was not slowed: it took about what its rate implies.
	el=$(field "$TMPD/local.s" "send:" elapsed_ms)
	bytes=$(field "$TMPD/local.s" "send:" bytes)
	ideal=$((bytes / (RATE / 1000)))
	echo "# sender: $el ms for $bytes bytes; payload at the rate alone: $ideal ms"
	[ "$el" -le $((ideal * 2 + 1000)) ] || { echo "# sender delayed"; rc=1; }
	return $rc
}

# 3: rm-r2 holds a fast and a stalled socket, both with 256 KiB buffers
stall_repair() {
	$IP netns exec rm-r2 sh -c 'echo 262144 > /proc/sys/net/rmcast/rmem'
	t0=$(uptime_ms)
	for f in fast slow remote; do
		ns=rm-r2 extra=
		[ $f = remote ] && ns=rm-r3
		[ $f = slow ] && extra="--sleep-after 300:2000"
		(
			# shellcheck disable=SC2086
			$IP netns exec $ns $RECV -v --hash --stats -n "$N" \
				-t "$(slow 30000)" --expect-sources 1 $BO \
				$extra "$G4"
			echo "end $(uptime_ms)"
		) >"$TMPD/stall.$f" 2>&1 &
		eval "p_$f=\$!"
	done
	wait_members 2 || return 1
	$IP netns exec rm-s $SEND -q --stats -n "$N" -s 1000 --seed 5 \
		--opt odata_rate="$RATE" --linger 600000 "$G4" \
		>"$TMPD/stall.s" 2>&1 &
	spid=$!
	rc=0
	# shellcheck disable=SC2154
	for p in $p_fast $p_slow $p_remote; do wait "$p" || rc=1; done
	kill -TERM "$spid" 2>/dev/null
	wait "$spid"
	$IP netns exec rm-r2 sh -c 'echo 16777216 > /proc/sys/net/rmcast/rmem'
	want=$(field "$TMPD/stall.s" "send:" hash)
	for f in fast slow remote; do
		got=$(grep '^recv-source:' "$TMPD/stall.$f" | tr ' ' '\n' | sed -n 's/^hash=//p')
		end=$(sed -n 's/^end //p' "$TMPD/stall.$f")
		eval "t_$f=\$((end - t0))"
		echo "# $f: hash $got (want $want) done after $((end - t0)) ms," \
			"rcvbuf_dropped $(stat_of "$TMPD/stall.$f" rcvbuf_dropped)" \
			"nak_sent $(stat_of "$TMPD/stall.$f" nak_sent)" \
			"rdata $(stat_of "$TMPD/stall.$f" rdata_received)" \
			"lost_sqns $(stat_of "$TMPD/stall.$f" lost_sqns)"
		[ -n "$want" ] && [ "$got" = "$want" ] || rc=1
	done
	[ $rc = 0 ] || grep -v '^stats: ' "$TMPD/stall.slow" | tail -n 4 |
		sed 's/^/#   slow: /'
	grep '^send:' "$TMPD/stall.s" | sed 's/^/# /'
	for k in nak_received rdata_sent nak_rate_dropped nak_no_repair; do
		echo "# source: $k $(stat_of "$TMPD/stall.s" $k)"
	done
	# The stalled socket lost at its own buffer and repaired it all...
	[ "$(stat_of "$TMPD/stall.slow" rcvbuf_dropped)" -gt 0 ] &&
		[ "$(stat_of "$TMPD/stall.slow" nak_sent)" -gt 0 ] || rc=1
	# ...and no one else needed a repair or waited for it.
	for f in fast remote; do
		[ "$(stat_of "$TMPD/stall.$f" nak_sent)" = 0 ] || { echo "# $f had to NAK"; rc=1; }
	done
	# shellcheck disable=SC2154
	[ "$t_fast" -le $((t_remote + t_remote / 4 + 300)) ] ||
		{ echo "# fast socket delayed ($t_fast ms vs remote $t_remote ms)"; rc=1; }
	return $rc
}

check "two senders on one group and port: both streams, each in order, attributed" two_senders
check "same host: loopback delivery; a stalled socket delays no one" same_host
check "a stalled socket with a small buffer repairs what it dropped; no one waits" stall_repair

topo_down
tap_exit
