#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Multicast hygiene and per-namespace sysctls:
#  - every net.rmcast.* sysctl refuses min-1 and max+1 (EINVAL), value kept;
#  - sysctls are per namespace, and a new socket takes its namespace's;
#  - TTL defaults to 16; TTL 0 keeps traffic on the host;
#  - multicast loopback is on by default; RMCAST_LOOP=0 turns it off;
#  - groups in 224.0.0.0/24 are refused unless allow_link_local_groups.

. "$(dirname "$0")/rmcast_lib.sh"

N=50
G="239.77.2.1:7700%eth0"
G6="[ff15::77:2:1]:7700%eth0"

topo_down
topo_up 1 || { topo_down; skip_all "cannot build the netns/veth/bridge topology"; }
tap_plan 7

# name min max (the bounds in module/rmcast_pernet.c)
BOUNDS="txw_bytes 65536 1073741824
txw_msecs 1 3600000
spm_ambient_msecs 1 3600000
spm_heartbeat_msecs 1 3600000
nak_bo_ivl_msecs 1 3600000
nak_rpt_ivl_msecs 1 3600000
nak_rdata_ivl_msecs 1 3600000
nak_ncf_retries 0 255
nak_data_retries 0 255
nak_ignore_msecs 0 3600000
recovery_msecs 0 3600000
odata_rate 0 2147483647
rdata_rate 0 2147483647
rdata_share 0 100
rate_burst_msecs 1 3600000
ttl 0 255
loop 0 1
rmem 65536 1073741824
rcvbuf_msecs 0 3600000
rmem_min 65536 1073741824
rmem_max 65536 1073741824
max_peers 1 65536
peer_expiry_msecs 1 3600000
allow_link_local_groups 0 1"

bounds() {
	rc=0
	n=0
	for f in /proc/sys/net/rmcast/*; do n=$((n + 1)); done
	want=$(echo "$BOUNDS" | wc -l)
	[ "$n" -eq "$want" ] || { echo "# $n sysctls, test knows $want"; rc=1; }
	echo "$BOUNDS" | while read -r name min max; do
		f=/proc/sys/net/rmcast/$name
		old=$(cat "$f") || { echo "# no $name"; exit 1; }
		for bad in $((min - 1)) $((max + 1)); do
			if (echo "$bad" >"$f") 2>/dev/null; then
				echo "# $name accepted $bad"
				exit 1
			fi
			[ "$(cat "$f")" = "$old" ] || { echo "# $name changed"; exit 1; }
		done
		echo "$min" >"$f" && echo "$max" >"$f" && echo "$old" >"$f" ||
			{ echo "# $name refused a value in range"; exit 1; }
	done || rc=1
	return $rc
}

per_netns() {
	rc=0
	$IP netns exec rm-s sysctl -qw net.rmcast.ttl=0 net.rmcast.nak_bo_ivl_msecs=77
	for k in ttl nak_bo_ivl_msecs; do
		a=$($IP netns exec rm-s cat /proc/sys/net/rmcast/$k)
		b=$($IP netns exec rm-r1 cat /proc/sys/net/rmcast/$k)
		c=$(cat /proc/sys/net/rmcast/$k)
		echo "# $k: rm-s $a, rm-r1 $b, init $c"
		[ "$b" = "$c" ] && [ "$a" != "$b" ] || rc=1
	done
	[ "$($IP netns exec rm-r1 cat /proc/sys/net/rmcast/ttl)" = 16 ] ||
		{ echo "# default ttl is not 16"; rc=1; }
	return $rc
}

# deliver SENDER_NS RECEIVER_NS EXPECTED [rmcast-send options]: EXPECTED
# is "all" or "none" of N messages.
deliver() {
	sns=$1 rns=$2 expect=$3
	shift 3
	$IP netns exec "$rns" $RECV -v -n $N -t "$(slow 2000)" "${DG:-$G}" \
		>"$TMPD/d.r" 2>&1 &
	rp=$!
	wait_members 1 || return 1
	$IP netns exec "$sns" $SEND -q -n $N -s 100 --linger 300 "$@" "${DG:-$G}" \
		>"$TMPD/d.s" 2>&1
	wait $rp
	got=$(field "$TMPD/d.r" "recv:" msgs)
	echo "# $sns -> $rns ($*): $got of $N, want $expect"
	case $expect in
	all) [ "$got" = "$N" ] ;;
	none) [ "$got" = 0 ] ;;
	esac
}

# The namespace's TTL 0 (set above) applies to a new socket: nothing
# leaves the host, but a receiver on it gets everything.
ttl0() {
	deliver rm-s rm-r1 none && deliver rm-s rm-s all || return 1
	# IPv6: hop limit 0 likewise
	DG=$G6
	deliver rm-s rm-r1 none && deliver rm-s rm-s all
	rc=$?
	DG=
	return $rc
}

ttl_default_and_loop() {
	$IP netns exec rm-s sysctl -qw net.rmcast.ttl=16
	deliver rm-s rm-r1 all && deliver rm-s rm-s all
}

loop_off() {
	deliver rm-s rm-s none --opt loop=0 &&
		deliver rm-s rm-r1 all --opt loop=0
}

link_local() {
	rc=0
	$IP netns exec rm-r1 $RECV -n 1 -t 100 "224.0.0.77:7700%eth0" \
		>"$TMPD/ll" 2>&1
	grep -q "Invalid argument" "$TMPD/ll" || { echo "# 224.0.0.77 not refused"; rc=1; }
	$IP netns exec rm-r1 sysctl -qw net.rmcast.allow_link_local_groups=1
	$IP netns exec rm-r1 $RECV -n 1 -t 100 "224.0.0.77:7700%eth0" \
		>"$TMPD/ll" 2>&1
	grep -q "Invalid argument" "$TMPD/ll" && { echo "# still refused with the sysctl"; rc=1; }
	# ...in that namespace only.
	$IP netns exec rm-s $SEND -n 1 "224.0.0.77:7700%eth0" >"$TMPD/ll" 2>&1
	grep -q "Invalid argument" "$TMPD/ll" || { echo "# allowed in another namespace"; rc=1; }
	return $rc
}

check "every sysctl refuses values out of its range" bounds
check "sysctls are per namespace; ttl defaults to 16" per_netns
check "TTL 0 (the namespace's) keeps traffic on the host, IPv4 and IPv6" ttl0
check "TTL 16 reaches other hosts; loopback on by default" ttl_default_and_loop
check "RMCAST_LOOP=0: no local copy, remote still served" loop_off
check "224.0.0.0/24 refused unless allow_link_local_groups (per netns)" link_local
check "module objects all freed" objects_zero

topo_down
tap_exit
