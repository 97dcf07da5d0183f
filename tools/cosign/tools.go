//go:build tools

// Package tools pins github.com/sigstore/cosign/v2 v2.6.5 so that scripts/install-tools.sh can build cosign.
package tools

import _ "github.com/sigstore/cosign/v2/cmd/cosign"
