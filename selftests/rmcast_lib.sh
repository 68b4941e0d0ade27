# SPDX-License-Identifier: GPL-2.0
# Shared helpers for rmcast shell selftests (POSIX sh, busybox ash).
#
# Topology: a bridge "rmbr" in the calling namespace, one sender namespace
# rm-s and receiver namespaces rm-r1..rm-rN, each joined to the bridge by a
# veth pair: eth0 inside the namespace, "p-s"/"p-rN" on the bridge.
# IPv4 10.77.0.0/24 and IPv6 fd77::/64; the sender is .1 / ::1, receiver N
# is .(10+N) / ::(10+N).  Multicast snooping is off, so the bridge floods
# groups to every port.

IP=/sbin/ip
TC=/sbin/tc
: "${RMCAST_BIN:=/usr/bin}"
SEND=$RMCAST_BIN/rmcast-send
RECV=$RMCAST_BIN/rmcast-recv
OBJ=/sys/kernel/debug/rmcast/objects
TMPD=${TMPDIR:-/tmp}/rmcast.$$

tap_n=0
tap_fail=0

tap_plan() { echo "TAP version 13"; echo "1..$1"; }

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_fail=$((tap_fail + 1))
	echo "not ok $tap_n - $*"
}

# check DESC CMD...: one TAP line from a command's status.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

tap_exit() {
	[ "$tap_fail" -eq 0 ] && exit 0
	exit 1
}

# Scale time limits on a slow (debug) kernel.
slow() {
	if [ "${RMCAST_SLOW:-0}" = 1 ]; then echo $(($1 * 8)); else echo "$1"; fi
}

topo_up() {
	nrecv=$1
	mkdir -p "$TMPD"
	$IP link add rmbr type bridge mcast_snooping 0 || return 1
	$IP link set rmbr up
	for n in s $(seq 1 "$nrecv"); do
		if [ "$n" = s ]; then
			ns=rm-s host=1 port=p-s
		else
			ns=rm-r$n host=$((10 + n)) port=p-r$n
		fi
		$IP netns add "$ns" || return 1
		$IP link add "$port" type veth peer name eth0 netns "$ns" || return 1
		$IP link set "$port" master rmbr up
		$IP -n "$ns" link set lo up
		$IP -n "$ns" addr add "10.77.0.$host/24" dev eth0
		$IP -n "$ns" addr add "fd77::$host/64" dev eth0 nodad
		$IP -n "$ns" link set eth0 up
	done
	TOPO_RECV=$nrecv
}

topo_down() {
	$IP netns del rm-s 2>/dev/null
	for n in $(seq 1 "${TOPO_RECV:-0}"); do
		$IP netns del "rm-r$n" 2>/dev/null
	done
	$IP link del rmbr 2>/dev/null
	rm -rf "$TMPD"
	TOPO_RECV=0
}

# netem on a bridge port (egress towards that namespace): port ARGS...
netem() {
	port=$1
	shift
	$TC qdisc replace dev "$port" root netem "$@"
}

# netem on the sender's own interface: every receiver sees the same loss.
netem_sender() {
	$IP netns exec rm-s $TC qdisc replace dev eth0 root netem "$@"
}

netem_clear() {
	$TC qdisc del dev p-s root 2>/dev/null
	$IP netns exec rm-s $TC qdisc del dev eth0 root 2>/dev/null
	for n in $(seq 1 "${TOPO_RECV:-0}"); do
		$TC qdisc del dev "p-r$n" root 2>/dev/null
	done
}

# Wait until WANT group memberships exist (receivers have bound).
wait_members() {
	want=$1
	i=0
	while [ "$i" -lt 200 ]; do
		have=$(sed -n 's/^memberships //p' "$OBJ")
		[ "${have:-0}" -ge "$want" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# Every counter in the module's object file reads zero.
objects_zero() {
	awk '$2 != 0 { bad = 1; print "# object not freed: " $0 } END { exit bad }' "$OBJ"
}

# A field of the summary line: field FILE PREFIX NAME
field() {
	grep "^$2" "$1" | tr ' ' '\n' | sed -n "s/^$3=//p" | head -n 1
}

# Packets the kernel itself dropped on input (per-CPU backlog full), all
# CPUs: /proc/net/softnet_stat's second column, hex.  A receiver may NAK
# without any netem loss when this grew (a slow debug kernel does this).
softnet_drops() {
	total=0
	while read -r _ d _; do
		total=$((total + 0x$d))
	done </proc/net/softnet_stat
	echo "$total"
}
