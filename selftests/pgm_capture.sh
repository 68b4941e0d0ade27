#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What we put on the wire is PGM as others read it: a capture of lossy
# runs decodes in tshark (Wireshark's PGM dissector, checksums verified)
# with no malformed packet and nothing left undecoded -- except SPMR,
# which Wireshark's dissector does not know (its type list has SPM, POLL,
# POLR, ODATA, RDATA, NAK, NNAK, NCF and ACK: `tshark -G values`); SPMRs
# are recognised here by their 16 bytes of type 0x0c and counted apart.
#
# dumpcap records the sender's interface while rmcast-send sends mixed
# sizes (fragmented messages too) to a receiver behind 5% loss, over UDP
# encapsulation and then over IP protocol 113; a second receiver joins
# late, so it asks for an SPM (SPMR).  Then tshark must find:
#  1. no malformed packet, no expert error (bad checksums included),
#     and every packet to the PGM UDP ports or of IP protocol 113
#     decoded as PGM (or an SPMR, above);
#  2. every packet type the run used: SPM, ODATA, RDATA, NAK, NCF, SPMR;
#  3. the sender's TSI (GSI and source port, as rmcast-send printed it)
#     in its ODATA, and exactly the sequence numbers 0..odata_sent-1;
#  4. the receiver got everything (the run really was lossy and
#     repaired: NAKs and RDATA in the capture).
# tshark needs the UDP encapsulation ports (OpenPGM's defaults) named.

. "$(dirname "$0")/rmcast_lib.sh"

TSHARK=/usr/bin/tshark
DUMPCAP=/usr/bin/dumpcap
[ -x "$TSHARK" ] && [ -x "$DUMPCAP" ] || skip_all "no tshark/dumpcap in the image"

N=${RMCAST_MSGS:-1500}
RATE=${RMCAST_RATE:-1000000}
if [ "${RMCAST_SLOW:-0}" = 1 ]; then
	N=${RMCAST_MSGS:-400}
	RATE=${RMCAST_RATE:-200000}
fi
G="239.77.8.1:7700%eth0"
BO="--opt nak_bo_ivl_msecs=$(slow 50)"

topo_down
topo_up 2 || { topo_down; skip_all "cannot build the netns/veth/bridge topology"; }
tap_plan 4

CAP=$TMPD/cap.pcapng
stat_of() { sed -n "s/^stats: $2 //p" "$1" | head -n 1; }
tshark() {
	HOME=$TMPD $TSHARK -n -r "$CAP" \
		-o pgm.udp.encap_ucast_port:3055 \
		-o pgm.udp.encap_mcast_port:3056 \
		-o pgm.check_checksum:TRUE "$@" 2>>"$TMPD/tshark.err"
}
count() { tshark -Y "$1" -T fields -e frame.number | wc -l; }
# An SPMR left undissected: a bare 16-byte PGM header of type 0x0c.
SPMR="!pgm && data.len == 16 && data.data[4:1] == 0c"

# run NAME TRANSPORT: r1 behind 5% loss gets N messages; r2 joins late.
run() {
	name=$1 tr=$2
	$IP netns exec rm-r1 $RECV -v -T "$tr" -n "$N" -t "$(slow 20000)" \
		$BO "$G" >"$TMPD/$name.r1" 2>&1 &
	r1=$!
	wait_members 1 || return 1
	$IP netns exec rm-s $SEND -q --stats -T "$tr" -n "$N" -S 1:20000 \
		--opt odata_rate="$RATE" --linger 600000 "$G" \
		>"$TMPD/$name.s" 2>&1 &
	s=$!
	sleep 1
	$IP netns exec rm-r2 $RECV -v --late-join -T "$tr" -t 1000 \
		"$G" >"$TMPD/$name.r2" 2>&1 &
	r2=$!
	rc=0
	wait $r1 || rc=1
	kill -TERM $s 2>/dev/null
	wait $s
	wait $r2
	[ $rc = 0 ] || sed "s/^/# $name r1: /" "$TMPD/$name.r1" | tail -n 5
	return $rc
}

$IP netns exec rm-s $DUMPCAP -q -i eth0 -w "$CAP" 2>"$TMPD/dumpcap.err" &
dc=$!
i=0
until grep -q "Capturing on" "$TMPD/dumpcap.err" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 600 ] || break
	sleep 0.1
done
netem p-r1 loss 5%
rc=0
run udp udp || rc=1
run ip ip || rc=1
sleep 0.5
kill -INT $dc
wait $dc
netem_clear
sed 's/^/# dumpcap: /' "$TMPD/dumpcap.err"
check "lossy runs over UDP and IP protocol 113 delivered everything" [ $rc = 0 ]

# 1. decodes cleanly
decoded() {
	all=$(count "udp.port == 3055 || udp.port == 3056 || ip.proto == 113")
	pgm=$(count "pgm")
	spmr=$(count "$SPMR")
	bad=$(count "_ws.malformed || _ws.expert.severity >= 8388608")
	echo "# capture: $(count frame) frames, $all to the PGM ports or" \
		"protocol, $pgm decoded as PGM, $spmr SPMRs (not decoded)," \
		"$bad malformed or in error"
	if [ $((pgm + spmr)) != "$all" ]; then
		echo "# not decoded as PGM:"
		tshark -Y "(udp.port == 3055 || udp.port == 3056 || ip.proto == 113) && !pgm && !($SPMR)" |
			head -n 5 | sed 's/^/#   /'
	fi
	if [ "$bad" != 0 ]; then
		tshark -Y "_ws.malformed || _ws.expert.severity >= 8388608" \
			-V | grep -iE "malformed|expert|error|^Frame" |
			head -n 20 | sed 's/^/#   /'
	fi
	[ "$all" -gt 0 ] && [ $((pgm + spmr)) = "$all" ] && [ "$bad" = 0 ]
}
check "tshark decodes every packet as PGM, none malformed, checksums good" decoded

# 2. every type
types() {
	rc=0
	for t in 0x00:SPM 0x04:ODATA 0x05:RDATA 0x08:NAK 0x0a:NCF; do
		n=$(count "pgm.hdr.type == ${t%%:*}")
		echo "# ${t#*:}: $n"
		[ "$n" -gt 0 ] || rc=1
	done
	n=$(count "$SPMR")
	echo "# SPMR: $n"
	[ "$n" -gt 0 ] || rc=1
	return $rc
}
check "SPM, ODATA, RDATA, NAK, NCF and SPMR all seen" types

# 3. the sender's TSI and sequence numbers, UDP run
tsi_sqns() {
	tsi=$(sed -n 's/^send: .* tsi=\([^ ]*\) .*/\1/p' "$TMPD/udp.s")
	gsi=${tsi%.*} sport=${tsi#*.}
	sent=$(stat_of "$TMPD/udp.s" odata_sent)
	tshark -Y "pgm.hdr.type == 0x04 && udp" -T fields -e pgm.hdr.gsi \
		-e pgm.hdr.sport -e pgm.spm.sqn >"$TMPD/odata.txt"
	got=$(tr -d ':' <"$TMPD/odata.txt" | awk -v g="$gsi" -v p="$sport" \
		'$1 == g && $2 == p { print $3 }' | sort | uniq)
	# tshark prints them in fixed-width hex: sort orders them
	n=$(echo "$got" | grep -c .)
	first=$(printf '%d' "$(echo "$got" | head -n 1)")
	last=$(printf '%d' "$(echo "$got" | tail -n 1)")
	echo "# sender tsi $gsi.$sport odata_sent $sent; capture: $n distinct" \
		"ODATA sqns of that TSI, $first..$last; other TSIs:" \
		"$(tr -d ':' <"$TMPD/odata.txt" | awk -v g="$gsi" -v p="$sport" \
			'$1 != g || $2 != p' | wc -l)"
	[ -n "$sent" ] && [ "$n" = "$sent" ] && [ "$first" = 0 ] &&
		[ "$last" = $((sent - 1)) ]
}
check "ODATA carries the sender's TSI and sequence numbers 0..odata_sent-1" tsi_sqns

[ -s "$TMPD/tshark.err" ] && sed 's/^/# tshark: /' "$TMPD/tshark.err" | head -n 5
topo_down
tap_exit
