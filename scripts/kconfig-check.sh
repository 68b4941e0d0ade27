#!/bin/bash
# Usage: kconfig-check.sh FRAGMENT .config
# Fails, listing them, if options requested by FRAGMENT are not in .config as requested.
set -euo pipefail
frag=$1 config=$2
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		if ! grep -qxF -- "$line" "$config"; then
			got=$(grep -E "^(# )?${line%%=*}[= ]" "$config" || echo "${line%%=*} undefined")
			echo "kconfig: requested '$line', got '$got'" >&2
			bad=1
		fi ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		if grep -qE "^$sym=" "$config"; then
			echo "kconfig: requested '$line', got '$(grep -E "^$sym=" "$config")'" >&2
			bad=1
		fi ;;
	esac
done <"$frag"
exit $bad
