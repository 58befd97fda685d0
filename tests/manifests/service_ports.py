"""Checks that the seed's Services (by name, as the overlay renders them)
reach the seed's running pods on every port, and that every Service of the
overlay reaches the overlay's own pods, so that endpoints (and the per-pod
DNS names of the headless Service) never drop a running broker while the
pods are replaced one by one. (A port the seed never had, such as the
external listener's, has nothing to keep.)

The endpoints controllers resolve a Service port's targetPort in each pod
(FindPort in pkg/api/v1/pod/util.go): a number is used as it is, on any pod;
a name only matches a container port of that name, and a pod without one
is left out of that port's endpoints. The seed's pods declare
`containerPort: 39092` without a name. So a targetPort must be a number a
pod's container listens on, or a name both kinds of pod declare.

It checks itself: the first checked port turned into the name `kafka` (what
the overlays had) must be refused.

Usage: service_ports.py SEED_YAML RENDERED_OVERLAY_YAML
"""
import copy
import sys

import yaml


def load(path):
    return [d for d in yaml.safe_load_all(open(path)) if d]


def pod_ports(sts):
    spec = sts["spec"]["template"]["spec"]
    return [p for c in spec["containers"] for p in c.get("ports") or []]


def selects(service, labels):
    selector = service["spec"].get("selector") or {}
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def reaches(port, ports):
    """Whether the Service port's targetPort resolves in a pod with `ports`."""
    target = port.get("targetPort", port["port"])
    if isinstance(target, int):
        return any(p["containerPort"] == target for p in ports)
    return any(p.get("name") == target for p in ports)


def problems_of(services, pods, seed_names):
    problems = []
    for svc in services:
        for who, labels, ports in pods:
            if who.startswith("seed") and svc["metadata"]["name"] not in seed_names:
                continue
            if not selects(svc, labels):
                continue
            for port in svc["spec"]["ports"]:
                if not reaches(port, ports):
                    problems.append(
                        f"Service {svc['metadata']['name']} port {port.get('name', port['port'])}: targetPort "
                        f"{port.get('targetPort', port['port'])!r} is not a port of the {who} "
                        f"({[(p.get('name'), p['containerPort']) for p in ports]})")
    return problems


def main(seed_path, rendered_path):
    seed = load(seed_path)
    (old,) = [d for d in seed if d["kind"] == "StatefulSet"]
    seed_names = {d["metadata"]["name"] for d in seed if d["kind"] == "Service"}
    rendered = load(rendered_path)
    new = [d for d in rendered if d["kind"] == "StatefulSet" and d["metadata"]["name"] == old["metadata"]["name"]]
    pods = [("seed's running pods", old["spec"]["template"]["metadata"]["labels"], pod_ports(old))]
    pods += [(f"{s['metadata']['name']} pods", s["spec"]["template"]["metadata"]["labels"], pod_ports(s)) for s in new]
    services = [d for d in rendered if d["kind"] == "Service"]
    checked = [s for s in services if s["metadata"]["name"] in seed_names and selects(s, pods[0][1])]
    problems = problems_of(services, pods, seed_names)
    for p in problems:
        print(f"FAIL  {p}")
    if not checked:
        print("FAIL  no Service selects the seed's pods: the check checked nothing")
        return 1
    if not problems:
        print(f"ok    the seed's Services {[s['metadata']['name'] for s in checked]} reach the seed's pods, "
              f"and all {len(services)} Services the new pods, on every port")
    broken = copy.deepcopy(checked[0])
    broken["spec"]["ports"][0]["targetPort"] = "kafka"
    if problems_of([broken], pods, seed_names):
        print("      self-check: targetPort by the name kafka is refused (the seed's port has no name)")
    else:
        print("FAIL  self-check: a named targetPort passed: the check cannot fail")
        problems.append("self-check")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
