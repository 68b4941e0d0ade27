#!/bin/bash
# Install the Debian packages rmcast needs and extract linux-source into the cache.
# Idempotent: with everything present it only runs dpkg-query (well under a second).
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "$0")/env.sh"

pkgs=(
	# test kernel (image + matching headers) and its source, for kselftest headers,
	# checkpatch.pl and the debug kernel
	"linux-image-$RMCAST_KSERIES-cloud-amd64" "linux-headers-$RMCAST_KSERIES-cloud-amd64"
	"linux-source-$RMCAST_KSERIES"
	# Debian 12's own 6.1 cloud headers, for `make compat`
	linux-headers-cloud-amd64
	# VM harness
	qemu-system-x86 busybox-static cpio kmod iproute2 xz-utils zstd rsync
	# compilers, and what the debug kernel build needs
	build-essential bc bison flex libelf-dev libssl-dev dwarves perl python3
	# interop and capture
	libpgm-dev tshark
)
[ -n "${RMCAST_DEPS_EXTRA:-}" ] && read -ra extra <<<"$RMCAST_DEPS_EXTRA" && pkgs+=("${extra[@]}")

installed=" $(dpkg-query -W -f='${Package}:${db:Status-Status} ' "${pkgs[@]}" 2>/dev/null || true) "
missing=()
for p in "${pkgs[@]}"; do
	[[ $installed == *" $p:installed "* ]] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}" >&2
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
	$sudo apt-get update -q
	$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
	# shellcheck source=scripts/env.sh
	. "$(dirname "$0")/env.sh" # versions may have changed
fi

# linux-source-X.Y ships a tarball; extract it once per source version.
if [ ! -f "$KSRC/.rmcast-extracted" ]; then
	tarball=$(ls /usr/src/linux-source-"$RMCAST_KSERIES".tar.* | head -n1)
	echo "deps: extracting $tarball into $KSRC" >&2
	mkdir -p "$RMCAST_CACHE"
	tmp=$(mktemp -d "$RMCAST_CACHE/extract.XXXXXX")
	tar -xf "$tarball" -C "$tmp"
	rm -rf "$KSRC"
	mv "$tmp"/linux-source-"$RMCAST_KSERIES" "$KSRC"
	rmdir "$tmp"
	touch "$KSRC/.rmcast-extracted"
fi
