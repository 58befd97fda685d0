#!/usr/bin/env bash
# The user's deployment as it runs today, from ../shared/reference/seed-deployment
# unchanged but for what this machine cannot have: the images point at the
# ones built here (same image, local name; busybox pinned so the kubelet does
# not try to pull :latest) and each static NFS PersistentVolume becomes a
# hostPath volume of the same name and class (no NFS client in this kernel),
# on a directory that is root-owned and mode 0777, as the user left the
# exports. Prints the manifests; the test applies them with kubectl. The
# StatefulSet's file, so localised, is also left as STATE_DIR/ka-ss.yaml:
# the file the user keeps, which the move guide's undo applies.
# Usage: seed.sh STATE_DIR
set -euo pipefail
seed=$(cd "$(dirname "$0")/../../../.." && pwd)/shared/reference/seed-deployment
state=$1
for n in 1 2 3; do install -d -m 0777 -o 0 -g 0 "$state/pv/pv$n"; done
python3 "$(dirname "$0")/hostpath_pvs.py" "$seed/ka-pv.yaml" "$state/pv" 3
echo ---
python3 - "$seed" "$state" <<'PY'
import re, sys
seed, state = sys.argv[1:]
ss = open(f"{seed}/ka-ss.yaml").read()
ss, a = re.subn(r"image: \S*/busybox:latest", "image: busybox:1.35", ss)
ss, b = re.subn(r"image: \S*bitnami_kafka:3\.9\.0", "image: bitnami/kafka:3.9.0", ss)
assert (a, b) == (1, 1), f"expected one busybox and one kafka image in ka-ss.yaml, found {a}, {b}"
open(f"{state}/ka-ss.yaml", "w").write(ss)
print(ss)
PY
