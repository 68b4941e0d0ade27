#!/bin/bash
# Build (once per machine) the debug kernel from linux-source + scripts/kconfig/debug.config.
# Prints the O= build directory on stdout. Log: <dir>/build.log
# The whole script is one block, so editing it while it runs cannot break the run.
{
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "$0")/env.sh"
out=$DEBUG_KDIR
[ -f "$out/.rmcast-built" ] && { echo "$out"; exit 0; }
[ -f "$KSRC/.rmcast-extracted" ] || { echo "debug-kernel: $KSRC missing: run 'make deps'" >&2; exit 1; }
mkdir -p "$out"
exec 9>"$out.lock"
flock 9
[ -f "$out/.rmcast-built" ] && { echo "$out"; exit 0; }
log=$out/build.log
echo "debug-kernel: building in $out (log: $log), about 13 min on 2 cores" >&2
start=$SECONDS
{
	make -C "$KSRC" O="$out" tinyconfig
	"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$DEBUG_FRAGMENT"
	make -C "$KSRC" O="$out" olddefconfig
} >"$log" 2>&1 || { tail -n 30 "$log" >&2; exit 1; }
"$RMCAST_ROOT/scripts/kconfig-check.sh" "$DEBUG_FRAGMENT" "$out/.config"
if ! make -C "$KSRC" O="$out" -j"$(nproc)" >>"$log" 2>&1; then
	tail -n 40 "$log" >&2
	exit 1
fi
touch "$out/.rmcast-built"
echo "debug-kernel: built in $((SECONDS - start)) s" >&2
echo "$out"
exit
}
