#!/bin/bash
# checkpatch.pl --strict (from the extracted linux-source) over the kernel sources.
# Fails on any ERROR or WARNING; --strict CHECKs are shown and fail only with
# LINT_CHECKS=1.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "$0")/env.sh"
cp=$KSRC/scripts/checkpatch.pl
[ -x "$cp" ] || { echo "lint: no $cp (run 'make deps')" >&2; exit 1; }
cd "$RMCAST_ROOT"
files=(module/*.[ch] uapi/linux/rmcast.h)
# --no-tree: checkpatch finds spelling.txt and const_structs.checkpatch next to itself.
out=$("$cp" --strict --no-tree --no-summary --terse --show-types -f "${files[@]}" || true)
[ -n "$out" ] && printf '%s\n' "$out"
errors=$(grep -c ': ERROR:' <<<"$out" || true)
warnings=$(grep -c ': WARNING:' <<<"$out" || true)
checks=$(grep -c ': CHECK:' <<<"$out" || true)
echo "lint: ${#files[@]} files: $errors errors, $warnings warnings, $checks checks"
[ "$errors" -eq 0 ] && [ "$warnings" -eq 0 ] && { [ "${LINT_CHECKS:-0}" = 0 ] || [ "$checks" -eq 0 ]; }
