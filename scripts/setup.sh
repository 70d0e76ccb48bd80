#!/usr/bin/env bash
# Installs what tkube needs on a fresh Debian machine and builds the project.
# Idempotent: each step is skipped when its result is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# Debian packages, keyed by a file each one installs.
declare -A NEED=(
  [etcd-server]=/usr/bin/etcd
  [runc]=/usr/sbin/runc
  [crun]=/usr/bin/crun
  [conmon]=/usr/bin/conmon
  [catatonit]=/usr/bin/catatonit
  [containernetworking-plugins]=/usr/lib/cni/bridge
  [iptables]=/usr/sbin/iptables
  [iproute2]=/usr/sbin/ip
  [docker-registry]=/usr/bin/docker-registry
  [busybox-static]=/bin/busybox
  [skopeo]=/usr/bin/skopeo
  [kubernetes-client]=/usr/bin/kubectl
)
missing=()
for pkg in "${!NEED[@]}"; do
  [ -e "${NEED[$pkg]}" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]}"
    log "run as root: apt-get update && apt-get install -y ${missing[*]}"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's etcd-server and docker-registry packages start system services we do not use.
for svc in etcd docker-registry; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" >/dev/null 2>&1 || true
  fi
done

# npm dependencies: reinstall when package-lock.json is newer than the installed tree.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Build only when a source or config changed since the last build (a warm `npm start`
# then spends no time in tsc).
STAMP=dist/.build-stamp
if [ ! -f "$STAMP" ] || [ -n "$(find . \( -name node_modules -o -name dist -o -name .git \) -prune -o \
      \( -name '*.ts' -o -name 'tsconfig*.json' -o -name package-lock.json \) -newer "$STAMP" -print -quit)" ]; then
  log "building (tsc)"
  mkdir -p dist && touch "$STAMP.next"
  npx tsc -p tsconfig.build.json
  mv "$STAMP.next" "$STAMP" # stamped with the build's start: an edit during the build triggers the next one
else
  log "build is up to date"
fi
