#!/usr/bin/env bash
# Checks every kustomize overlay under k8s/overlays/: renders it to
# target/manifests/<overlay>.yaml (and with kubectl 1.23's kustomize, which
# must give the same objects), validates it strictly against the schemas
# of Kubernetes 1.25 and of the newest version kubernetes-validate ships, and
# runs checkov on it, requiring zero failed checks. Skips are allowed only as
# checkov.io/skipN annotations in the manifests, each with a reason
# (CKV_ID=reason). The zookeeper and external overlays must also be able to
# take over the seed's running cluster in place (tests/manifests/seed_compat.py),
# and every overlay's Kafka container must be able to write what its image
# writes at start (tests/manifests/start_writes.py, which checks itself by
# removing the Bitnami pods' group 0). The migration overlay's claims must
# bind on static volumes (tests/manifests/claim_classes.py).
# Prints per overlay the validation results and checkov's
# passed/failed/skipped counts; exits non-zero on any failure.
# The seed compatibility check reads the seed StatefulSet from
# ../shared/reference/seed-deployment/ka-ss.yaml beside the repository; when
# it is missing this fails at once, unless KAFKA_INIT_NO_SHARED=1 (set by
# scripts/test on a clone without ../shared) says to skip that one check.
# Usage: scripts/check-manifests.sh [OVERLAY...]   (default: all)
set -euo pipefail
# Read once and removed: kafka-init, which this runs, refuses unknown
# KAFKA_INIT_* variables.
no_shared=${KAFKA_INIT_NO_SHARED:-0}
unset KAFKA_INIT_NO_SHARED

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PATH="$("$root/scripts/install-manifest-tools.sh" | tail -n 1):$PATH"
out="$root/target/manifests"
seed="$root/../shared/reference/seed-deployment"
if [ ! -f "$seed/ka-ss.yaml" ] && [ "$no_shared" != 1 ]; then
  echo "check-manifests: $seed/ka-ss.yaml is missing: the seed compatibility check needs ../shared (the seed deployment) beside the repository; scripts/test skips that check on a clone without it" >&2
  exit 1
fi
mkdir -p "$out"

# kubernetes-validate ships one schema set per minor version; the oldest we
# support (1.25, the oldest it ships) and the newest it has.
schemas="$(python -c 'import kubernetes_validate, os; print(os.path.dirname(kubernetes_validate.__file__))')/kubernetes-json-schema"
newest="$(ls "$schemas" | sed -n 's/^v\([0-9.]*\)-local-strict$/\1/p' | sort -V | tail -n 1)"
versions=(1.25.0 "$newest")
echo "kubernetes-validate $(kubernetes-validate --version 2>&1 | awk '{print $NF}'): validating against ${versions[*]}"

# The kafka-init binary the start-writes check asks for its image facts.
kafka_init="${KAFKA_INIT_BIN:-$root/target/debug/kafka-init}"
[ -x "$kafka_init" ] || cargo build --quiet --manifest-path "$root/Cargo.toml"

if [ $# -eq 0 ]; then
  set -- $(cd "$root/k8s/overlays" && ls -d */ | tr -d /)
fi

failed=0
for overlay in "$@"; do
  rendered="$out/$overlay.yaml"
  echo "== $overlay"
  if ! kustomize build "$root/k8s/overlays/$overlay" > "$rendered"; then
    echo "   kustomize build: FAILED"; failed=1; continue
  fi
  echo "   kustomize build: $(grep -c '^kind:' "$rendered") resources -> ${rendered#"$root"/}"

  # The seed's control plane is Kubernetes 1.23: `kubectl apply -k` there
  # uses kustomize api v0.10.1, which must render the very same objects.
  if ! kustomize-kubectl123 "$root/k8s/overlays/$overlay" > "$out/$overlay.kubectl123.yaml"; then
    echo "   kustomize of kubectl 1.23: FAILED"; failed=1
  elif python - "$rendered" "$out/$overlay.kubectl123.yaml" <<'PY'
import sys, yaml
a, b = ([d for d in yaml.safe_load_all(open(p)) if d] for p in sys.argv[1:])
key = lambda d: (d["kind"], d["metadata"]["name"])
sys.exit(0 if sorted(a, key=key) == sorted(b, key=key) else 1)
PY
  then echo "   kustomize of kubectl 1.23: the same objects"
  else echo "   kustomize of kubectl 1.23: renders differently"; failed=1
  fi

  for version in "${versions[@]}"; do
    if report="$(kubernetes-validate --strict --quiet -k "$version" "$rendered" 2>&1)"; then
      echo "   kubernetes-validate --strict $version: ok"
    else
      echo "   kubernetes-validate --strict $version: FAILED"; echo "$report" | sed 's/^/     /'; failed=1
    fi
  done

  # BC_SKIP_MAPPING and --skip-download keep checkov offline (it would
  # otherwise fetch guideline links and policies from its vendor).
  json="$(BC_SKIP_MAPPING=TRUE checkov -f "$rendered" --framework kubernetes --quiet --compact \
            --skip-download -o json 2>/dev/null || true)"
  if ! summary="$(python - "$json" <<'PY'
import json, sys
report = json.loads(sys.argv[1])
summary = report["summary"]
print(f"   checkov: passed {summary['passed']}, failed {summary['failed']}, skipped {summary['skipped']}")
for check in report["results"].get("failed_checks", []):
    print(f"     FAILED {check['check_id']} {check['resource']}: {check['check_name']}")
sys.exit(1 if summary["failed"] or summary["parsing_errors"] or not summary["resource_count"] else 0)
PY
  )"; then failed=1; fi
  echo "$summary"

  # The overlays a running seed cluster moves onto must keep what its pods
  # and volumes are bound to (names, selector, claim template, Services),
  # every field the API server's StatefulSet update validation does not let
  # change, and Service ports that reach the seed's pods as they are.
  case "$overlay" in
    zookeeper|external|migration|apache-zookeeper|apache-external|apache-migration*|apache-kafka4*|confluent-zookeeper)
      if [ ! -f "$seed/ka-ss.yaml" ]; then
        echo "   seed in place: SKIPPED (KAFKA_INIT_NO_SHARED=1: no $seed/ka-ss.yaml)"
      elif ! python "$root/tests/manifests/seed_compat.py" "$seed/ka-ss.yaml" "$rendered" | sed 's/^/   seed in place: /'; then
        failed=1
      fi
      if ! python "$root/tests/manifests/immutable_fields.py" "$seed/ka-ss.yaml" "$rendered" | sed 's/^/   immutable fields: /'; then
        failed=1
      fi
      if ! python "$root/tests/manifests/service_ports.py" "$seed/ka-ss.yaml" "$rendered" | sed 's/^/   service ports: /'; then
        failed=1
      fi ;;
  esac

  # The move's step 0: Jobs that check each broker's volume as its
  # initContainer will meet it.
  if [ "$overlay" = precheck ]; then
    kustomize build "$root/k8s/overlays/zookeeper" > "$out/zookeeper.for-precheck.yaml"
    if ! python "$root/tests/manifests/precheck.py" "$rendered" "$out/zookeeper.for-precheck.yaml" | sed 's/^/   precheck: /'; then
      failed=1
    fi
  fi

  # Every StatefulSet rolls so that `kubectl rollout status` waits for it;
  # every Kafka StatefulSet tells kafka-init its image's Kafka version; the
  # per-broker NodePorts are what each broker advertises.
  if ! python "$root/tests/manifests/rollout.py" "$rendered" | sed 's/^/   rollout: /'; then
    failed=1
  fi
  if ! python "$root/tests/manifests/kafka_version.py" "$rendered" | sed 's/^/   kafka version: /'; then
    failed=1
  fi
  if ! python "$root/tests/manifests/external_ports.py" "$overlay" "$rendered" "$kafka_init" | sed 's/^/   external ports: /'; then
    failed=1
  fi

  # The migration's claims must bind on static volumes: each names a class
  # that the render or the overlay's PV examples provide, enough of them.
  case "$overlay" in
    migration|apache-migration*|apache-kafka4*)
      # The brokers' volumes are the ones the cluster already has
      # (k8s/overlays/zookeeper/volumes: the seed created them); the
      # controllers' PV examples are components/migration's.
      if ! python "$root/tests/manifests/claim_classes.py" "$root/k8s/components/migration" "$rendered" \
          "$root/k8s/overlays/zookeeper/volumes/nfs-pv.yaml" | sed 's/^/   claims on static volumes: /'; then
        failed=1
      fi ;;
  esac

  # Every Kafka container may write what its image writes at start, as
  # the kernel decides from its uid and groups and the image facts that
  # kafka-init prints (plan --format json: writes_at_start).
  if ! python "$root/tests/manifests/start_writes.py" "$overlay" "$rendered" "$kafka_init" | sed 's/^/   writes at start: /'; then
    failed=1
  fi

  # A skip without a reason is a failure too.
  if ! python - "$rendered" <<'PY'
import re, sys, yaml
bad = 0
for doc in yaml.safe_load_all(open(sys.argv[1])):
    for key, value in ((doc or {}).get("metadata", {}).get("annotations") or {}).items():
        if key.startswith("checkov.io/skip") and not re.fullmatch(r"CKV\w+=\S.*", str(value)):
            print(f"     skip without a reason: {doc['kind']}/{doc['metadata']['name']} {key}: {value}")
            bad = 1
sys.exit(bad)
PY
  then failed=1; fi
done

if [ "$failed" -ne 0 ]; then echo "check-manifests: FAILED"; exit 1; fi
echo "check-manifests: all overlays ok"
