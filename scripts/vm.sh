#!/bin/bash
# Boot the rmcast test VM (QEMU, TCG) and run the selftests, the demo or a shell.
#
# Usage: vm.sh --kernel stock|debug --ko PATH [--mode check|demo|shell] [--only "NAME..."]
#
# check: prints each test's TAP result line as it arrives and ends with one line
# "N passed, N failed[, N skipped]". Exits non-zero when a test fails, a result is
# missing, the VM hangs (hard timeout) or the console shows a kernel splat (BUG,
# WARNING, Oops, KASAN, UBSAN, lockdep, RCU, hung task, kmemleak); a splat fails the
# test during which it appeared. Full console: build/vm/<kernel>/console.log.
# Environment: V=1 streams the whole console; QEMU_MEM, QEMU_EXTRA, RMCAST_LOGLEVEL.
# The whole script is one block, so editing it while it runs cannot break the run.
{
set -euo pipefail
shopt -s lastpipe
# shellcheck source=scripts/env.sh
. "$(dirname "$0")/env.sh"

kernel=stock ko="" mode=check only=""
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--ko) ko=$2; shift 2 ;;
	--mode) mode=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	*) echo "vm.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -f "$ko" ] || { echo "vm.sh: no module at '$ko'" >&2; exit 1; }

# build/vm/<kernel>/ holds the image and console.log; a second run in the same tree
# at the same time gets its own directory instead of clobbering the first's.
dir=$RMCAST_BUILD/vm/$kernel
mkdir -p "$dir"
exec 4>"$dir.lock"
if ! flock -n 4; then
	dir=$RMCAST_BUILD/vm/$kernel-$$
	mkdir -p "$dir"
	trap 'rm -rf "$dir/root" "$dir/initramfs.cpio" "$dir/selftests"' EXIT
	echo "vm: another run uses $RMCAST_BUILD/vm/$kernel; this one uses $dir" >&2
fi
# no_timer_check: under TCG on a busy host the IO-APIC timer check can fail and panic.
append="console=ttyS0 panic=-1 no_timer_check loglevel=${RMCAST_LOGLEVEL:-5} RMCAST_MODE=$mode"
case $kernel in
stock)
	image=$TEST_KIMAGE kmods=$TEST_KMODS mem=${QEMU_MEM:-1024}
	scale=1 margin=120
	;;
debug)
	image=$DEBUG_KDIR/arch/x86/boot/bzImage kmods="" mem=${QEMU_MEM:-2048}
	scale=2 margin=600
	append+=" RMCAST_SLOW=1 RMCAST_TIMEOUT_SCALE=$scale kasan_multi_shot"
	;;
*) echo "vm.sh: unknown kernel $kernel" >&2; exit 2 ;;
esac
[ -f "$image" ] || { echo "vm.sh: no kernel image $image" >&2; exit 1; }
[ -n "$only" ] && append+=" RMCAST_ONLY=$(echo "$only" | xargs | tr ' ' ',')"

# image
t0=$SECONDS
make -s -C "$RMCAST_ROOT/selftests" install KSRC="$KSRC" OUTPUT="$RMCAST_BUILD/selftests" \
	INSTALL_PATH="$dir/selftests" >/dev/null
"$RMCAST_ROOT/scripts/mkinitramfs.sh" "$dir/initramfs.cpio" "$dir/root" "$ko" "$dir/selftests" $kmods
echo "vm: initramfs $(du -h "$dir/initramfs.cpio" | cut -f1) in $((SECONDS - t0)) s; booting $(basename "$image") ($kernel)" >&2

qemu=(qemu-system-x86_64 -smp 2 -m "$mem" -nographic -no-reboot
	-kernel "$image" -initrd "$dir/initramfs.cpio" -append "$append")
# shellcheck disable=SC2206
[ -n "${QEMU_EXTRA:-}" ] && qemu+=($QEMU_EXTRA)

if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -serial mon:stdio
fi

# hard timeout: every selected test running into its own timeout, plus boot margin
# shellcheck disable=SC1091
. "$dir/selftests/tests.list"
ntests=$(echo ${only:-$TEST_GEN_PROGS $TEST_PROGS} | wc -w)
per=$(sed -n 's/^timeout=//p' "$dir/selftests/settings")
hard=$((ntests * ${per:-45} * scale + margin))
[ "$mode" = demo ] && hard=$((margin + 300))

log=$dir/console.log
splat_re='BUG:|WARNING:|Oops|Call Trace|KASAN|UBSAN|possible circular locking|inconsistent lock state'
splat_re+='|possible recursive locking|suspicious RCU usage|INFO: task .* blocked|unreferenced object 0x'
splat_re+='|kmemleak: [0-9]+ new suspected memory leaks|Kernel panic|general protection fault'

# Under TCG the guest kernel now and then dies while booting (e.g. "Oops: int3"
# during SMP text patching). Nothing of ours has run by then: boot again, twice at most.
for attempt in 1 2 3; do
	init_started=0
	plan=-1 passed=0 failed=0 skipped=0 results=0 cur="" cur_splat="" finished=0 demo_rc=""
	declare -A seen=()
	orphan_splats=()
	outbuf=()
	boot_t=$SECONDS first_test_t=
	set +e
	exec 3>"$log"
	timeout -k 10 "$hard" "${qemu[@]}" </dev/null 2>&1 |
		while IFS= read -r line; do
			line=${line%$'\r'}
			printf '%s\n' "$line" >&3
			[ "${V:-0}" = 1 ] || [ "$mode" = demo ] && printf '%s\n' "$line"
			case $line in
			'#'*)
				if [[ $line =~ ^'# selftests: rmcast: '(.*)$ ]]; then
					cur=${BASH_REMATCH[1]} cur_splat="" outbuf=()
					[ -n "$first_test_t" ] || first_test_t=$((SECONDS - boot_t))
				fi
				outbuf+=("$line")
				[ ${#outbuf[@]} -gt 60 ] && outbuf=("${outbuf[@]:1}")
				continue
				;;
			esac
			if [[ $line =~ ^1\.\.([0-9]+)$ ]]; then
				plan=${BASH_REMATCH[1]}
			elif [[ $line =~ ^(not )?ok\ ([0-9]+)\ (.*)$ ]]; then
				num=${BASH_REMATCH[2]} rest=${BASH_REMATCH[3]}
				[ -n "${seen[$num]:-}" ] && continue
				seen[$num]=1 results=$((results + 1))
				if [ -n "$cur_splat" ]; then
					line="not ok $num ${rest%% \#*} # kernel splat: $cur_splat"
				fi
				if [[ $line == "not ok"* ]]; then
					failed=$((failed + 1))
					[ "${V:-0}" = 1 ] || printf '%s\n' "${outbuf[@]}"
				elif [[ $rest == *"# SKIP"* ]]; then
					skipped=$((skipped + 1))
				else
					passed=$((passed + 1))
				fi
				printf '%s\n' "$line"
				cur="" cur_splat=""
			elif [[ $line == "rmcast-vm: kernel "* ]]; then
				init_started=1
			elif [[ $line =~ ^rmcast-vm:\ (run_tests|demo)\ exit\ ([0-9]+) ]]; then
				finished=1 demo_rc=${BASH_REMATCH[2]}
			elif [[ $line =~ $splat_re ]]; then
				[ -n "$cur_splat" ] || [ ${#orphan_splats[@]} -gt 0 ] || echo "vm: KERNEL: $line" >&2
				if [ -n "$cur" ]; then
					[ -n "$cur_splat" ] || cur_splat=$line
				else
					orphan_splats+=("$line")
				fi
			fi
		done
	rc=("${PIPESTATUS[@]}")
	set -e
	exec 3>&-
	[ "$init_started" = 1 ] || [ "${rc[0]}" = 124 ] || [ "${rc[0]}" = 137 ] || [ "$attempt" = 3 ] && break
	echo "vm: the guest kernel died before /init ran (attempt $attempt): booting again; log: $log.boot$attempt" >&2
	cp "$log" "$log.boot$attempt"
done

fail_msgs=()
[ "${rc[0]}" = 124 ] || [ "${rc[0]}" = 137 ] && fail_msgs+=("VM hung: killed after ${hard}s hard timeout")
[ "${rc[0]}" != 0 ] && [ "${rc[0]}" != 124 ] && [ "${rc[0]}" != 137 ] && fail_msgs+=("qemu exited ${rc[0]}")
if [ ${#orphan_splats[@]} -gt 0 ]; then
	fail_msgs+=("kernel splat outside any test: ${orphan_splats[0]}")
	failed=$((failed + 1))
fi
[ -n "$first_test_t" ] && echo "vm: first test started ${first_test_t}s after QEMU start; total $((SECONDS - boot_t))s" >&2

if [ "$mode" = demo ]; then
	[ "$finished" = 1 ] || fail_msgs+=("demo did not finish")
	[ "${demo_rc:-1}" = 0 ] || fail_msgs+=("demo exit ${demo_rc:-none}")
	for m in "${fail_msgs[@]}"; do echo "vm: FAIL: $m" >&2; done
	[ ${#fail_msgs[@]} -eq 0 ]
	exit
fi

if [ "$plan" -lt 0 ]; then
	fail_msgs+=("no TAP plan: the suite never started (see $log)")
	tail -n 30 "$log" >&2
elif [ "$results" -lt "$plan" ]; then
	fail_msgs+=("$((plan - results)) of $plan results missing (last test running: ${cur:-?})")
	failed=$((failed + plan - results))
	[ "${V:-0}" = 1 ] || [ ${#outbuf[@]} -eq 0 ] || printf '%s\n' "${outbuf[@]}"
fi
[ "$finished" = 1 ] || [ "$plan" -lt 0 ] || fail_msgs+=("runner did not finish")
for m in "${fail_msgs[@]}"; do echo "vm: FAIL: $m" >&2; done
echo "vm: console log: $log" >&2

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary+=", $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ] && [ ${#fail_msgs[@]} -eq 0 ]
exit
}
