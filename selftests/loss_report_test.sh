#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Honest loss: deterministic drops of chosen sequence numbers (a u32
# filter steers ODATA/RDATA carrying them into a 100% loss band on the
# receiver's bridge port), and the receiver must report exactly those
# sequence numbers, with the right cause, in the right place among the
# messages (rmcast-recv -v checks every gap against the records):
#  - retries exhausted, window passed, recovery deadline;
#  - one fragment of a message lost: the whole message, one cause;
#  - RMCAST_LOSS_FATAL turns the first loss into ECONNRESET.

. "$(dirname "$0")/rmcast_lib.sh"

G="239.77.4.1:7900%eth0"

topo_down
topo_up 1 || { topo_down; skip_all "cannot build the netns/veth/bridge topology"; }
tap_plan 5

# drop_sqns SQN...: lose ODATA and RDATA with these sqns towards rm-r1.
drop_sqns() {
	$TC qdisc del dev p-r1 root 2>/dev/null
	$TC qdisc add dev p-r1 root handle 1: prio bands 3 \
		priomap 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 || return 1
	$TC qdisc add dev p-r1 parent 1:3 handle 30: netem loss 100% || return 1
	for s in "$@"; do
		# IPv4 20 + UDP 8: PGM type at 28+4, data_sqn at 28+16.
		$TC filter add dev p-r1 parent 1: protocol ip prio 1 u32 \
			match u8 0x04 0xfe at 32 \
			match u32 "$s" 0xffffffff at 44 flowid 1:3 || return 1
	done
}

# run NAME WANT_RANGE WANT_CAUSE SEND_OPTS -- RECV_OPTS
# WANT_RANGE "a..b": the union of the reported ranges.
run() {
	name=$1 range=$2 cause=$3
	shift 3
	sopts=
	while [ "$1" != -- ]; do sopts="$sopts $1"; shift; done
	shift
	# shellcheck disable=SC2086
	$IP netns exec rm-r1 $RECV -v -t "$(slow 6000)" "$@" "$G" \
		>"$TMPD/$name.r" 2>&1 &
	rp=$!
	wait_members 1 || return 1
	# shellcheck disable=SC2086
	$IP netns exec rm-s $SEND -q --linger 600000 $sopts "$G" \
		>"$TMPD/$name.s" 2>&1 &
	sp=$!
	wait $rp
	kill -TERM $sp 2>/dev/null
	wait $sp
	sed -n 's/^rmcast-recv: loss [^ ]* sqn \([0-9]*\)\.\.\([0-9]*\) (\([a-z]*\))$/\1 \2 \3/p' \
		"$TMPD/$name.r" >"$TMPD/$name.loss"
	sed 's/^/# record: /' "$TMPD/$name.loss"
	grep '^recv:' "$TMPD/$name.r" | sed 's/^/# /'
	first=${range%..*} last=${range#*..}
	# Every sqn in [first,last] reported exactly once, nothing else,
	# every record with the expected cause.
	awk -v f="$first" -v l="$last" -v c="$cause" '
		{ if ($3 != c) { print "# cause " $3 ", want " c; bad = 1 }
		  for (s = $1; s <= $2; s++) { if (seen[s]++) bad = 1; n++
		    if (s < f || s > l) { print "# sqn " s " not lost"; bad = 1 } } }
		END { if (n != l - f + 1) { print "# " n " sqns reported, want " l - f + 1; bad = 1 }
		      exit bad }' "$TMPD/$name.loss" || return 1
	[ "$(field "$TMPD/$name.r" "recv:" gap_err)" = 0 ] &&
		[ "$(field "$TMPD/$name.r" "recv:" order_err)" = 0 ] &&
		[ "$(field "$TMPD/$name.r" "recv:" dup)" = 0 ]
}

FAST="--opt nak_rpt_ivl_msecs=100 --opt nak_rdata_ivl_msecs=100"

drop_sqns 5 6 7
check "retries exhausted: sqns 5..7 reported lost (retries)" \
	run retries 5..7 retries -n 20 -s 100 -- -n 17 $FAST \
	--opt nak_ncf_retries=2 --opt nak_data_retries=2

check "window passed: sqns 5..7 reported lost (window)" \
	run window 5..7 window -n 20 -s 100 --opt txw_msecs=300 \
	--opt spm_ambient_msecs=200 -- -n 17 $FAST \
	--opt nak_ncf_retries=100 --opt nak_data_retries=100

check "recovery deadline: sqns 5..7 reported lost (deadline)" \
	run deadline 5..7 deadline -n 20 -s 100 -- -n 17 $FAST \
	--opt nak_ncf_retries=100 --opt nak_data_retries=100 \
	--opt recovery_msecs=300

# 3000-byte messages take 3 TPDUs: message 2 is sqns 6..8.
drop_sqns 7
check "a lost fragment loses its whole message: sqns 6..8, one cause" \
	run frag 6..8 retries -n 10 -s 3000 -- -n 9 $FAST \
	--opt nak_ncf_retries=2 --opt nak_data_retries=2

fatal() {
	$IP netns exec rm-r1 $RECV -v -t "$(slow 6000)" -n 17 $FAST \
		--opt nak_ncf_retries=2 --opt nak_data_retries=2 \
		--opt loss_fatal=1 "$G" >"$TMPD/fatal.r" 2>&1 &
	rp=$!
	wait_members 1 || return 1
	$IP netns exec rm-s $SEND -q -n 20 -s 100 --linger 600000 "$G" \
		>/dev/null 2>&1 &
	sp=$!
	wait $rp
	kill -TERM $sp 2>/dev/null
	wait $sp
	grep '^recv:' "$TMPD/fatal.r" | sed 's/^/# /'
	# The five messages before the hole arrived, then ECONNRESET.
	[ "$(field "$TMPD/fatal.r" "recv:" reset)" = 1 ] &&
		[ "$(field "$TMPD/fatal.r" "recv:" msgs)" = 5 ]
}
drop_sqns 5 6 7
check "RMCAST_LOSS_FATAL: the first loss is ECONNRESET" fatal

$TC qdisc del dev p-r1 root 2>/dev/null
topo_down
tap_exit
