//go:build tools

// Package tools pins github.com/notaryproject/notation v1.3.2 so that scripts/install-tools.sh can build notation.
package tools

import _ "github.com/notaryproject/notation/cmd/notation"
