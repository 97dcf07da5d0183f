//go:build tools

// Package tools pins go.etcd.io/etcd/server/v3 v3.6.8 so that scripts/install-tools.sh can build etcd.
package tools

import _ "go.etcd.io/etcd/server/v3"
