# shellcheck shell=bash disable=SC2034
# Common settings for rmcast scripts. Source it; `scripts/env.sh VAR` prints one.
# The test-kernel series is named here and nowhere else.
RMCAST_KSERIES=${RMCAST_KSERIES:-6.12}
RMCAST_ROOT=${RMCAST_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
RMCAST_CACHE=${RMCAST_CACHE:-$HOME/.cache/rmcast}
RMCAST_BUILD=${RMCAST_BUILD:-$RMCAST_ROOT/build}

# Debian version of linux-source-<series>, made path-safe (empty if not installed).
SRCVER=$(dpkg-query -W -f='${Version}' "linux-source-$RMCAST_KSERIES" 2>/dev/null | tr '~:' '__' || true)
KSRC=$RMCAST_CACHE/linux-source-${SRCVER:-missing}

# Newest installed Debian cloud kernel of the series: <ver>-cloud-amd64.
TEST_KVER=$(cd /usr/src 2>/dev/null && ls -d "linux-headers-$RMCAST_KSERIES".*-cloud-amd64 2>/dev/null |
	sed 's/^linux-headers-//' | sort -V | tail -n1 || true)
TEST_KDIR=/usr/src/linux-headers-${TEST_KVER:-missing}
TEST_KIMAGE=/boot/vmlinuz-${TEST_KVER:-missing}
TEST_KMODS=/lib/modules/${TEST_KVER:-missing}

# Debian 6.1 cloud headers for `make compat`.
COMPAT_KDIR=$(ls -d /usr/src/linux-headers-6.1.*-cloud-amd64 2>/dev/null | sort -V | tail -n1 || true)

DEBUG_FRAGMENT=$RMCAST_ROOT/scripts/kconfig/debug.config
# Keyed by source version and by the fragment's options (comments don't count).
DEBUG_KDIR=$RMCAST_CACHE/debug-kernel-${SRCVER:-missing}-$(grep -E '^(CONFIG_|# CONFIG_)' "$DEBUG_FRAGMENT" 2>/dev/null |
	sort | sha256sum | cut -c1-12)

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -eu
	for v in "$@"; do printf '%s\n' "${!v}"; done
fi
