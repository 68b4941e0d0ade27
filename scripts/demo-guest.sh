#!/bin/sh
# The live demo, run inside the VM by `make demo` with rmcast.ko loaded:
# one sender and three receivers on a bridge, each receiver behind its
# own lossy link (netem), 5,000 self-verifying messages of mixed sizes.
# Prints what each receiver got and how much of it had to be repaired.
. /selftests/rmcast_lib.sh

N=${RMCAST_DEMO_MSGS:-5000}
GROUP="239.77.1.1:7500%eth0"
LOSS="1 3 5"	# percent, per receiver

echo "demo: rmcast.ko loaded as family $(cat /sys/module/rmcast/parameters/family)"
topo_down
topo_up 3 || { echo "demo: cannot build the topology"; exit 1; }
i=0
for l in $LOSS; do
	i=$((i + 1))
	netem "p-r$i" loss "$l%"
	echo "demo: receiver $i (10.77.0.$((10 + i))) behind ${l}% loss"
done

pids=
for r in 1 2 3; do
	$IP netns exec rm-r$r $RECV -v --hash --stats -n "$N" -t 30000 \
		"$GROUP" >"$TMPD/r$r" 2>&1 &
	pids="$pids $!"
done
wait_members 3 || { echo "demo: receivers did not start"; exit 1; }
echo "demo: sending $N messages (1 B to 64 KiB) from 10.77.0.1 at 3 MB/s..."
$IP netns exec rm-s $SEND -q --stats -n "$N" -S 1:65536 \
	--opt odata_rate=3000000 --linger 600000 "$GROUP" >"$TMPD/s" 2>&1 &
spid=$!
rc=0
for p in $pids; do wait "$p"; done
kill -TERM $spid 2>/dev/null
wait $spid

stat() { sed -n "s/^stats: $2 //p" "$1" | head -n 1; }
want=$(field "$TMPD/s" "send:" hash)
echo "demo: sender: $(field "$TMPD/s" "send:" msgs) messages," \
	"$(field "$TMPD/s" "send:" bytes) bytes in $(field "$TMPD/s" "send:" elapsed_ms) ms;" \
	"NAKs received $(stat "$TMPD/s" nak_received), repairs sent $(stat "$TMPD/s" rdata_sent)"
i=0
for l in $LOSS; do
	i=$((i + 1))
	f=$TMPD/r$i
	got=$(grep '^recv-source:' "$f" | tr ' ' '\n' | sed -n 's/^hash=//p')
	verdict="INCOMPLETE"
	[ "$got" = "$want" ] && [ "$(field "$f" "recv:" msgs)" = "$N" ] && verdict="complete, in order, byte-identical"
	[ "$verdict" = "INCOMPLETE" ] && rc=1
	echo "demo: receiver $i (${l}% loss): $(field "$f" "recv:" msgs) messages," \
		"$(field "$f" "recv:" bytes) bytes: $verdict;" \
		"lost on its link and repaired: NAKs sent $(stat "$f" nak_sent)," \
		"repair packets heard (for the whole group) $(stat "$f" rdata_received)"
done
topo_down
exit $rc
