"""Checks that the precheck Jobs (k8s/overlays/precheck) run `kafka-init
prepare --check` exactly where and as the move's initContainer will run
`prepare`: for every pod kafka-N of the StatefulSet, a Job that mounts the
claim kafka-data-kafka-N at the initContainer's data path, with the
initContainer's image, securityContext (root with only its capabilities)
and ConfigMaps, and POD_NAME kafka-N (meta.properties is checked against
that broker's id). No fsGroup: the kubelet would re-own the volume, and
the check must change nothing.

It checks itself: a Job with the broker's user instead of root must be refused.

Usage: precheck.py RENDERED_PRECHECK_YAML RENDERED_MOVE_OVERLAY_YAML
"""
import copy
import sys

import yaml


def load(path):
    return [d for d in yaml.safe_load_all(open(path)) if d]


def problems_of(jobs, sts):
    name = sts["metadata"]["name"]
    pod = sts["spec"]["template"]["spec"]
    (init,) = [c for c in pod["initContainers"] if c["name"] == "kafka-init"]
    data = {m["name"]: m["mountPath"] for m in init["volumeMounts"]}
    claims = [c["metadata"]["name"] for c in sts["spec"]["volumeClaimTemplates"]]
    problems = []
    for n in range(sts["spec"]["replicas"]):
        job = jobs.get(f"{name}-precheck-{n}")
        if job is None:
            problems.append(f"no Job {name}-precheck-{n} for pod {name}-{n}")
            continue
        spec = job["spec"]["template"]["spec"]
        (c,) = spec["containers"]
        want = {
            "image": init["image"],
            "args": ["prepare", "--check"],
            "securityContext": init["securityContext"],
            "envFrom": init["envFrom"],
        }
        for key, value in want.items():
            if c.get(key) != value:
                problems.append(f"Job {name}-precheck-{n}: {key} {c.get(key)!r}, the initContainer has {value!r}")
        env = {e["name"]: e.get("value") for e in c.get("env") or []}
        if env.get("POD_NAME") != f"{name}-{n}":
            problems.append(f"Job {name}-precheck-{n}: POD_NAME {env.get('POD_NAME')!r}, not {name}-{n}")
        volumes = {v["name"]: (v.get("persistentVolumeClaim") or {}).get("claimName") for v in spec.get("volumes") or []}
        mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts") or []}
        for claim in claims:
            want_claim = f"{claim}-{name}-{n}"
            got = [v for v, cn in volumes.items() if cn == want_claim]
            if not got or mounts.get(got[0]) != data.get(claim):
                problems.append(f"Job {name}-precheck-{n}: claim {want_claim} not mounted at {data.get(claim)}")
        if "fsGroup" in (spec.get("securityContext") or {}):
            problems.append(f"Job {name}-precheck-{n}: fsGroup set (the kubelet would re-own the volume)")
    return problems


def main(precheck_path, move_path):
    jobs = {d["metadata"]["name"]: d for d in load(precheck_path) if d["kind"] == "Job"}
    (sts,) = [d for d in load(move_path) if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "kafka"]
    problems = problems_of(jobs, sts)
    for p in problems:
        print(f"FAIL  {p}")
    if not problems:
        print(f"ok    {', '.join(sorted(jobs))}: the initContainer's image, user, capabilities, settings and claim, one per pod")
    broken = copy.deepcopy(jobs)
    first = broken[sorted(broken)[0]]["spec"]["template"]["spec"]["containers"][0]
    first["securityContext"] = dict(first["securityContext"], runAsUser=1001)
    if problems_of(broken, sts):
        print("      self-check: a Job that is not root is refused")
    else:
        print("FAIL  self-check: a Job that is not root passed: the check cannot fail")
        problems.append("self-check")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
