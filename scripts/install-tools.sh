#!/usr/bin/env bash
# Builds the pinned Go tools the tests run for real (registries, oras, notation, cosign, opa,
# syft, etcd, kube-apiserver) and installs the Debian packages they need (redis, openssl, crun —
# the OCI runtime the image e2e runs Portcullis's own image under, docs/image.md).
#
# Each tool is pinned by tools/<name>/go.mod + go.sum and listed in tools/versions.txt.
# Builds are cached by name and version under ${PORTCULLIS_CACHE:-~/.cache/portcullis}/tools,
# outside the clone, so a fresh clone (CI) reuses them. Idempotent: a tool already built is
# skipped. Links every binary into .tools/bin of the project.
#
#   scripts/install-tools.sh            every tool
#   scripts/install-tools.sh opa oras   only these
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# go needs HOME for its module and build caches; a bare CI environment may not set it.
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"; export HOME
cache=${PORTCULLIS_CACHE:-${HOME:-/root}/.cache/portcullis}
bin="$root/.tools/bin"
mkdir -p "$bin" "$cache/tools"

apt_packages=(redis-server openssl apache2-utils crun)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-tools: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# redis-server is started by the tests themselves, never as a system service.
ln -sf "$(command -v redis-server)" "$bin/redis-server"

# A Debian package's files unpacked into the cache (never installed: no maintainer script,
# no service, no binfmt registration), at the version apt offers; prints the folder.
#   unpack_deb PACKAGE FILE-THAT-MUST-EXIST [PATH-IN-DEB]  (PATH-IN-DEB: extract only that)
unpack_deb() {
  local pkg=$1 check=$2 only=${3:-}
  local ver; ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
  if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
  fi
  if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then echo "install-tools: apt has no $pkg package" >&2; return 1; fi
  local dir="$cache/tools/$pkg-${ver//[^A-Za-z0-9.+-]/_}"
  if [ ! -x "$dir/$check" ]; then
    echo "install-tools: unpacking Debian $pkg $ver (cached at $dir)" >&2
    local tmp; tmp=$(mktemp -d); chmod 755 "$tmp" # apt's _apt user downloads into it
    (cd "$tmp" && apt-get download -qq "$pkg=$ver" >/dev/null) || { rm -rf "$tmp"; return 1; }
    mkdir -p "$dir"
    if [ -n "$only" ]; then dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$dir" "./$only"; else dpkg-deb -x "$tmp"/*.deb "$dir"; fi
    rm -rf "$tmp"
  fi
  echo "$dir"
}

# Prometheus + promtool (the real-Prometheus dashboard test and `promtool test rules`): the
# Debian package's binaries, unpacked instead of installed, because installing it enables a
# system service listening on 0.0.0.0:9090. See docs/dependencies.md for why not a Go build.
install_prometheus() {
  local dir; dir=$(unpack_deb prometheus usr/bin/promtool) || return 1
  ln -sf "$dir/usr/bin/prometheus" "$bin/prometheus"
  ln -sf "$dir/usr/bin/promtool" "$bin/promtool"
}

# qemu-aarch64-static (the arm64 image's node and CLI run by the image test, docs/image.md):
# only that one binary of Debian's qemu-user-static, unpacked, because installing the package
# registers binfmt handlers in the host kernel.
install_qemu_aarch64() {
  local dir; dir=$(unpack_deb qemu-user-static usr/bin/qemu-aarch64-static usr/bin/qemu-aarch64-static) || return 1
  ln -sf "$dir/usr/bin/qemu-aarch64-static" "$bin/qemu-aarch64-static"
}

wanted=("$@")
build_one() {
  local name=$1 mod=$2 ver=$3 pkg=$4 exe=$5
  local dest="$cache/tools/$name-$ver/$exe"
  if [ ! -x "$dest" ]; then
    echo "install-tools: building $name $ver (cached at $dest)" >&2
    local log; log=$(mktemp)
    if ! (cd "$root/tools/$name" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' -o "$dest.tmp" "$pkg") >"$log" 2>&1; then
      echo "install-tools: building $name failed:" >&2; tail -n 30 "$log" >&2; rm -f "$log"; return 1
    fi
    rm -f "$log"
    # `go build -o` of a package that is not `main` writes an archive, not a program.
    if [ "$(head -c 4 "$dest.tmp" | od -An -c | tr -d ' ')" != '177ELF' ]; then
      echo "install-tools: $pkg did not build an executable" >&2; rm -f "$dest.tmp"; return 1
    fi
    mv "$dest.tmp" "$dest"
  fi
  ln -sf "$dest" "$bin/$exe"
}

status=0
if [ ${#wanted[@]} -eq 0 ] || [[ " ${wanted[*]} " == *" prometheus "* ]]; then install_prometheus || status=1; fi
if [ ${#wanted[@]} -eq 0 ] || [[ " ${wanted[*]} " == *" qemu-aarch64-static "* ]]; then install_qemu_aarch64 || status=1; fi
while read -r name mod ver pkg exe; do
  case "$name" in ''|'#'*) continue ;; esac
  if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " == *" $name "* ]]; then continue; fi
  build_one "$name" "$mod" "$ver" "$pkg" "$exe" || status=1
done < "$root/tools/versions.txt"
exit $status
