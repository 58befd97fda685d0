"""What kafka-init plans for one pod of a rendered overlay: the pod's
environment as the manifests give it (scripts/pod-env.sh), then
`kafka-init plan --format json`. Shared by the checks that read a plan."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Any valid KRaft cluster id: the checks' answers do not depend on it.
PLACEHOLDER_CLUSTER_ID = "PS4Cue3C_48KyLelRtKt1w"


def plan(binary, overlay, sts, pod, *pod_env_args, offline=False):
    lines = subprocess.run([os.path.join(ROOT, "scripts/pod-env.sh"), overlay, sts, pod, *pod_env_args],
                           check=True, capture_output=True, text=True).stdout.splitlines()
    env = dict(line.split("=", 1) for line in lines)
    env["PATH"] = "/usr/bin:/bin"
    if env.get("KAFKA_INIT_MIGRATION"):
        # A migrating controller reads the cluster id from ZooKeeper, a
        # migrated node from its volume's meta.properties; neither is here.
        env.setdefault("KAFKA_INIT_CLUSTER_ID", PLACEHOLDER_CLUSTER_ID)
    args = [binary, "plan", "--format", "json", "--pod", pod] + (["--offline"] if offline else [])
    out = subprocess.run(args, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"kafka-init plan for {pod} failed ({out.returncode}): {out.stderr}")
    return json.loads(out.stdout)
