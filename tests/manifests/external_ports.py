"""Checks that an overlay's per-broker NodePort Services lead to the address
each broker advertises: for every pod kafka-N of each StatefulSet whose
Kafka container has a port named `external`, `kafka-init plan` (with the
pod's environment as the manifests give it, scripts/pod-env.sh) advertises
EXTERNAL://<node>:P; the Service that selects that pod alone
(statefulset.kubernetes.io/pod-name) must be a NodePort with nodePort P,
in Kubernetes' default range 30000-32767, and target the port the EXTERNAL
listener binds in the pod.

It checks itself: a Service with its nodePort moved by one must be refused.

Usage: external_ports.py OVERLAY RENDERED_YAML KAFKA_INIT_BINARY
"""
import copy
import sys
from urllib.parse import urlsplit

import yaml

import pod_plan

NODE_PORTS = range(30000, 32768)


def listener(value, name):
    for entry in value.split(","):
        if entry.strip().upper().startswith(name + "://"):
            return urlsplit("x" + entry.strip()[len(name):])
    return None


def plan(overlay, sts, pod, binary):
    return pod_plan.plan(binary, overlay, sts, pod, "10.0.0.1")["config"]


def problems_of(services, pod, advertised_port, bind_port):
    mine = [s for s in services
            if (s["spec"].get("selector") or {}).get("statefulset.kubernetes.io/pod-name") == pod]
    if len(mine) != 1:
        return [f"{pod}: {len(mine)} Services select it alone (want one NodePort)"]
    svc = mine[0]
    name = svc["metadata"]["name"]
    problems = []
    if svc["spec"].get("type") != "NodePort":
        problems.append(f"Service {name}: type {svc['spec'].get('type')}, not NodePort")
    ports = svc["spec"]["ports"]
    if not any(p.get("nodePort") == advertised_port for p in ports):
        problems.append(f"Service {name}: nodePorts {[p.get('nodePort') for p in ports]}, "
                        f"but {pod} advertises EXTERNAL on port {advertised_port}")
    if advertised_port not in NODE_PORTS:
        problems.append(f"{pod} advertises port {advertised_port}, outside the NodePort range 30000-32767")
    if not any(p.get("targetPort", p["port"]) == bind_port for p in ports):
        problems.append(f"Service {name}: targetPorts {[p.get('targetPort') for p in ports]}, "
                        f"but {pod}'s EXTERNAL listener binds {bind_port}")
    return problems


def main(overlay, rendered, binary):
    docs = [d for d in yaml.safe_load_all(open(rendered)) if d]
    services = [d for d in docs if d["kind"] == "Service"]
    problems, checked = [], []
    for sts in (d for d in docs if d["kind"] == "StatefulSet"):
        kafka = [c for c in sts["spec"]["template"]["spec"]["containers"] if c["name"] == "kafka"]
        if not kafka or not any(p.get("name") == "external" for p in kafka[0].get("ports") or []):
            continue
        name = sts["metadata"]["name"]
        for n in range(sts["spec"].get("replicas", 1)):
            pod = f"{name}-{n}"
            config = plan(overlay, name, pod, binary)
            adv = listener(config["advertised.listeners"], "EXTERNAL")
            bind = listener(config["listeners"], "EXTERNAL")
            if adv is None or bind is None:
                problems.append(f"{pod}: no EXTERNAL listener in the plan")
                continue
            problems += problems_of(services, pod, adv.port, bind.port)
            checked.append((pod, adv.port, bind.port))
    for p in problems:
        print(f"FAIL  {p}")
    if not checked:
        print("ok    no external listener")
        return 1 if problems else 0
    if not problems:
        print("ok    " + ", ".join(f"{pod} advertises :{a} = its Service's nodePort -> pod port {b}" for pod, a, b in checked))
    pod, adv_port, bind_port = checked[0]
    moved = copy.deepcopy(services)
    for s in moved:
        if (s["spec"].get("selector") or {}).get("statefulset.kubernetes.io/pod-name") == pod:
            for p in s["spec"]["ports"]:
                p["nodePort"] = p.get("nodePort", 0) + 1
    if problems_of(moved, pod, adv_port, bind_port):
        print("      self-check: a nodePort moved by one is refused")
    else:
        print("FAIL  self-check: a moved nodePort passed: the check cannot fail")
        problems.append("self-check")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
