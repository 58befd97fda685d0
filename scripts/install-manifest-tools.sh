#!/usr/bin/env bash
# Installs the tools scripts/check-manifests.sh and scripts/pod-env.sh use, into
# target/tools (project-local, nothing global):
#   target/tools/bin/kustomize   kustomize v5, built with `go install`
#   target/tools/bin/kustomize-kubectl123   kustomize as kubectl 1.23 embeds it
#                                (tools/kustomize-kubectl123, built with go build)
#   target/tools/venv            kubernetes-validate, checkov and PyYAML (pip)
# Idempotent: a tool already present at the pinned version is left alone.
# Prints the directory of the tools' binaries on its last line of output.
set -euo pipefail

KUSTOMIZE_VERSION=v5.8.1
KUBERNETES_VALIDATE_VERSION=1.37.0
CHECKOV_VERSION=3.3.30
PYYAML_VERSION=6.0.3

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/target/tools"
mkdir -p "$tools/bin"

if "$tools/bin/kustomize" version 2>/dev/null | grep -qx "$KUSTOMIZE_VERSION"; then
  echo "kustomize $KUSTOMIZE_VERSION: present" >&2
else
  echo "kustomize $KUSTOMIZE_VERSION: installing with go install" >&2
  GOBIN="$tools/bin" CGO_ENABLED=0 go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
fi

# kubectl 1.23's kustomize (api v0.10.1) cannot be `go install`ed (its module
# has replace directives), so a three-line main in tools/ links the library.
if [ -x "$tools/bin/kustomize-kubectl123" ] && [ "$tools/bin/kustomize-kubectl123" -nt "$root/tools/kustomize-kubectl123/go.sum" ]; then
  echo "kustomize-kubectl123: present" >&2
else
  echo "kustomize-kubectl123: building" >&2
  (cd "$root/tools/kustomize-kubectl123" && CGO_ENABLED=0 go build -o "$tools/bin/kustomize-kubectl123" .)
fi

venv="$tools/venv"
want="kubernetes-validate==$KUBERNETES_VALIDATE_VERSION checkov==$CHECKOV_VERSION PyYAML==$PYYAML_VERSION"
if [ -f "$venv/.installed" ] && [ "$(cat "$venv/.installed")" = "$want" ]; then
  echo "python tools ($want): present" >&2
else
  echo "python tools ($want): installing into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check $want
  echo "$want" > "$venv/.installed"
fi

echo "$tools/bin:$venv/bin"
