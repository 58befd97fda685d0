#!/usr/bin/env bash
# Runs the commands a guide gives, exactly as written: the fenced block that
# follows the marker <!-- k8s-test: NAME --> in docs/guides/*.md (in a list
# item too: the fence's indentation is taken off every line), in the
# current directory.
# Usage: guide-commands.sh NAME
set -euo pipefail
name=$1
guides=$(cd "$(dirname "$0")/../../../docs/guides" && pwd)
block=$(awk -v m="<!-- k8s-test: $name -->" '
  index($0, m) {found = 1; next}
  found && /^ *```/ {if (inside) exit; inside = 1; match($0, /^ */); indent = RLENGTH; next}
  inside {print substr($0, 1, indent) ~ /^ *$/ ? substr($0, indent + 1) : $0}' "$guides"/*.md)
[ -n "$block" ] || { echo "guide-commands: no block marked k8s-test: $name in docs/guides" >&2; exit 1; }
printf '%s\n' "--- the guide's commands ($name):" "$block" "---"
bash -euo pipefail -c "$block"
