//go:build tools

// Package tools pins k8s.io/kubernetes v1.34.4 so that scripts/install-tools.sh can build kube-apiserver.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
