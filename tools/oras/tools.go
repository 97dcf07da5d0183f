//go:build tools

// Package tools pins oras.land/oras v1.3.6 so that scripts/install-tools.sh can build oras.
package tools

import _ "oras.land/oras/cmd/oras"
