#!/usr/bin/env bash
# Regenerates the Kafka config catalog (src/catalog/data/<version>.tsv) from
# each supported version's own jars: compiles tools/catalog-gen/CatalogGen.java
# against that version's classpath (scripts/fetch-kafka.sh) and runs it.
# Usage: scripts/gen-catalog.sh [OUT_DIR]   (default: src/catalog/data)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-src/catalog/data}"
# The supported versions: the newest patch of each line on Maven Central
# (3.9.0 too: it is the seed's and the e2e tests' version). Keep in step with
# VERSIONS in src/catalog/mod.rs.
versions=(3.9.0 3.9.2 4.0.2 4.1.2 4.4.0)
scripts/fetch-kafka.sh "${versions[@]}" >/dev/null
mkdir -p "$out"
classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT
for v in "${versions[@]}"; do
  cp="target/kafka/$v/libs/*"
  mkdir -p "$classes/$v"
  javac -nowarn -cp "$cp" -d "$classes/$v" tools/catalog-gen/CatalogGen.java
  # Kafka's classes log through slf4j at class init; keep that off stdout.
  java -cp "$classes/$v:$cp" CatalogGen "$v" > "$out/$v.tsv" 2> "$classes/$v.log" \
    || { cat "$classes/$v.log" >&2; exit 1; }
  grep '^catalog-gen:' "$classes/$v.log" | sed "s/^/$v: /" >&2 || true
  echo "kafka $v: $(grep -vc '^#' "$out/$v.tsv") keys -> $out/$v.tsv" >&2
done
