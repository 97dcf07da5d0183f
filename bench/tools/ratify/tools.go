//go:build tools

// Package tools pins github.com/ratify-project/ratify v1.4.0 so that bench/tools/build-ratify.sh
// can build the ratify server for bench/side-by-side.ts. Benchmark-only: not in tools/versions.txt.
package tools

import _ "github.com/ratify-project/ratify/cmd/ratify"
