#!/bin/bash
# Usage: mkinitramfs.sh OUT.cpio ROOTDIR RMCAST_KO SELFTESTS_INSTALL_DIR [KMODDIR]
# Pack the test VM's initramfs: busybox-static, iproute2's ip/tc/bridge and
# Wireshark's tshark/dumpcap (pgm_capture.sh) with their libraries, the distro modules the tests need from KMODDIR (decompressed; omitted
# for the debug kernel, which has them built in), rmcast.ko, the installed
# selftests, the userspace tools and the guest scripts.
set -euo pipefail
out=$1 root=$2 ko=$3 tests=$4 kmods=${5:-}
src=$(cd "$(dirname "$0")/.." && pwd)

# Distro modules always wanted; rmcast.ko's own dependencies are added below.
want=(veth bridge sch_netem sch_prio cls_u32 udp_tunnel ip6_udp_tunnel dummy)

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,lib/modules,scripts,selftests}
ln -s ../run "$root/var" 2>/dev/null || { mkdir -p "$root/var"; ln -s ../run "$root/var/run"; }

# busybox; /init runs `busybox --install -s` for the other applet links, which
# leaves the real iproute2 ip/tc/bridge in place
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"

# copy the shared libraries ldd lists for ELF FILE, keeping their paths
copy_libs() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' || true); do
		[ -e "$root/$lib" ] && continue
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$lib" "$root/$lib"
	done
}
copy_elf() { # FILE... into the same paths
	local f
	for f; do
		cp -L "$f" "$root/$f" && copy_libs "$f"
	done
}
copy_elf /sbin/ip /sbin/tc /sbin/bridge
# ~160 MB with libwireshark; uncompressed, it unpacks in about a second
copy_elf /usr/bin/tshark /usr/bin/dumpcap
ln -s /sbin/ip "$root/bin/ip"
cp -a /etc/iproute2 "$root/etc/"
tcdist=$(dirname "$(dpkg -L iproute2 | grep -m1 '/tc/normal.dist$')")
mkdir -p "$root/$tcdist" && cp "$tcdist"/*.dist "$root/$tcdist/"

printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
# busybox ash runs its own applets before PATH; make the interactive shell use the
# real iproute2 (scripts must call /sbin/ip, /sbin/tc, /sbin/bridge by full path)
printf 'alias ip=/sbin/ip tc=/sbin/tc bridge=/sbin/bridge\nPS1="rmcast-vm:\\w# "\n' >"$root/etc/profile"

# modules: resolve dependencies through modinfo, emit a load list (dependencies first)
: >"$root/lib/modules/load.list"
declare -A done_mod=()
add_mod() { # NAME (as in modinfo depends)
	local name=${1//-/_} path dep
	[ -n "${done_mod[$name]:-}" ] && return
	done_mod[$name]=1
	path=$(grep -E "(^|/)${name//_/[-_]}\.ko(\.[a-z]+)?:" "$kmods/modules.dep" | cut -d: -f1 || true)
	[ -n "$path" ] || return 0 # built in
	for dep in $(modinfo -F depends "$kmods/$path" | tr ',' ' '); do add_mod "$dep"; done
	case $path in
	*.xz) xz -dc "$kmods/$path" ;;
	*.zst) zstd -qdc "$kmods/$path" ;;
	*.gz) gzip -dc "$kmods/$path" ;;
	*) cat "$kmods/$path" ;;
	esac >"$root/lib/modules/$name.ko"
	echo "$name" >>"$root/lib/modules/load.list"
}
if [ -n "$kmods" ]; then
	for m in "${want[@]}" $(modinfo -F depends "$ko" | tr ',' ' '); do add_mod "$m"; done
fi
cp "$ko" "$root/lib/modules/rmcast.ko"

# the suite, the tools, the guest scripts
cp -a "$tests"/. "$root/selftests/"
for t in "$src"/userspace/tools/*; do
	[ -f "$t" ] && [ -x "$t" ] && [ "$(head -c4 "$t" | tail -c3)" = ELF ] || continue
	cp "$t" "$root/usr/bin/" && copy_libs "$t"
done
cp "$src/scripts/guest-init.sh" "$root/init"
cp "$src/scripts/demo-guest.sh" "$root/scripts/"

(cd "$root" && find . -print0 | sort -z | cpio --quiet -o -0 -H newc -R 0:0) >"$out"
