//go:build tools

// Package tools pins helm.sh/helm/v4 v4.3.2 so that scripts/install-tools.sh can build `helm`,
// which the chart tests run for real (`helm lint --strict`, `helm template`, schema rejection).
package tools

import _ "helm.sh/helm/v4/cmd/helm"
