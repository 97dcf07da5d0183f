//go:build tools

// Package tools pins github.com/sigstore/cosign/v3 v3.1.3 so that scripts/install-tools.sh can
// build it as `cosign3`, beside cosign v2 (tools/cosign), which stays for the v2-only formats
// (legacy .sig/.att tags written by default) the tests still exercise.
package tools

import _ "github.com/sigstore/cosign/v3/cmd/cosign"
