//go:build tools

// Package tools pins github.com/distribution/distribution/v3 v3.1.2 so that scripts/install-tools.sh can build registry.
package tools

import _ "github.com/distribution/distribution/v3/cmd/registry"
