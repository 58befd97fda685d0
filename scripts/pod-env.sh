#!/usr/bin/env bash
# Prints the environment Kubernetes would give the Kafka container (the
# container named kafka, not the initContainer) of one StatefulSet pod of an
# overlay, as KEY=VALUE lines, so tests run kafka-init with exactly what the
# manifests say. It renders the overlay with kustomize and resolves what the
# kubelet would: envFrom ConfigMaps/Secrets, then env (later wins), downward
# API fieldRefs (metadata.name -> POD_NAME, metadata.namespace -> the
# StatefulSet's namespace, status.hostIP and status.podIP -> HOST_IP or
# 127.0.0.1, metadata.labels[...] -> the pod's labels, including
# apps.kubernetes.io/pod-index -> the ordinal), secretKeyRef/configMapKeyRef
# from the rendered objects, and $(VAR) references.
# Usage: scripts/pod-env.sh OVERLAY STATEFULSET POD_NAME [HOST_IP]
#   e.g. scripts/pod-env.sh zookeeper kafka kafka-1
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: $0 OVERLAY STATEFULSET POD_NAME [HOST_IP]" >&2
  exit 64
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
overlay_dir="$root/k8s/overlays/$1"
[ -f "$overlay_dir/kustomization.yaml" ] || { echo "$0: no overlay $overlay_dir" >&2; exit 64; }

log="$(mktemp)"; rendered="$(mktemp)"; trap 'rm -f "$log" "$rendered"' EXIT
tools="$("$root/scripts/install-manifest-tools.sh" 2>"$log")" || { cat "$log" >&2; exit 1; }
PATH="$(tail -n 1 <<<"$tools"):$PATH"

kustomize build "$overlay_dir" > "$rendered"
python - "$rendered" "$2" "$3" "${4:-127.0.0.1}" <<'PY'
import base64, re, sys, yaml

rendered, statefulset, pod, host_ip = sys.argv[1:5]
docs = [d for d in yaml.safe_load_all(open(rendered)) if d]

def find(kind, name, namespace):
    for d in docs:
        m = d["metadata"]
        if d["kind"] == kind and m["name"] == name and m.get("namespace", "default") == namespace:
            return d
    sys.exit(f"pod-env: no {kind} {namespace}/{name} in the rendered overlay")

def fail(message):
    sys.exit(f"pod-env: {message}")

sets = [d for d in docs if d["kind"] == "StatefulSet" and d["metadata"]["name"] == statefulset]
if len(sets) != 1:
    fail(f"{len(sets)} StatefulSets named {statefulset}")
sts = sets[0]
namespace = sts["metadata"].get("namespace", "default")
prefix = statefulset + "-"
if not pod.startswith(prefix) or not pod[len(prefix):].isdigit():
    fail(f"{pod} is not a pod of StatefulSet {statefulset} (expected {prefix}<ordinal>)")
ordinal = pod[len(prefix):]
if int(ordinal) >= sts["spec"].get("replicas", 1):
    fail(f"{pod}: ordinal {ordinal} is beyond the StatefulSet's {sts['spec'].get('replicas', 1)} replicas")

template = sts["spec"]["template"]
labels = dict(template["metadata"].get("labels") or {})
labels["statefulset.kubernetes.io/pod-name"] = pod
labels["apps.kubernetes.io/pod-index"] = ordinal
containers = [c for c in template["spec"]["containers"] if c["name"] == "kafka"]
if len(containers) != 1:
    fail(f"StatefulSet {statefulset} has no container named kafka")
container = containers[0]

def data_of(kind, name):
    obj = find(kind, name, namespace)
    values = {k: str(v) for k, v in (obj.get("data") or {}).items()}
    if kind == "Secret":
        values = {k: base64.b64decode(v).decode() for k, v in values.items()}
        values.update({k: str(v) for k, v in (obj.get("stringData") or {}).items()})
    return values

def field(path):
    simple = {"metadata.name": pod, "metadata.namespace": namespace,
              "status.hostIP": host_ip, "status.podIP": host_ip}
    if path in simple:
        return simple[path]
    match = re.fullmatch(r"metadata\.labels\['([^']+)'\]", path)
    if match:
        return labels.get(match.group(1), "")
    fail(f"fieldRef {path} is not resolved by pod-env")

env = {}
for source in container.get("envFrom") or []:
    if "configMapRef" in source:
        values = data_of("ConfigMap", source["configMapRef"]["name"])
    else:
        values = data_of("Secret", source["secretRef"]["name"])
    env.update({source.get("prefix", "") + k: v for k, v in values.items()})

def expand(value):
    # The kubelet's $(VAR) expansion: defined names are replaced, $$ escapes.
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                  lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), value)

for var in container.get("env") or []:
    if "value" in var or "valueFrom" not in var:
        env[var["name"]] = expand(str(var.get("value", "")))
        continue
    source = var["valueFrom"]
    if "fieldRef" in source:
        env[var["name"]] = field(source["fieldRef"]["fieldPath"])
    elif "secretKeyRef" in source or "configMapKeyRef" in source:
        kind, ref = ("Secret", source["secretKeyRef"]) if "secretKeyRef" in source else ("ConfigMap", source["configMapKeyRef"])
        values = data_of(kind, ref["name"])
        if ref["key"] not in values:
            fail(f"{kind} {ref['name']} has no key {ref['key']} (for {var['name']})")
        env[var["name"]] = values[ref["key"]]
    else:
        fail(f"{var['name']}: valueFrom {list(source)} is not resolved by pod-env")

for key, value in env.items():
    if "\n" in value:
        fail(f"{key} has a multi-line value, which KEY=VALUE lines cannot carry")
    print(f"{key}={value}")
PY
