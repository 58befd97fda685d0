#!/usr/bin/env bash
# The manifests against the API of the oldest Kubernetes release whose
# sources build here (default 1.24.17; the user runs 1.23, whose sources lack
# the generated OpenAPI file: docs/internals/real-kubernetes.md). A real
# etcd, kube-apiserver and kube-controller-manager of that release (no
# kubelet: no pod runs), its kubectl and kubectl's own kustomize, in a
# network namespace of their own that nothing outside can reach. It shows
# what that API server and StatefulSet controller say about our manifests:
#   - every overlay, created fresh (server-side dry run), is accepted;
#   - the seed's ka-pv.yaml and ka-ss.yaml are accepted, its ka-np.yaml is
#     refused (NodePort with clusterIP None), as on 1.37;
#   - every overlay meant for the running cluster, applied over the seed's
#     objects (server-side dry run), is accepted: no immutable field moved;
#     one with podManagementPolicy changed is refused in the API's words;
#   - the README's move, `kubectl apply -k k8s/overlays/zookeeper`, really
#     applied: the same StatefulSet object (uid), a new revision the
#     StatefulSet controller takes as the update to roll;
#   - the move's undo (the user's ka-ss.yaml applied again), server-side dry run.
# Needs root and ../shared (the seed). Usage: tests/k8s/old-release.sh
# Prints PASS/FAIL lines and a last line `N passed, N failed`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
release=${K8S_OLD_RELEASE:-1.24.17}
cache=${K8S_CACHE:-$HOME/.cache/kafka-init-k8s}
bin=$cache/bin-$release-cp
state=${K8S_OLD_STATE:-/var/lib/kafka-init-k8s-old}
out=${K8S_OUT:-$repo/target/k8s-run}/old-release
ns=kik8s-old ip=10.233.0.2
[ "$(id -u)" -eq 0 ] || { echo "tests/k8s/old-release.sh needs root" >&2; exit 1; }
"$here/build.sh" --control-plane "$release"

passed=0 failed=0
check() { # check WHAT CMD...: PASS or FAIL, and go on (all results at the end)
  local what=$1; shift
  if "$@"; then echo "PASS  $what"; passed=$((passed + 1)); else echo "FAIL  $what"; failed=$((failed + 1)); fi
}
# accepts LOG FILE: the API server takes FILE (server-side dry run, and
# kubectl's own validation against the server's OpenAPI: an unknown field is
# an error); what it said is in $out/LOG.log, and printed if it refused.
accepts() {
  k apply --dry-run=server -f "$2" -o name > "$out/$1.log" 2>&1 || { cat "$out/$1.log"; return 1; }
}
in_ns() { nsenter --net="/run/netns/$ns" -- "$@"; }
k() { in_ns "$bin/kubectl" --kubeconfig "$state/admin.kubeconfig" "$@"; }
down() {
  for p in kube-controller-manager kube-apiserver etcd; do
    [ -f "$state/$p.pid" ] && kill "$(cat "$state/$p.pid")" 2>/dev/null || true
  done
  sleep 1
  ip netns delete "$ns" 2>/dev/null || true
}
start() { # start NAME CMD...: in the namespace, its log in $out/NAME.log
  local name=$1; shift
  # nsenter itself in the background, not the in_ns function: a function
  # runs in a subshell whose pid $! would be, and killing that subshell at
  # `down` left the server running (an etcd, an API server and a controller
  # manager outlived a run, taking CPU from the next stages).
  nsenter --net="/run/netns/$ns" -- "$@" > "$out/$name.log" 2>&1 &
  echo $! > "$state/$name.pid"
}
wait_for() { # wait_for SECONDS WHAT CMD...
  local deadline=$(( $(date +%s) + $1 )) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "timed out: $what" >&2; tail -n 20 "$out"/*.log >&2; return 1; }
    sleep 1
  done
}

ip netns list | grep -qw "$ns" && down
rm -rf "$state" "$out"; mkdir -p "$state/etcd" "$state/certs" "$out"; chmod 700 "$state"
trap down EXIT
# One address that only this namespace has (a veth pair with both ends in
# it, no route out): the API server advertises it (a loopback address
# cannot be an endpoint; this kernel has no dummy links).
ip netns add "$ns"
in_ns ip link set lo up
in_ns ip link add o0 type veth peer name o1
in_ns ip addr add "$ip/24" dev o0
in_ns ip link set o0 up
in_ns ip link set o1 up
openssl genrsa -out "$state/sa.key" 2048 2>/dev/null && openssl rsa -in "$state/sa.key" -pubout -out "$state/sa.pub" 2>/dev/null
token=$(openssl rand -hex 16)
echo "$token,admin,admin,system:masters" > "$state/tokens.csv"
cat > "$state/admin.kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters: [{name: old, cluster: {server: "https://$ip:6443", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: $token}}]
contexts: [{name: old, context: {cluster: old, user: admin}}]
current-context: old
YAML

start etcd "$bin/etcd" --data-dir "$state/etcd" --listen-client-urls http://127.0.0.1:2379 \
  --advertise-client-urls http://127.0.0.1:2379 --listen-peer-urls http://127.0.0.1:2380 --unsafe-no-fsync
wait_for 60 "etcd healthy" in_ns curl -sf http://127.0.0.1:2379/health
start kube-apiserver "$bin/kube-apiserver" --etcd-servers http://127.0.0.1:2379 \
  --advertise-address "$ip" --bind-address "$ip" --secure-port 6443 --cert-dir "$state/certs" \
  --service-cluster-ip-range 10.97.0.0/16 --allow-privileged=true \
  --token-auth-file "$state/tokens.csv" --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$state/sa.pub" --service-account-signing-key-file "$state/sa.key"
wait_for 120 "kube-apiserver $release ready" k get --raw /readyz
start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$state/admin.kubeconfig" \
  --leader-elect=false --service-account-private-key-file "$state/sa.key" \
  --bind-address 127.0.0.1 --secure-port 0
echo "kubernetes $release: etcd, kube-apiserver, kube-controller-manager up; kubectl $(k version --client --short 2>/dev/null | sed -n 's/Client Version: //p')"
k create namespace kafka --save-config >/dev/null && k create namespace zk --save-config >/dev/null
wait_for 60 "the default service account in kafka" k -n kafka get serviceaccount default

# kubectl's own kustomize of this release renders each overlay.
overlays=$(cd "$repo/k8s/overlays" && ls -d */ | tr -d /)
in_place="zookeeper external migration apache-zookeeper apache-external apache-migration apache-migration-external apache-kafka4 apache-kafka4-external confluent-zookeeper"
for o in $overlays; do
  k kustomize "$repo/k8s/overlays/$o" > "$out/$o.yaml"
  check "$o: created fresh, the $release API server accepts it (server-side dry run)" \
    accepts "$o.fresh" "$out/$o.yaml"
done

"$repo/tests/k8s/story/seed.sh" "$state" > "$out/seed.yaml"
check "the seed's ka-pv.yaml and ka-ss.yaml applied" k apply -f "$out/seed.yaml"
np_out=$(k apply --dry-run=server -f "$repo/../shared/reference/seed-deployment/ka-np.yaml" 2>&1 || true)
echo "$np_out"
check "the seed's ka-np.yaml is refused: a NodePort Service cannot have clusterIP None" grep -q 'clusterIP' <<<"$np_out"
has_rev() { [ -n "$(k -n kafka get sts kafka -o jsonpath='{.status.currentRevision}')" ]; }
wait_for 60 "the seed's StatefulSet has a revision" has_rev
uid=$(k -n kafka get sts kafka -o jsonpath='{.metadata.uid}')
seed_rev=$(k -n kafka get sts kafka -o jsonpath='{.status.currentRevision}')

for o in $in_place; do
  check "$o: over the seed's running objects, the $release API server accepts it (server-side dry run)" \
    accepts "$o.in-place" "$out/$o.yaml"
done
# The checks above can fail: the move's StatefulSet with one field changed.
broken() { python3 "$repo/tests/k8s/story/sts_field.py" "$out/zookeeper.yaml" "$@"; } # broken FIELD VALUE(JSON)
broken podManagementPolicy '"Parallel"' > "$out/immutable-changed.yaml"
bad=$(k apply --dry-run=server -f "$out/immutable-changed.yaml" 2>&1 || true)
echo "$bad"
check "a changed podManagementPolicy is refused, in the $release API server's words" grep -q 'Forbidden: updates to statefulset spec for fields other than' <<<"$bad"
# spec.ordinals came in 1.26: a field this API does not know is an error,
# not silently dropped.
broken ordinals '{"start": 0}' > "$out/unknown-field.yaml"
bad=$(k apply --dry-run=server -f "$out/unknown-field.yaml" 2>&1 || true)
echo "$bad"
check "a field the $release API does not have (spec.ordinals) is refused, not dropped" grep -q 'unknown field "ordinals"' <<<"$bad"

# The README's move command, for real (from the repository's root, as written).
(cd "$repo" && k apply -k k8s/overlays/zookeeper) > "$out/move.log" 2>&1 || true
cat "$out/move.log"
check "the move, kubectl apply -k k8s/overlays/zookeeper, is accepted" grep -q 'statefulset.apps/kafka configured' "$out/move.log"
check "the StatefulSet is the seed's own object (uid $uid)" [ "$(k -n kafka get sts kafka -o jsonpath='{.metadata.uid}')" = "$uid" ]
new_rev() { r=$(k -n kafka get sts kafka -o jsonpath='{.status.updateRevision}') && [ -n "$r" ] && [ "$r" != "$seed_rev" ]; }
wait_for 60 "the StatefulSet controller's new revision" new_rev || true
check "the $release StatefulSet controller takes the new template as the update to roll ($seed_rev -> $(k -n kafka get sts kafka -o jsonpath='{.status.updateRevision}'))" new_rev
check "the move's undo (the user's ka-ss.yaml again) is accepted (server-side dry run)" \
  accepts undo "$state/ka-ss.yaml"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
