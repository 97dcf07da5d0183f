//go:build tools

// Package tools pins github.com/google/go-containerregistry v0.22.1 so that scripts/install-tools.sh can build crane.
package tools

import _ "github.com/google/go-containerregistry/cmd/crane"
