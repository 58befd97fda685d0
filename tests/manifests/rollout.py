"""Checks that every StatefulSet of a rendered overlay rolls in a way
`kubectl rollout status` can wait for: updateStrategy RollingUpdate with
rollingUpdate.partition set.

The API server defaults rollingUpdate (and so partition 0) only when
updateStrategy.type is unset (SetDefaults_StatefulSet, pkg/apis/apps/v1/
defaults.go); `type: RollingUpdate` alone leaves it nil, and kubectl's
status viewer for StatefulSets (kubectl/pkg/polymorphichelpers/
rollout_status.go) then compares only the current and update revisions,
which are equal right after the apply: "rolling update complete 0 pods",
exit 0, before any pod was replaced (seen on a real 1.37 control plane).

It checks itself: the first StatefulSet without rollingUpdate must be refused.

Usage: rollout.py RENDERED_OVERLAY_YAML
"""
import copy
import sys

import yaml


def problems_of(sts):
    strategy = sts["spec"].get("updateStrategy") or {}
    name = sts["metadata"]["name"]
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return [f"StatefulSet {name}: updateStrategy {strategy.get('type')} does not roll"]
    if strategy.get("type") is None:
        return []  # the API server defaults rollingUpdate.partition 0
    if not isinstance((strategy.get("rollingUpdate") or {}).get("partition"), int):
        return [f"StatefulSet {name}: updateStrategy RollingUpdate without rollingUpdate.partition: "
                "`kubectl rollout status` says complete before any pod is replaced; set rollingUpdate: {partition: 0}"]
    return []


def main(rendered_path):
    sets = [d for d in yaml.safe_load_all(open(rendered_path)) if d and d["kind"] == "StatefulSet"]
    problems = [p for s in sets for p in problems_of(s)]
    for p in problems:
        print(f"FAIL  {p}")
    if not sets:
        print("ok    no StatefulSet")
        return 0
    if not problems:
        print(f"ok    {', '.join(s['metadata']['name'] for s in sets)}: RollingUpdate with a partition")
    bare = copy.deepcopy(sets[0])
    bare["spec"]["updateStrategy"] = {"type": "RollingUpdate"}
    if problems_of(bare):
        print("      self-check: RollingUpdate without rollingUpdate is refused")
    else:
        print("FAIL  self-check: RollingUpdate without rollingUpdate passed: the check cannot fail")
        problems.append("self-check")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
