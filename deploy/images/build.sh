#!/usr/bin/env bash
# Build tkube's own images from host files, as OCI image layout archives:
#   pause.tar    tkube/pause:3.10    catatonit as /pause, entrypoint ["/pause", "-P"]
#   busybox.tar  tkube/busybox:1.36  static busybox with its applet links, /etc/passwd, /tmp; cmd ["sh"]
# Usage: deploy/images/build.sh [outdir]      (default $TKUBE_HOME/images, TKUBE_HOME=~/.tkube)
# Idempotent: an archive newer than all of its inputs is left alone.
# Layers are reproducible (sorted entries, mtime 0, numeric root ownership), so the
# same host binaries always give the same image ids.
set -euo pipefail

TKUBE_HOME="${TKUBE_HOME:-$HOME/.tkube}"
OUT="${1:-$TKUBE_HOME/images}"
SELF="$(readlink -f "${BASH_SOURCE[0]}")"
BUSYBOX="$(readlink -f "${BUSYBOX:-/bin/busybox}")"
CATATONIT="$(readlink -f "${CATATONIT:-/usr/bin/catatonit}")"
PATH_ENV='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

mkdir -p "$OUT"
WORK="$(mktemp -d "$OUT/.tkube-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

up_to_date() { # archive inputs...
  local out="$1"; shift
  [[ -f "$out" ]] || return 1
  local in
  for in in "$@"; do [[ "$out" -nt "$in" ]] || return 1; done
}

digest_of() { sha256sum "$1" | cut -d' ' -f1; }
size_of() { stat -c %s "$1"; }

json_array() { # values... → ["a","b"] (values must not need escaping beyond quotes)
  local out='' v
  for v in "$@"; do out+="${out:+,}\"${v//\"/\\\"}\""; done
  printf '[%s]' "$out"
}

# write_image <rootfs> <archive> <name e.g. tkube/busybox:1.36> <config-json-fragment>
write_image() {
  local rootfs="$1" archive="$2" name="$3" cfg="$4"
  local layout="$WORK/layout-$(basename "$archive" .tar)"
  mkdir -p "$layout/blobs/sha256"

  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -C "$rootfs" -cf "$WORK/layer.tar" .
  local diff_id; diff_id="$(digest_of "$WORK/layer.tar")"
  gzip -n -6 "$WORK/layer.tar"
  local layer_digest layer_size
  layer_digest="$(digest_of "$WORK/layer.tar.gz")"; layer_size="$(size_of "$WORK/layer.tar.gz")"
  mv "$WORK/layer.tar.gz" "$layout/blobs/sha256/$layer_digest"

  printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$cfg" "$diff_id" > "$WORK/config.json"
  local config_digest config_size
  config_digest="$(digest_of "$WORK/config.json")"; config_size="$(size_of "$WORK/config.json")"
  mv "$WORK/config.json" "$layout/blobs/sha256/$config_digest"

  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config_digest" "$config_size" "$layer_digest" "$layer_size" > "$WORK/manifest.json"
  local manifest_digest manifest_size
  manifest_digest="$(digest_of "$WORK/manifest.json")"; manifest_size="$(size_of "$WORK/manifest.json")"
  mv "$WORK/manifest.json" "$layout/blobs/sha256/$manifest_digest"

  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"%s","io.containerd.image.name":"docker.io/%s"}}]}' \
    "$manifest_digest" "$manifest_size" "$name" "$name" > "$layout/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"

  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$layout" -cf "$WORK/archive.tar" oci-layout index.json blobs
  mv "$WORK/archive.tar" "$archive" # atomic: a reader never sees half an archive
  echo "built $archive ($name, sha256:$config_digest)"
}

build_pause() {
  local out="$OUT/pause.tar"
  if up_to_date "$out" "$SELF" "$CATATONIT"; then echo "up to date: $out"; return; fi
  local root="$WORK/pause-rootfs"
  mkdir -p "$root"
  install -m 0755 "$CATATONIT" "$root/pause"
  write_image "$root" "$out" tkube/pause:3.10 \
    "{\"Entrypoint\":$(json_array /pause -P),\"Env\":$(json_array "$PATH_ENV"),\"WorkingDir\":\"/\",\"Labels\":{\"io.tkube.image\":\"pause\"}}"
}

build_busybox() {
  local out="$OUT/busybox.tar"
  if up_to_date "$out" "$SELF" "$BUSYBOX"; then echo "up to date: $out"; return; fi
  local root="$WORK/busybox-rootfs"
  mkdir -p "$root"/{bin,etc,dev,proc,sys,root,home,var/www,usr/bin,usr/sbin,sbin}
  install -d -m 1777 "$root/tmp"
  chmod 0700 "$root/root"
  install -m 0755 "$BUSYBOX" "$root/bin/busybox"
  local applet
  for applet in $("$BUSYBOX" --list); do
    [[ "$applet" == busybox || "$applet" == *'/'* ]] && continue
    ln -s busybox "$root/bin/$applet"
  done
  cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
  cat > "$root/etc/group" <<'GROUP'
root:x:0:
nobody:x:65534:
GROUP
  chmod 0644 "$root/etc/passwd" "$root/etc/group"
  write_image "$root" "$out" tkube/busybox:1.36 \
    "{\"Cmd\":$(json_array sh),\"Env\":$(json_array "$PATH_ENV"),\"Labels\":{\"io.tkube.image\":\"busybox\"}}"
}

build_pause
build_busybox
