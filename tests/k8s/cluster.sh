#!/usr/bin/env bash
# A real one-node Kubernetes for the real-cluster test, on this machine only:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd
# (Debian's) with runc and the CNI bridge, a kubelet, kube-proxy and CoreDNS
# (cluster DNS, with its kubernetes plugin). Everything runs inside one
# network namespace (kik8s) that has no route out: the only link is a veth to
# the host (host 10.232.0.1, node 10.232.0.2), which is how kubectl, chainsaw
# and the NodePort checks reach the node. Pods get 10.244.0.0/24 on a bridge
# inside that namespace; Services 10.96.0.0/16.
#
# Usage: tests/k8s/cluster.sh up | down | env
#   up    builds nothing (tests/k8s/build.sh, images.sh do), starts it all,
#         waits for the node to be Ready and DNS to answer; prints the env.
#   down  stops every process, container, mount and link it made, and puts
#         back the kernel settings the kubelet changes.
#   env   prints KUBECONFIG=... for the host.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
release=${K8S_RELEASE:-1.37.2}
cache=${K8S_CACHE:-$HOME/.cache/kafka-init-k8s}
bin=$cache/bin-$release
state=${K8S_STATE:-/var/lib/kafka-init-k8s}
ns=kik8s
host_ip=10.232.0.1 node_ip=10.232.0.2 node=node1
pod_cidr=10.244.0.0/24 svc_cidr=10.96.0.0/16 svc_api=10.96.0.1 dns_ip=10.232.0.2
# The kernel settings the kubelet rewrites (global, not per namespace).
kubelet_sysctls=(kernel.panic kernel.panic_on_oops vm.overcommit_memory kernel.keys.root_maxkeys kernel.keys.root_maxbytes)

log() { printf '[%s] cluster: %s\n' "$(date +%T)" "$*"; }
in_ns() { nsenter --net="/run/netns/$ns" -- "$@"; }
start() { # start NAME CMD...: in the namespace, logs in $state/log/NAME.log
  local name=$1; shift
  # nsenter execs the command: $! is the component's own pid.
  nsenter --net="/run/netns/$ns" -- "$@" > "$state/log/$name.log" 2>&1 &
  echo $! > "$state/pid/$name"
}
wait_until() { # wait_until SECONDS WHAT CMD...
  local deadline=$(( $(date +%s) + $1 )) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then log "timed out: $what"; return 1; fi
    sleep 1
  done
}

cert() { # cert NAME CN [O] [SANS]: a client/server certificate signed by the cluster CA
  local name=$1 cn=$2 o=${3:-} sans=${4:-}
  local subj="/CN=$cn"; [ -n "$o" ] && subj="/O=$o$subj"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$pki/$name.key" -subj "$subj" -out "$pki/$name.csr" 2>/dev/null
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"; [ -n "$sans" ] && echo "subjectAltName=$sans"; } > "$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 2 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
}
kubeconfig() { # kubeconfig NAME CERT: a kubeconfig for that client certificate
  local f=$state/$1.kubeconfig
  "$bin/kubectl" --kubeconfig "$f" config set-cluster kik8s --server "https://$node_ip:6443" \
    --certificate-authority "$pki/ca.crt" --embed-certs >/dev/null
  "$bin/kubectl" --kubeconfig "$f" config set-credentials "$2" --client-certificate "$pki/$2.crt" \
    --client-key "$pki/$2.key" --embed-certs >/dev/null
  "$bin/kubectl" --kubeconfig "$f" config set-context kik8s --cluster kik8s --user "$2" >/dev/null
  "$bin/kubectl" --kubeconfig "$f" config use-context kik8s >/dev/null
}

up() {
  [ -x "$bin/kube-apiserver" ] || { echo "no binaries in $bin: run tests/k8s/build.sh" >&2; exit 1; }
  if ip netns list | grep -qw "$ns"; then log "a cluster is up already: down first"; down; fi
  rm -rf "$state"; mkdir -p "$state"/{log,pid,pki,cni,etcd} && chmod 700 "$state"
  for s in "${kubelet_sysctls[@]}"; do echo "$s=$(sysctl -n "$s")"; done > "$state/sysctls"
  pki=$state/pki

  log "network: namespace $ns, node $node_ip, no route out"
  ip netns add "$ns"
  ip link add kik8s-host type veth peer name kik8s-node
  ip link set kik8s-node netns "$ns"
  ip addr add "$host_ip/24" dev kik8s-host && ip link set kik8s-host up
  ip -n "$ns" addr add "$node_ip/24" dev kik8s-node
  ip -n "$ns" link set kik8s-node up && ip -n "$ns" link set lo up
  in_ns sysctl -qw net.ipv4.ip_forward=1

  log "certificates"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 2 -subj /CN=kik8s-ca 2>/dev/null
  cert apiserver kube-apiserver "" "IP:$node_ip,IP:$svc_api,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert admin kubernetes-admin system:masters
  cert apiserver-kubelet kube-apiserver-kubelet-client system:masters
  cert controller-manager system:kube-controller-manager
  cert scheduler system:kube-scheduler
  cert kube-proxy system:kube-proxy
  cert kubelet "system:node:$node" system:nodes "IP:$node_ip,DNS:$node"
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null && openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  for c in admin controller-manager scheduler kube-proxy kubelet; do kubeconfig "$c" "$c"; done

  log "etcd"
  start etcd "$bin/etcd" --name kik8s --data-dir "$state/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster kik8s=http://127.0.0.1:2380 --unsafe-no-fsync
  wait_until 60 "etcd healthy" in_ns curl -sf http://127.0.0.1:2379/health

  log "kube-apiserver"
  start kube-apiserver "$bin/kube-apiserver" --etcd-servers http://127.0.0.1:2379 \
    --advertise-address "$node_ip" --bind-address 0.0.0.0 --secure-port 6443 \
    --service-cluster-ip-range "$svc_cidr" --allow-privileged=true \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" --authorization-mode Node,RBAC \
    --kubelet-client-certificate "$pki/apiserver-kubelet.crt" --kubelet-client-key "$pki/apiserver-kubelet.key" \
    --kubelet-preferred-address-types InternalIP \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --enable-admission-plugins NodeRestriction
  wait_until 120 "API server ready" "$bin/kubectl" --kubeconfig "$state/admin.kubeconfig" get --raw /readyz

  log "kube-controller-manager, kube-scheduler"
  start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$state/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$state/controller-manager.kubeconfig" --authorization-kubeconfig "$state/controller-manager.kubeconfig" \
    --leader-elect=false --use-service-account-credentials \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --service-cluster-ip-range "$svc_cidr" --bind-address 127.0.0.1
  start kube-scheduler "$bin/kube-scheduler" --kubeconfig "$state/scheduler.kubeconfig" \
    --authentication-kubeconfig "$state/scheduler.kubeconfig" --authorization-kubeconfig "$state/scheduler.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1

  log "containerd"
  cat > "$state/cni/10-kik8s.conflist" <<JSON
{"cniVersion": "0.4.0", "name": "kik8s", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$pod_cidr"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
JSON
  cat > "$state/containerd.toml" <<TOML
version = 2
root = "$state/containerd/root"
state = "$state/containerd/state"
[grpc]
  address = "$state/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/kik8s/pause:1"
  # Root here lacks CAP_SYS_RESOURCE: runc cannot set the negative OOM
  # score a pause container asks for.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$state/cni"
TOML
  start containerd containerd --config "$state/containerd.toml"
  wait_until 30 "containerd answers" ctr --address "$state/containerd.sock" version
  "$here/images.sh" import "$state/containerd.sock"

  log "kubelet"
  : > "$state/resolv.conf"
  cat > "$state/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This VM has cgroup v1, which the kubelet refuses unless told; containerd
# 1.6 cannot tell the kubelet its cgroup driver, so it is named here.
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$state/containerd.sock
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
clusterDomain: cluster.local
clusterDNS: [$dns_ip]
resolvConf: $state/resolv.conf
readOnlyPort: 0
failSwapOn: false
serializeImagePulls: false
containerLogMaxSize: 200Mi
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%}
tlsCertFile: $pki/kubelet.crt
tlsPrivateKeyFile: $pki/kubelet.key
YAML
  start kubelet "$bin/kubelet" --config "$state/kubelet.yaml" --kubeconfig "$state/kubelet.kubeconfig" \
    --hostname-override "$node" --node-ip "$node_ip" --root-dir "$state/kubelet"
  local k=("$bin/kubectl" --kubeconfig "$state/admin.kubeconfig")
  wait_until 120 "node $node Ready" sh -c "'$bin/kubectl' --kubeconfig '$state/admin.kubeconfig' get node $node -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"

  log "kube-proxy, CoreDNS"
  cat > "$state/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $state/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: $pod_cidr
hostnameOverride: $node
bindAddress: $node_ip
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
conntrack: {maxPerCore: 0}
# Replies from a pod to a pod behind a Service on the same bridge would skip
# the host's NAT (no br_netfilter here): masquerade all Service traffic.
iptables: {masqueradeAll: true}
YAML
  start kube-proxy "$bin/kube-proxy" --config "$state/kube-proxy.yaml"
  cat > "$state/Corefile" <<DNS
.:53 {
    bind $dns_ip
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $state/admin.kubeconfig kik8s
        pods insecure
        ttl 5
        fallthrough in-addr.arpa ip6.arpa
    }
}
DNS
  start coredns "$bin/coredns" -conf "$state/Corefile"
  wait_until 60 "CoreDNS listening on $dns_ip:53" sh -c "nsenter --net=/run/netns/$ns -- ss -lun | grep -q '$dns_ip:53 '"
  "${k[@]}" get nodes -o wide
  log "up: export KUBECONFIG=$state/admin.kubeconfig"
}

down() {
  log "down"
  for p in kube-proxy coredns kubelet kube-scheduler kube-controller-manager; do
    [ -f "$state/pid/$p" ] && kill "$(cat "$state/pid/$p")" 2>/dev/null || true
  done
  for p in containerd kube-apiserver etcd; do
    [ -f "$state/pid/$p" ] && kill "$(cat "$state/pid/$p")" 2>/dev/null || true
  done
  sleep 2
  # Every container process (the kubepods cgroups) and the shims, once
  # nothing can start another.
  local pids
  pids=$(grep -l kubepods /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3 || true)
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
  pkill -9 -f 'containerd-shim-runc-v2 -namespace k8s.io' 2>/dev/null || true
  pkill -9 -f "containerd --config $state/containerd.toml" 2>/dev/null || true
  pkill -9 -f "$bin/" 2>/dev/null || true
  sleep 1
  # Mounts the kubelet and containerd made (volumes, rootfs, netns handles).
  if [ -d "$state" ]; then
    awk -v s="$state" 'index($2, s) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  fi
  for n in $(ip netns list | awk '/^cni-/ {print $1}'); do ip netns delete "$n" 2>/dev/null || true; done
  ip netns delete "$ns" 2>/dev/null || true
  ip link delete kik8s-host 2>/dev/null || true
  # The pods' cgroups, deepest first.
  find /sys/fs/cgroup -depth -type d -path '*kubepods*' -exec rmdir {} + 2>/dev/null || true
  if [ -f "$state/sysctls" ]; then
    while IFS='=' read -r k v; do sysctl -qw "$k=$v" 2>/dev/null || true; done < "$state/sysctls"
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) echo "KUBECONFIG=$state/admin.kubeconfig" ;;
  *) echo "usage: $0 up|down|env" >&2; exit 64 ;;
esac
