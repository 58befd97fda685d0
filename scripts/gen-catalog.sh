#!/usr/bin/env bash
# Regenerates the Kafka config catalog (src/catalog/data/<version>.tsv) from
# each supported version's own jars: compiles tools/catalog-gen/CatalogGen.java
# against that version's classpath (scripts/fetch-kafka.sh) and runs it. Then
# merges the versions into src/catalog/data/embedded.tsv, the one file the
# binary embeds: each distinct line once, prefixed by the versions that have
# it (`x` per version in the header's order, `.` where absent), so the
# catalog costs the binary its distinct lines only.
# Usage: scripts/gen-catalog.sh [OUT_DIR]   (default: src/catalog/data)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-src/catalog/data}"
# The supported versions: the newest patch of each line on Maven Central
# (3.9.0 too: it is the seed's and the e2e tests' version).
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
files=()
for v in "${versions[@]}"; do files+=("$out/$v.tsv"); done
{
  printf '# versions'; printf '\t%s' "${versions[@]}"; printf '\n'
  echo "# Merged by scripts/gen-catalog.sh from the <version>.tsv files beside it; do not edit."
  echo "# versions-mask<TAB>name<TAB>type<TAB>default<TAB>validator<TAB>flags"
  awk -v n="${#versions[@]}" '
    FNR == 1 { file++ }
    /^#/ { next }
    !($0 in seen) { seen[$0] = 1; lines[++count] = $0 }
    { has[$0, file] = 1 }
    END {
      for (i = 1; i <= count; i++) {
        mask = ""
        for (f = 1; f <= n; f++) mask = mask ((lines[i], f) in has ? "x" : ".")
        print mask "\t" lines[i]
      }
    }' "${files[@]}" | LC_ALL=C sort -t "$(printf '\t')" -k2,2 -k1,1
} > "$out/embedded.tsv"
echo "merged: $(grep -vc '^#' "$out/embedded.tsv") distinct lines -> $out/embedded.tsv" >&2
