#!/usr/bin/env bash
# podman's default ulimits (nofile, nproc) cannot be set inside some
# sandboxes (containers in containers); with none set, containers inherit
# ours. Idempotent.
set -euo pipefail
conf=/etc/containers/containers.conf
grep -qs '^default_ulimits *= *\[\]' "$conf" && exit 0
mkdir -p "$(dirname "$conf")"
if grep -qs '^\[containers\]' "$conf"; then
  sed -i 's/^\[containers\]$/&\ndefault_ulimits = []/' "$conf"
else
  printf '[containers]\ndefault_ulimits = []\n' >> "$conf"
fi
echo "podman: set default_ulimits = [] in $conf"
