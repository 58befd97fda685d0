#!/usr/bin/env bash
# Fails when the committed Kafka config catalog (src/catalog/data/) differs
# from what the generator reads from the jars today: regenerates every
# version into a temporary dir (scripts/gen-catalog.sh) and compares.
set -euo pipefail
cd "$(dirname "$0")/.."
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
scripts/gen-catalog.sh "$fresh" 2>/dev/null
if ! diff -r -u src/catalog/data "$fresh" >&2; then
  echo "check-catalog: src/catalog/data differs from the jars: run scripts/gen-catalog.sh and commit" >&2
  exit 1
fi
echo "check-catalog: $(ls "$fresh" | grep -vc embedded) version(s) and their merge match the jars"
