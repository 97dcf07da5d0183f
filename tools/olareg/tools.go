//go:build tools

// Package tools pins github.com/olareg/olareg v0.1.2 so that scripts/install-tools.sh can build olareg.
package tools

import _ "github.com/olareg/olareg/cmd/olareg"
