#!/bin/sh
# /init of the rmcast test VM (busybox ash). Settings arrive as environment variables
# from the kernel command line (scripts/vm.sh):
#   RMCAST_MODE=check|demo|shell   RMCAST_ONLY=name[,name...]
#   RMCAST_SLOW=1 (debug kernel)   RMCAST_TIMEOUT_SCALE=N
export PATH=/sbin:/usr/sbin:/bin:/usr/bin HOME=/root
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /run/netns
# `ip netns` bind-mounts namespaces under /run/netns and needs shared propagation.
mount --make-rshared /
hostname rmcast-vm
/sbin/ip link set lo up

echo "rmcast-vm: kernel $(uname -r), mode ${RMCAST_MODE:=check}"

# Distro modules the tests need (absent on the debug kernel, which has them built in).
while read -r m; do
	[ -f "/lib/modules/$m.ko" ] || continue
	insmod "/lib/modules/$m.ko" || echo "rmcast-vm: insmod $m failed"
done </lib/modules/load.list

export RMCAST_KO=/lib/modules/rmcast.ko RMCAST_SLOW RMCAST_TIMEOUT_SCALE

case $RMCAST_MODE in
check)
	# shellcheck disable=SC2046
	/selftests/run_tests.sh $(echo "$RMCAST_ONLY" | tr ',' ' ')
	echo "rmcast-vm: run_tests exit $?"
	;;
demo)
	insmod "$RMCAST_KO"
	sh /scripts/demo-guest.sh
	echo "rmcast-vm: demo exit $?"
	;;
shell)
	insmod "$RMCAST_KO"
	echo "rmcast-vm: rmcast.ko loaded; tests in /selftests (./run_tests.sh needs it unloaded:"
	echo "rmcast-vm: rmmod rmcast first). Ctrl-D or 'exit' powers off; Ctrl-A x kills QEMU."
	cd /selftests && setsid cttyhack sh -l
	;;
esac
poweroff -f
