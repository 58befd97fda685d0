#!/usr/bin/env bash
# Runs the commands a guide gives, exactly as written: the fenced block that
# follows the marker <!-- k8s-test: NAME --> in docs/guides/*.md.
# Usage: guide-commands.sh NAME   (from the repository's root)
set -euo pipefail
name=$1
block=$(awk -v m="<!-- k8s-test: $name -->" '
  index($0, m) {found = 1; next}
  found && /^```/ {if (inside) exit; inside = 1; next}
  inside {print}' docs/guides/*.md)
[ -n "$block" ] || { echo "guide-commands: no block marked k8s-test: $name in docs/guides" >&2; exit 1; }
printf '%s\n' "--- the guide's commands ($name):" "$block" "---"
bash -euo pipefail -c "$block"
