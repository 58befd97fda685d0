#!/usr/bin/env bash
# Step 11: broken manifests fail here with the cluster's own message.
#  (a) an immutable StatefulSet field changed: the API server refuses the
#      apply (server-side dry run: nothing changes);
#  (b) the Kafka container without group 0 (the Bitnami image writes its
#      config dir, root:root 0775, at start): the pod never runs Kafka, and
#      the container's own message says why.
. "$(dirname "$0")/lib.sh"
cd "$REPO"
overlay=${MOVE_OVERLAY:-k8s/overlays/zookeeper}
kubectl kustomize "$overlay" > "$OUT/move.yaml"
python3 "$STORY/sts_field.py" "$OUT/move.yaml" podManagementPolicy '"Parallel"' > "$OUT/immutable-changed.yaml"
if out=$(kubectl apply --dry-run=server -f "$OUT/immutable-changed.yaml" 2>&1); then
  echo "$out"; check "the API server refuses a changed podManagementPolicy" false
fi
echo "$out"
check "the API server refuses a changed podManagementPolicy, in its own words" grep -Eq 'immutable|Forbidden' <<<"$out"

python3 - "$OUT/move.yaml" > "$OUT/no-group.yaml" <<'PY'
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "StatefulSet":
        t = d["spec"]["template"]
        spec = t["spec"]
        spec["securityContext"].pop("supplementalGroups", None)
        spec["volumes"].append({"name": "kafka-data", "emptyDir": {}})
        spec["restartPolicy"] = "Never"
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "kafka-9", "namespace": "kafka", "labels": {"test": "no-group"}},
               "spec": spec}
        print(yaml.safe_dump(pod))
PY
kubectl apply -f "$OUT/no-group.yaml"
deadline=$(( $(date +%s) + 240 ))
until phase=$(kk get pod kafka-9 -o jsonpath='{.status.phase}') && [ "$phase" = Failed -o "$phase" = Succeeded ]; do
  [ "$(date +%s)" -lt "$deadline" ] || break
  sleep 2
done
kk logs kafka-9 -c kafka --tail 20 > "$OUT/no-group.log" 2>&1 || true
cat "$OUT/no-group.log"
check "without group 0 the Kafka container fails (phase $phase)" [ "$phase" = Failed ]
check "and says it cannot write where the image writes at start" grep -Eqi 'permission denied|not writable|cannot write' "$OUT/no-group.log"
kk delete pod kafka-9 --wait=false >/dev/null
