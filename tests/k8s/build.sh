#!/usr/bin/env bash
# Builds the binaries of a real Kubernetes control plane and node from the Go
# module proxy (no release download exists here): kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet, kube-proxy and kubectl of
# one release, etcd (its server module, already in kubernetes' dependency
# graph), CoreDNS (cluster DNS) and chainsaw (the test runner). Output:
# $K8S_CACHE/bin-<release>/, reused while it exists; Go's module and build
# caches make a rebuild after a change cheap.
#
# k8s.io/kubernetes points its k8s.io/* staging modules at ./staging/...,
# which a dependent module ignores: a throwaway module requires it and
# replaces each staging module with its published twin of the same release
# (v1.X.Y <-> v0.X.Y), read from kubernetes' own go.mod, not a hand list.
# Usage: tests/k8s/build.sh [release]   (default 1.37.2)
#        tests/k8s/build.sh --control-plane RELEASE: only etcd, kube-apiserver,
#        kube-controller-manager and kubectl (an older release's API checks,
#        tests/k8s/old-release.sh), in $K8S_CACHE/bin-<release>-cp/.
set -euo pipefail
cmds=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
extras=(coredns chainsaw)
suffix=
if [ "${1:-}" = --control-plane ]; then
  shift; cmds=(kube-apiserver kube-controller-manager kubectl); extras=(); suffix=-cp
fi
release=${1:-1.37.2}
twin=0.${release#1.}
coredns=v1.14.7
chainsaw=v0.2.12
cache=${K8S_CACHE:-$HOME/.cache/kafka-init-k8s}
out=$cache/bin-$release$suffix
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin" CGO_ENABLED=0 GOFLAGS=-buildvcs=false
want=("${cmds[@]}" etcd "${extras[@]}")
have=1; for b in "${want[@]}"; do [ -x "$out/$b" ] || have=0; done
if [ "$have" = 1 ]; then echo "kubernetes $release: cached in $out"; exit 0; fi

src=$cache/src-$release$suffix
rm -rf "$src"; mkdir -p "$src/etcd" "$out"
cd "$src"
go mod init kafka-init.test/k8s >/dev/null 2>&1
go mod edit -require="k8s.io/kubernetes@v$release"
kgomod=$(go mod download -json "k8s.io/kubernetes@v$release" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
staging=$(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$kgomod" | sort -u)
[ -n "$staging" ] || { echo "no staging replaces found in $kgomod" >&2; exit 1; }
for m in $staging; do go mod edit -replace="$m=$m@v$twin"; done
echo "kubernetes $release: $(wc -w <<<"$staging") staging modules replaced by their v$twin twins"
# The commands, kept in the module's graph by a tools file (never compiled).
{ echo '//go:build tools'; echo; echo 'package tools'; echo; echo 'import ('
  for c in "${cmds[@]}"; do
    echo "	_ \"k8s.io/kubernetes/cmd/$c\""; done; echo ')'; } > tools.go
cat > etcd/main.go <<'GO'
// A real etcd: the server module's own entry point.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
go mod tidy >/dev/null
v=k8s.io/component-base/version
ldflags="-s -w -X $v.gitVersion=v$release -X $v.gitMajor=${release%%.*} -X $v.gitMinor=$(cut -d. -f2 <<<"$release") -X $v.gitTreeState=clean"
ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=v$release"
start=$(date +%s)
go build -trimpath -ldflags "$ldflags" -o "$out/" "${cmds[@]/#/k8s.io/kubernetes/cmd/}" ./etcd
echo "kubernetes $release: ${cmds[*]} and etcd built in $(( $(date +%s) - start ))s"
[ "${#extras[@]}" -gt 0 ] || exit 0
# CoreDNS and chainsaw are their own modules, installed as published.
start=$(date +%s)
GOBIN="$out" go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$coredns"
# chainsaw v0.2.12 (the newest served) hands testing.MainStart a TestDeps
# without the ModulePath method Go 1.26 asks for: it builds with the Go
# toolchain of its time, which the module proxy serves as a module.
GOTOOLCHAIN=go1.24.13 GOBIN="$out" go install -trimpath -ldflags "-s -w" "github.com/kyverno/chainsaw@$chainsaw"
echo "coredns $coredns, chainsaw $chainsaw: built in $(( $(date +%s) - start ))s"
ls -la "$out"
