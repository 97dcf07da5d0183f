//go:build tools

// Package tools pins github.com/open-policy-agent/opa v1.22.3 so that scripts/install-tools.sh can build opa.
package tools

import _ "github.com/open-policy-agent/opa"
