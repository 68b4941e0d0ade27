#!/bin/bash
# Usage: kbuild.sh KDIR [OUTDIR]
# Build rmcast.ko against the kernel build tree KDIR with W=1 (warnings are errors;
# WERROR=0 to relax). Without OUTDIR, builds in the work tree (rmcast.ko at the top);
# with OUTDIR, in a copy of Kbuild + module/ + uapi/ there, so builds against
# different kernels don't clobber each other.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1 out=${2:-$root}
[ -f "$kdir/Makefile" ] || { echo "kbuild: no kernel build tree at $kdir (run 'make deps')" >&2; exit 1; }
if [ "$out" != "$root" ]; then
	mkdir -p "$out"
	# Excluded build products are kept, so the copy rebuilds incrementally.
	rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.d' --exclude='*.tmp' \
		"$root/Kbuild" "$root/module" "$root/uapi" "$out/"
fi
werror=
[ "${WERROR:-1}" = 1 ] && werror=-Werror
make -C "$kdir" M="$out" W=1 KCFLAGS="$werror" modules
