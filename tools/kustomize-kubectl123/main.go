// kustomize as kubectl 1.23 embeds it (sigs.k8s.io/kustomize/api v0.10.1, the
// library of kustomize v4.4.1): builds a kustomization and prints the YAML.
// scripts/check-manifests.sh renders every overlay with it and with kustomize
// v5, and requires the same objects from both, so the manifests work with
// `kubectl apply -k` on the seed cluster's 1.23 control plane.
package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

func main() {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	y, err := m.AsYaml()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(y)
}
