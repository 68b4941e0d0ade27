#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rmcast.ko lifecycle: repeated insmod/rmmod, the read-only "family"
# parameter, refusal of a family slot that is already taken, and rmmod
# refused while a socket is open.  Starts and ends with the module
# unloaded.  TAP on stdout; exit 0 pass, 1 fail, 4 skip.
#
# Environment: RMCAST_KO (default /lib/modules/rmcast.ko), RMCAST_BIN
# (rmcast-info's directory, default /usr/bin), RMCAST_CYCLES (default 200).

: "${RMCAST_KO:=/lib/modules/rmcast.ko}"
: "${RMCAST_BIN:=/usr/bin}"
: "${RMCAST_CYCLES:=200}"
export PATH=/sbin:/usr/sbin:/bin:/usr/bin:$PATH

INFO=$RMCAST_BIN/rmcast-info
MOD=/sys/module/rmcast
PARAM=$MOD/parameters/family
TMPD=${TMPDIR:-/tmp}/rmcast-lifecycle.$$
PLAN=11

n=0
fails=0
holder=

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
diag() { echo "# $*"; }

skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

loaded() { [ -d $MOD ]; }

unload() {
	if loaded; then rmmod rmcast; else true; fi
}

cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	holder=
	loaded && ! rmmod rmcast && diag "cleanup: rmmod rmcast failed"
	rm -rf "$TMPD"
}

# Number of lines in the kernel log now (to look at later lines only).
dmesg_mark() { dmesg | wc -l; }

# Kernel log lines after mark $1.
dmesg_since() { dmesg | tail -n +$(($1 + 1)); }

# Wait (up to ~10 s) for the holder's "holding" line: 0 when up.
wait_holding() {
	wh_i=0
	while [ $wh_i -lt 100 ]; do
		grep -q '^holding' "$1" 2>/dev/null && return 0
		kill -0 "$holder" 2>/dev/null || break
		sleep 0.1
		wh_i=$((wh_i + 1))
	done
	diag "holder did not come up; its output:"
	sed 's/^/#   /' "$1" "$1.err" 2>/dev/null
	return 1
}

# Kill the holder and wait for it.
stop_holder() {
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	holder=
}

# rmmod, retrying briefly: socket teardown may finish just after exit.
rmmod_settled() {
	rs_i=0
	while ! rmmod rmcast 2>"$TMPD/rmmod.err"; do
		rs_i=$((rs_i + 1))
		if [ $rs_i -ge 20 ]; then
			sed 's/^/#   /' "$TMPD/rmmod.err"
			diag "refcnt $(cat $MOD/refcnt 2>/dev/null)"
			return 1
		fi
		sleep 0.1
	done
	[ $rs_i -gt 0 ] && diag "rmmod needed $rs_i retries"
	return 0
}

# Helpers use their own loop variables: POSIX sh has no locals.

# ---- preconditions -----------------------------------------------------

[ "$(id -u)" = 0 ] || skip_all "needs root"
[ -f "$RMCAST_KO" ] || skip_all "no module at RMCAST_KO=$RMCAST_KO"
[ -x "$INFO" ] || skip_all "no $INFO (set RMCAST_BIN)"
mkdir -p "$TMPD" || exit 1
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "TAP version 13"
echo "1..$PLAN"

if loaded; then
	diag "rmcast.ko already loaded: unloading first"
	rmmod rmcast || { not_ok "module unloaded at start"; exit 1; }
fi
/sbin/ip link set lo up 2>/dev/null || ip link set lo up 2>/dev/null

# ---- 1: insmod/rmmod cycles -------------------------------------------------

i=0
bad=
retried=0
while [ $i -lt "$RMCAST_CYCLES" ]; do
	i=$((i + 1))
	if ! insmod "$RMCAST_KO" 2>"$TMPD/err"; then
		bad="cycle $i: insmod failed: $(cat "$TMPD/err")"
		break
	fi
	if [ ! -r $PARAM ]; then
		bad="cycle $i: $PARAM missing after insmod"
		break
	fi
	# every 10th cycle also opens and closes a socket
	if [ $((i % 10)) = 0 ] && ! "$INFO" >"$TMPD/err" 2>&1; then
		bad="cycle $i: rmcast-info failed: $(cat "$TMPD/err")"
		break
	fi
	# sockets are freed after an RCU grace period, and with them the
	# module reference: allow rmmod a short retry after rmcast-info
	if ! rmmod_settled >"$TMPD/settle"; then
		bad="cycle $i: rmmod failed: $(cat "$TMPD/settle")"
		break
	fi
	[ -s "$TMPD/settle" ] && retried=$((retried + 1))
	if loaded; then
		bad="cycle $i: $MOD still present after rmmod"
		break
	fi
done
[ $retried -gt 0 ] && diag "$retried cycles needed rmmod retries"
if [ -z "$bad" ]; then
	ok "$RMCAST_CYCLES insmod/rmmod cycles"
else
	diag "$bad"
	not_ok "$RMCAST_CYCLES insmod/rmmod cycles"
	unload 2>/dev/null
fi

# ---- 2-4: the family parameter ------------------------------------------

if insmod "$RMCAST_KO"; then
	fam=$(cat $PARAM 2>/dev/null)
	info=$("$INFO" 2>&1)
	case $fam in
	'' | *[!0-9]*) diag "family='$fam'"; not_ok "family parameter is a number" ;;
	*)
		if [ "$fam" -gt 0 ] && [ "$fam" -lt 256 ] &&
		   echo "$info" | grep -qx "family=$fam"; then
			ok "family parameter is a number ($fam) and rmcast-info agrees"
		else
			diag "family=$fam; rmcast-info: $info"
			not_ok "family parameter is a number and rmcast-info agrees"
		fi ;;
	esac

	perms=$(ls -l $PARAM 2>/dev/null | cut -c1-10)
	if [ "$perms" = "-r--r--r--" ]; then
		ok "family parameter mode is 0444"
	else
		diag "ls -l: $(ls -l $PARAM 2>&1)"
		not_ok "family parameter mode is 0444"
	fi

	# root bypasses file modes, but not a parameter without a setter
	new=30
	[ "$fam" = 30 ] && new=31
	if (echo $new >$PARAM) 2>/dev/null; then
		diag "writing $new to $PARAM succeeded; now $(cat $PARAM)"
		not_ok "writing the family parameter fails"
	elif [ "$(cat $PARAM)" != "$fam" ]; then
		diag "family changed to $(cat $PARAM)"
		not_ok "writing the family parameter fails"
	else
		ok "writing the family parameter fails"
	fi
	rmmod rmcast || diag "rmmod failed"
else
	not_ok "family parameter is a number (insmod failed)"
	not_ok "family parameter mode is 0444 (insmod failed)"
	not_ok "writing the family parameter fails (insmod failed)"
fi

# ---- 5-6: a family slot that is taken --------------------------------------

for taken in 2 16; do	# AF_INET, AF_NETLINK: always registered
	mark=$(dmesg_mark)
	if insmod "$RMCAST_KO" family=$taken 2>"$TMPD/err"; then
		diag "insmod family=$taken succeeded"
		unload
		not_ok "insmod family=$taken (taken) fails with a log message"
		continue
	fi
	sed 's/^/#   insmod: /' "$TMPD/err"
	msg=$(dmesg_since "$mark" | grep -i rmcast | grep -i family)
	if loaded; then
		diag "module loaded after the failed insmod"
		unload
		not_ok "insmod family=$taken (taken) fails with a log message"
	elif [ -z "$msg" ]; then
		diag "no kernel message mentioning rmcast and family; new lines:"
		dmesg_since "$mark" | sed 's/^/#   /'
		not_ok "insmod family=$taken (taken) fails with a log message"
	else
		echo "$msg" | sed 's/^/#   dmesg: /'
		ok "insmod family=$taken (taken) fails with a log message"
	fi
done

# ---- 7-10: rmmod refused while a socket is open ----------------------------

# hold_test DESC INFO-ARGS...: two TAP lines (refused while held, accepted
# after the holder exits)
hold_test() {
	desc=$1
	shift
	out=$TMPD/hold.out
	if ! insmod "$RMCAST_KO"; then
		not_ok "rmmod refused while $desc is open (insmod failed)"
		not_ok "rmmod accepted after $desc is closed (insmod failed)"
		return
	fi
	"$INFO" --hold 60 "$@" >"$out" 2>"$out.err" &
	holder=$!
	if ! wait_holding "$out"; then
		stop_holder
		not_ok "rmmod refused while $desc is open (holder failed)"
		if rmmod_settled; then
			ok "rmmod accepted after $desc is closed"
		else
			not_ok "rmmod accepted after $desc is closed"
		fi
		return
	fi
	if rmmod rmcast 2>"$TMPD/err"; then
		diag "rmmod succeeded with a socket open"
		not_ok "rmmod refused while $desc is open"
	elif ! loaded; then
		not_ok "rmmod refused while $desc is open (module gone)"
	elif ! kill -0 "$holder" 2>/dev/null; then
		not_ok "rmmod refused while $desc is open (holder died)"
	else
		sed 's/^/#   rmmod: /' "$TMPD/err"
		ok "rmmod refused while $desc is open"
	fi
	stop_holder
	if ! loaded; then
		not_ok "rmmod accepted after $desc is closed (already gone)"
	elif rmmod_settled; then
		ok "rmmod accepted after $desc is closed"
	else
		not_ok "rmmod accepted after $desc is closed"
	fi
}

hold_test "an unbound socket"
hold_test "a bound and connected socket" \
	--bind 239.1.1.1:7500%lo --connect 239.1.1.1:7500%lo

# ---- 11: final state ------------------------------------------------------

if loaded; then
	unload
	not_ok "module unloaded at the end"
else
	ok "module unloaded at the end"
fi

[ $n = $PLAN ] || diag "ran $n checks, planned $PLAN"
[ $fails = 0 ] && [ $n = $PLAN ]
exit $?
