//go:build tools

// Package tools pins github.com/anchore/syft v1.57.1 so that scripts/install-tools.sh can build syft.
package tools

import _ "github.com/anchore/syft/cmd/syft"
