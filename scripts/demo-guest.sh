#!/bin/sh
# Runs inside the VM (make demo) with rmcast.ko already loaded.
set -e
echo "demo: rmcast.ko loaded: $(grep '^rmcast ' /proc/modules)"
for p in /sys/module/rmcast/parameters/*; do
	[ -f "$p" ] && echo "demo: ${p##*/} = $(cat "$p")"
done
if [ -x /usr/bin/rmcast-info ]; then
	echo "demo: rmcast-info:"
	/usr/bin/rmcast-info
fi
echo "demo: done"
