"""Checks that every Kafka container of a rendered overlay may write what
its image writes at start, as the kernel would decide it: for each
StatefulSet with a container named kafka, the container's environment
(scripts/pod-env.sh) goes through `kafka-init plan --format json`, whose
`writes_at_start` lists each directory with its owner and mode as the image
builds it (the facts live once, in src/flavor/); the container's effective
runAsUser, runAsGroup, supplementalGroups and fsGroup (container
securityContext over the pod's) then decide each path: root may; the owner
by the owner bits; a member of the group by the group bits; anyone else by
the other bits; writing in a directory needs w and x.

It checks itself on every overlay whose pods have group 0 only through
supplementalGroups: without them, the check must refuse (the Bitnami image's
directories are root:root 0775), or it is a check that cannot fail.

Usage: start_writes.py OVERLAY RENDERED_YAML KAFKA_INIT_BINARY
Prints one line per StatefulSet and path; exits 1 on any refusal.
"""
import copy
import sys

import yaml

import pod_plan


def identity(pod_spec, container):
    """(uid, gid, groups) the container's processes run with."""
    pod_sc = pod_spec.get("securityContext") or {}
    c_sc = container.get("securityContext") or {}
    pick = lambda key: c_sc.get(key, pod_sc.get(key))
    uid, gid = pick("runAsUser"), pick("runAsGroup")
    if uid is None or gid is None:
        return None
    groups = {gid, *(pod_sc.get("supplementalGroups") or [])}
    if pod_sc.get("fsGroup") is not None:
        groups.add(pod_sc["fsGroup"])
    return uid, gid, groups


def may_write(who, write):
    """The kernel's answer for a directory: w and x in the bits that apply."""
    uid, _, groups = who
    mode = int(write["mode"], 8)
    if uid == 0:
        return True
    if uid == write["uid"]:
        bits = mode >> 6
    elif write["gid"] in groups:
        bits = mode >> 3
    else:
        bits = mode
    return bits & 0o3 == 0o3


def writes_of(binary, overlay, sts, pod):
    # --offline: no ZooKeeper here to observe; where the image writes does
    # not depend on what the cluster says.
    plan = pod_plan.plan(binary, overlay, sts, pod, offline=True)
    return plan["flavor"], plan["writes_at_start"]


def refusals(who, writes):
    return [w for w in writes if not may_write(who, w)]


def main(overlay, rendered, binary):
    docs = [d for d in yaml.safe_load_all(open(rendered)) if d]
    failed = 0
    for sts in (d for d in docs if d["kind"] == "StatefulSet"):
        name = sts["metadata"]["name"]
        spec = sts["spec"]["template"]["spec"]
        kafka = [c for c in spec["containers"] if c["name"] == "kafka"]
        if not kafka:
            continue
        pod = f"{name}-0"
        flavor, writes = writes_of(binary, overlay, name, pod)
        who = identity(spec, kafka[0])
        if who is None:
            print(f"FAIL  {name}: no runAsUser/runAsGroup: the image's user decides, which this check cannot know")
            failed = 1
            continue
        uid, gid, groups = who
        print(f"{name} ({flavor}): uid {uid}, gid {gid}, groups {sorted(groups)}")
        for w in writes:
            ok = may_write(who, w)
            print(f"  {'ok  ' if ok else 'FAIL'}  {w['path']} ({w['uid']}:{w['gid']} {w['mode']}, {w['built_by']})")
            if not ok:
                print(f"        fix: {w['fix']}")
                failed = 1
        # The check's own negative half: the same pod without its
        # supplementary groups must be refused where group 0 is what allows it.
        if 0 in ((spec.get("securityContext") or {}).get("supplementalGroups") or []):
            bare = copy.deepcopy(spec)
            del bare["securityContext"]["supplementalGroups"]
            if refusals(identity(bare, kafka[0]), writes):
                print("  self-check: without supplementalGroups [0] the check refuses, as it must")
            else:
                print("FAIL  self-check: without supplementalGroups [0] nothing was refused: the check cannot fail")
                failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
