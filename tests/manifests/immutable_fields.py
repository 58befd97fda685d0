"""Checks that `kubectl apply` of a rendered overlay over the seed's running
StatefulSet is an update the API server accepts: every field its update
validation does not let change is equal in both, after the API server's
defaults are applied to both. Exits 1 listing every difference.

What may change comes from the API server's own update validation,
ValidateStatefulSetUpdate in pkg/apis/apps/validation/validation.go:

- Kubernetes 1.23 (the seed's control plane): the new spec, with replicas,
  template, updateStrategy, minReadySeconds and
  persistentVolumeClaimRetentionPolicy copied from the old one, must be
  apiequality.Semantic.DeepEqual to the old spec ("updates to statefulset
  spec for fields other than 'replicas', 'template', 'updateStrategy',
  'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are
  forbidden"). Everything else is immutable, revisionHistoryLimit included.
  (1.26 added 'ordinals' to that list.)
- Kubernetes 1.37.2: ValidateImmutableField on spec.selector,
  spec.volumeClaimTemplates, spec.serviceName and spec.podManagementPolicy
  only.
- Both: ValidateObjectMetaUpdate (metadata.name and namespace).

An overlay must pass both, so the check is 1.23's (1.37's immutable fields
are a subset of it; the check verifies that too). Defaults, as the API
server sets them before validating (pkg/apis/apps/v1/defaults.go
SetDefaults_StatefulSet; pkg/apis/core/v1/defaults.go
SetDefaults_PersistentVolumeClaim and SetDefaults_PersistentVolumeClaimSpec,
applied to each claim template by zz_generated.defaults.go):
podManagementPolicy OrderedReady, revisionHistoryLimit 10, a claim
template's spec.volumeMode Filesystem and status.phase Pending. A claim
template's apiVersion and kind are type metadata the internal object does
not hold.

It checks itself: the overlay's StatefulSet with a label added to its claim
template, and with podManagementPolicy Parallel, must each be refused.

Usage: immutable_fields.py SEED_STATEFULSET_YAML RENDERED_OVERLAY_YAML
"""
import copy
import sys

import yaml

# ValidateStatefulSetUpdate, Kubernetes 1.23: the spec fields it copies
# from the old object before comparing (all others must be equal).
MUTABLE_1_23 = {"replicas", "template", "updateStrategy", "minReadySeconds",
                "persistentVolumeClaimRetentionPolicy"}
# ValidateStatefulSetUpdate, Kubernetes 1.37.2: the fields it checks with
# ValidateImmutableField.
IMMUTABLE_1_37 = {"selector", "volumeClaimTemplates", "serviceName", "podManagementPolicy"}


def defaulted(sts):
    """The StatefulSet's spec as the API server holds it after defaulting."""
    spec = copy.deepcopy(sts["spec"])
    spec.setdefault("podManagementPolicy", "OrderedReady")
    spec.setdefault("revisionHistoryLimit", 10)
    claims = []
    for claim in spec.get("volumeClaimTemplates") or []:
        claim = {k: v for k, v in claim.items() if k not in ("apiVersion", "kind")}
        claim.setdefault("metadata", {})
        claim.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
        claim.setdefault("status", {}).setdefault("phase", "Pending")
        claims.append(claim)
    spec["volumeClaimTemplates"] = claims
    return spec


def differences(old, new):
    """Every immutable field (1.23's rule, which includes 1.37's) that differs."""
    a, b = defaulted(old), defaulted(new)
    problems = []
    for meta in ("name", "namespace"):
        if old["metadata"].get(meta, "default") != new["metadata"].get(meta, "default"):
            problems.append(f"metadata.{meta}: {new['metadata'].get(meta)!r}, running {old['metadata'].get(meta)!r}")
    for field in sorted((set(a) | set(b)) - MUTABLE_1_23):
        if a.get(field) != b.get(field):
            since = "1.23 and 1.37" if field in IMMUTABLE_1_37 else "1.23 (mutable in 1.37)"
            problems.append(f"spec.{field} (immutable in {since}): {b.get(field)!r}, running {a.get(field)!r}")
    return problems


def main(seed_path, rendered_path):
    if IMMUTABLE_1_37 & MUTABLE_1_23:
        print("FAIL  1.37's immutable fields are not all immutable in 1.23: the check would miss some")
        return 1
    seed = [d for d in yaml.safe_load_all(open(seed_path)) if d and d["kind"] == "StatefulSet"]
    (old,) = seed
    new = [d for d in yaml.safe_load_all(open(rendered_path))
           if d and d["kind"] == "StatefulSet" and d["metadata"]["name"] == old["metadata"]["name"]]
    if not new:
        print(f"FAIL  no StatefulSet named {old['metadata']['name']} (the running one's name)")
        return 1
    (new,) = new
    problems = differences(old, new)
    for p in problems:
        print(f"FAIL  {p}")
    if not problems:
        kept = sorted((set(defaulted(old)) | set(defaulted(new))) - MUTABLE_1_23)
        print(f"ok    StatefulSet {new['metadata']['name']}: every immutable field equal to the running one's ({', '.join(kept)})")

    # The check's own negative half: what the real API server refused.
    broken = copy.deepcopy(new)
    broken["spec"]["volumeClaimTemplates"][0].setdefault("metadata", {}).setdefault("labels", {})["app"] = "kafka"
    parallel = copy.deepcopy(new)
    parallel["spec"]["podManagementPolicy"] = "Parallel"
    for what, sts in (("a label on the claim template", broken), ("podManagementPolicy Parallel", parallel)):
        if differences(old, sts):
            print(f"      self-check: {what} is refused, as the API server refuses it")
        else:
            print(f"FAIL  self-check: {what} passed: the check cannot fail")
            problems.append(what)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
