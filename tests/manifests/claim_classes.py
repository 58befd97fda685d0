"""Checks that every claim template of a rendered overlay can bind on a
cluster with only static PersistentVolumes: it names a storageClassName,
and that class is provided, by a StorageClass or PersistentVolume in the
render, in the overlay's *.example.yaml files or in the PV files named
after the render (PVs the user applies, or already has).
Also checks that each class's static PVs are enough for the replicas.
Exits 1 listing every claim that would stay Pending.

Usage: claim_classes.py OVERLAY_DIR RENDERED_OVERLAY_YAML [PV_FILE...]
"""
import glob
import os
import sys

import yaml


def docs(path):
    return [d for d in yaml.safe_load_all(open(path)) if d]


def main(overlay_dir, rendered, *pv_files):
    objects = docs(rendered)
    examples = [d for p in sorted(glob.glob(os.path.join(overlay_dir, "*.example.yaml"))) for d in docs(p)]
    examples += [d for p in pv_files for d in docs(p)]
    classes = {d["metadata"]["name"] for d in objects + examples if d["kind"] == "StorageClass"}
    pvs = {}
    for d in objects + examples:
        if d["kind"] == "PersistentVolume":
            pvs.setdefault(d["spec"].get("storageClassName", ""), []).append(d["metadata"]["name"])
    problems, claims, demand = [], 0, {}
    for sts in (d for d in objects if d["kind"] == "StatefulSet"):
        name, replicas = sts["metadata"]["name"], sts["spec"].get("replicas", 1)
        for t in sts["spec"].get("volumeClaimTemplates", []):
            claims += 1
            claim = f"{t['metadata']['name']}-{name}-N"
            cls = t["spec"].get("storageClassName")
            if cls is None:
                problems.append(f"{claim}: no storageClassName (the cluster's default StorageClass; Pending without a provisioner)")
            elif cls not in classes:
                demand.setdefault(cls, []).append((claim, replicas))
    # Static PVs of a class are shared by every claim that names it.
    for cls, wanted in demand.items():
        need = sum(n for _, n in wanted)
        if len(pvs.get(cls, [])) < need:
            who = ", ".join(f"{c} x{n}" for c, n in wanted)
            problems.append(f"class {cls!r}: {len(pvs.get(cls, []))} PersistentVolumes for {need} claims ({who}) and no StorageClass")
    for p in problems:
        print(f"FAIL  {p}")
    if not problems:
        print(f"ok    {claims} claim templates, each with a class provided ({', '.join(sorted(set(pvs) | classes))})")
    return 1 if problems or not claims else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
