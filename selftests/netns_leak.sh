#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Network namespace teardown with rmcast sockets open inside: after the
# namespace is deleted and the socket holders are killed, every object
# counter of the module (debugfs rmcast/objects) must be back to zero and
# rmmod must succeed.
#
#  case 1: a bound and a connected holder (plus some looped-back data
#          queued on the bound one); $IP netns del, then kill the holders
#  case 2: one IPv6 socket both bound and connected; $IP netns del, wait
#          until the namespace is gone with the holder still running,
#          then kill it
#
# Loads rmcast.ko itself if it is not loaded, and leaves it unloaded.
# TAP on stdout; exit 0 pass, 1 fail, 4 skip.
# Environment: RMCAST_KO (default /lib/modules/rmcast.ko), RMCAST_BIN
# (default /usr/bin).

: "${RMCAST_KO:=/lib/modules/rmcast.ko}"
: "${RMCAST_BIN:=/usr/bin}"
export PATH=/sbin:/usr/sbin:/bin:/usr/bin:$PATH

# iproute2 by path: busybox ash prefers its own (netns-less) ip applet
IP=/sbin/ip
INFO=$RMCAST_BIN/rmcast-info
SEND=$RMCAST_BIN/rmcast-send
MOD=/sys/module/rmcast
DBG=/sys/kernel/debug
OBJ=$DBG/rmcast/objects
TMPD=${TMPDIR:-/tmp}/rmcast-netns.$$
NS=rmleak$$
PLAN=12

n=0
fails=0
holders=
last_pid=
pid_bound=
pid_conn=
pid_both6=

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
diag() { echo "# $*"; }

skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

loaded() { [ -d $MOD ]; }

kill_holders() {
	for p in $holders; do kill "$p" 2>/dev/null; done
	for p in $holders; do wait "$p" 2>/dev/null; done
	holders=
}

cleanup() {
	kill_holders
	$IP netns del "$NS" 2>/dev/null
	loaded && ! rmmod rmcast && diag "cleanup: rmmod rmcast failed"
	rm -rf "$TMPD"
}

# Every line of the objects file is "name 0"; the file is not empty.
objects_zero() {
	awk 'NF != 2 || $2 != "0" { bad = 1; print "#   " $0 }
	     END { if (NR == 0) { print "#   (empty)"; bad = 1 }; exit bad }' "$OBJ"
}

# Some counter is non-zero (the file does count what is open).
objects_nonzero() {
	awk '$2 != "0" { found = 1 } END { exit !found }' "$OBJ"
}

# Poll (up to ~10 s: namespace cleanup runs from a workqueue) for zero.
objects_settle() {
	os_i=0
	while [ $os_i -lt 100 ]; do
		objects_zero >/dev/null && return 0
		sleep 0.1
		os_i=$((os_i + 1))
	done
	diag "objects not back to zero:"
	objects_zero
	return 1
}

# start_holder NAME ARGS...: rmcast-info --hold inside the namespace;
# its pid in $last_pid.
start_holder() {
	name=$1
	shift
	$IP netns exec "$NS" "$INFO" --hold 30 "$@" \
		>"$TMPD/$name.out" 2>"$TMPD/$name.err" &
	last_pid=$!
	holders="$holders $last_pid"
}

# wait_holding NAME PID: its "holding" line within ~10 s.
wait_holding() {
	wh_i=0
	while [ $wh_i -lt 100 ]; do
		grep -q '^holding' "$TMPD/$1.out" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
		wh_i=$((wh_i + 1))
	done
	diag "holder $1 not up:"
	sed 's/^/#   /' "$TMPD/$1.out" "$TMPD/$1.err" 2>/dev/null
	return 1
}

# A fresh namespace with lo up and multicast routed to it.
make_ns() {
	$IP netns add "$NS" || return 1
	$IP -n "$NS" link set lo up || return 1
	$IP -n "$NS" route add 224.0.0.0/4 dev lo || return 1
	$IP -n "$NS" -6 route add ff00::/8 dev lo 2>/dev/null ||
		diag "no IPv6 multicast route in $NS"
	return 0
}

# Wait (~10 s) until the namespace name is gone.
ns_gone() {
	ng_i=0
	while [ $ng_i -lt 100 ]; do
		$IP netns list | grep -qw "$NS" || return 0
		sleep 0.1
		ng_i=$((ng_i + 1))
	done
	return 1
}

# Kernel log lines after mark $1 that look like trouble.
dmesg_trouble() {
	dmesg | tail -n +$(($1 + 1)) |
		grep -E 'WARNING|BUG|Oops|refcount_t|leak|use-after-free|rmcast.*(error|fail)'
}

# Helpers use their own loop variables: POSIX sh has no locals.

# ---- preconditions -------------------------------------------------------

[ "$(id -u)" = 0 ] || skip_all "needs root"
[ -x $IP ] && $IP netns list >/dev/null 2>&1 ||
	skip_all "no iproute2 with netns support at $IP"
[ -x "$INFO" ] || skip_all "no $INFO (set RMCAST_BIN)"
if ! loaded; then
	[ -f "$RMCAST_KO" ] || skip_all "no module at RMCAST_KO=$RMCAST_KO"
fi
mkdir -p "$TMPD" || exit 1
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "TAP version 13"
echo "1..$PLAN"
mark=$(dmesg | wc -l)

# ---- 1-2: module and its object counters -----------------------------------

if loaded || insmod "$RMCAST_KO"; then
	ok "rmcast.ko loaded"
else
	not_ok "rmcast.ko loaded"
	exit 1
fi
grep -qs " $DBG debugfs " /proc/mounts || mount -t debugfs none $DBG
if [ -r "$OBJ" ] && objects_zero; then
	ok "all object counters zero at start"
else
	[ -r "$OBJ" ] || diag "no $OBJ"
	not_ok "all object counters zero at start"
	exit 1
fi

# ---- 3-7: case 1 ---------------------------------------------------------------

if make_ns; then
	start_holder bound --bind 239.1.1.1:7500
	pid_bound=$last_pid
	start_holder conn --connect 239.1.1.1:7500
	pid_conn=$last_pid
	if wait_holding bound "$pid_bound" && wait_holding conn "$pid_conn"; then
		ok "bound and connected holders up in $NS"
	else
		not_ok "bound and connected holders up in $NS"
	fi
else
	not_ok "bound and connected holders up in $NS (netns setup failed)"
fi
# Some data for the bound socket to hold (not checked: needs loopback).
if [ -x "$SEND" ]; then
	$IP netns exec "$NS" "$SEND" -q -n 20 -s 1000 --opt loop=1 \
		239.1.1.1:7500 >"$TMPD/send.out" 2>&1
	sed 's/^/#   /' "$TMPD/send.out"
fi
if objects_nonzero; then
	ok "object counters count the open sockets"
else
	diag "objects while sockets are open:"
	sed 's/^/#   /' "$OBJ"
	not_ok "object counters count the open sockets"
fi
sed 's/^/#   open: /' "$OBJ"

if $IP netns del "$NS"; then
	ok "ip netns del with sockets open"
else
	not_ok "ip netns del with sockets open"
fi
kill_holders
if objects_settle; then
	ok "all object counters zero after netns del + kill"
else
	not_ok "all object counters zero after netns del + kill"
fi
if ns_gone; then
	ok "namespace gone"
else
	not_ok "namespace gone"
fi

# ---- 8-10: case 2 ---------------------------------------------------------------

up=0
if make_ns; then
	start_holder both6 --bind "[ff15::1:7]:7500" --connect "[ff15::1:7]:7500"
	pid_both6=$last_pid
	wait_holding both6 "$pid_both6" && up=1
fi
if [ $up = 1 ] && $IP netns del "$NS" && ns_gone; then
	ok "IPv6 bound+connected holder: namespace deleted"
else
	not_ok "IPv6 bound+connected holder: namespace deleted"
fi
sleep 1
if [ $up = 1 ] && kill -0 "$pid_both6" 2>/dev/null; then
	ok "holder still running with its namespace gone"
else
	not_ok "holder still running with its namespace gone"
fi
kill_holders
if objects_settle; then
	ok "all object counters zero after holder killed"
else
	not_ok "all object counters zero after holder killed"
fi

# ---- 11-12: unload, kernel log -----------------------------------------------

tries=0
while ! rmmod rmcast 2>"$TMPD/rmmod.err"; do
	tries=$((tries + 1))
	[ $tries -ge 20 ] && break
	sleep 0.1
done
if loaded; then
	sed 's/^/#   /' "$TMPD/rmmod.err"
	diag "refcnt $(cat $MOD/refcnt 2>/dev/null)"
	not_ok "rmmod succeeds"
else
	[ $tries -gt 0 ] && diag "rmmod needed $tries retries"
	ok "rmmod succeeds"
fi

trouble=$(dmesg_trouble "$mark")
if [ -z "$trouble" ]; then
	ok "no kernel warnings"
else
	echo "$trouble" | sed 's/^/#   /'
	not_ok "no kernel warnings"
fi

[ $n = $PLAN ] || diag "ran $n checks, planned $PLAN"
[ $fails = 0 ] && [ $n = $PLAN ]
exit $?
