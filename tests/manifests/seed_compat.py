"""Checks that a rendered overlay can take over the seed's running cluster in
place: `kubectl apply -k` updates the running StatefulSet only when its name
is kept, its pods stay selected only when the selector matches their labels,
and their volumes are reused only when the claim template keeps its name
(immutable_fields.py checks every immutable field in full; this says what
each kept name is for). Exits 1 listing every difference.

Usage: seed_compat.py SEED_STATEFULSET_YAML RENDERED_OVERLAY_YAML
"""
import sys

import yaml


def by_kind(path):
    out = {}
    for doc in yaml.safe_load_all(open(path)):
        if doc:
            out.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    return out


def main(seed_path, rendered_path):
    seed, new = by_kind(seed_path), by_kind(rendered_path)
    problems = []
    (name, old_sts), = seed["StatefulSet"].items()
    sts = new.get("StatefulSet", {}).get(name)
    if sts is None:
        print(f"FAIL  no StatefulSet named {name} (the running one's name)")
        return 1
    old_pod_labels = old_sts["spec"]["template"]["metadata"]["labels"]
    new_selector = sts["spec"]["selector"]["matchLabels"]
    if new_selector != old_sts["spec"]["selector"]["matchLabels"]:
        problems.append(f"selector {new_selector} differs from the running {old_sts['spec']['selector']['matchLabels']}")
    if any(old_pod_labels.get(k) != v for k, v in new_selector.items()):
        problems.append(f"selector {new_selector} does not match the running pods' labels {old_pod_labels}")
    if sts["spec"]["serviceName"] != old_sts["spec"]["serviceName"]:
        problems.append(f"serviceName {sts['spec']['serviceName']} differs from {old_sts['spec']['serviceName']} (pods' DNS names change)")
    if sts["spec"].get("updateStrategy", {}).get("type", "RollingUpdate") != "RollingUpdate":
        problems.append("updateStrategy is not RollingUpdate")
    old_claims = {c["metadata"]["name"]: c["spec"] for c in old_sts["spec"]["volumeClaimTemplates"]}
    new_claims = {c["metadata"]["name"]: c["spec"] for c in sts["spec"]["volumeClaimTemplates"]}
    for claim, spec in old_claims.items():
        mine = new_claims.get(claim)
        if mine is None:
            problems.append(f"claim template {claim} is gone (the running PVCs {claim}-{name}-N would be orphaned)")
            continue
        for field in ("storageClassName", "accessModes", "resources"):
            if mine.get(field) != spec.get(field):
                problems.append(f"claim template {claim}: {field} {mine.get(field)} differs from {spec.get(field)}")
    for svc_name, old_svc in seed.get("Service", {}).items():
        svc = new.get("Service", {}).get(svc_name)
        if svc is None:
            problems.append(f"Service {svc_name} is gone (the running pods would drop out of DNS)")
            continue
        if svc["spec"].get("clusterIP") != old_svc["spec"].get("clusterIP"):
            problems.append(f"Service {svc_name}: clusterIP {svc['spec'].get('clusterIP')} differs (immutable)")
        for k, v in svc["spec"]["selector"].items():
            if old_pod_labels.get(k) != v:
                problems.append(f"Service {svc_name}: selector {k}={v} does not match the running pods")
    for p in problems:
        print(f"FAIL  {p}")
    if not problems:
        print(f"ok    StatefulSet {name}: name, selector {new_selector}, serviceName, claim templates "
              f"{sorted(old_claims)} and Services {sorted(seed.get('Service', {}))} kept")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
