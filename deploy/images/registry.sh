#!/usr/bin/env bash
# A local image registry (Debian's docker-registry) for tkube clusters and tests.
#   deploy/images/registry.sh start        start it on 127.0.0.1:$TKUBE_REGISTRY_PORT (default 5000)
#   deploy/images/registry.sh stop
#   deploy/images/registry.sh push <dir>   push every OCI archive in <dir> (e.g. from build.sh)
# State (config.yml, storage, pid, log) lives in $TKUBE_HOME/registry (TKUBE_HOME=~/.tkube).
set -euo pipefail

TKUBE_HOME="${TKUBE_HOME:-$HOME/.tkube}"
STATE="${TKUBE_REGISTRY_DIR:-$TKUBE_HOME/registry}"
PORT="${TKUBE_REGISTRY_PORT:-5000}"
ADDR="127.0.0.1:$PORT"
PIDFILE="$STATE/registry.pid"

running() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

write_config() {
  mkdir -p "$STATE/storage"
  cat > "$STATE/config.yml" <<CONFIG
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STATE/storage
  delete:
    enabled: true
  redirect:
    disable: true
http:
  addr: $ADDR
CONFIG
}

wait_ready() {
  local i
  for i in $(seq 1 100); do
    if curl -fsS -o /dev/null "http://$ADDR/v2/"; then return 0; fi
    running || { echo "registry exited; see $STATE/registry.log" >&2; return 1; }
    sleep 0.1
  done
  echo "registry did not answer on $ADDR" >&2
  return 1
}

start() {
  if running; then echo "registry already running on $ADDR (pid $(cat "$PIDFILE"))"; return; fi
  write_config
  nohup docker-registry serve "$STATE/config.yml" >"$STATE/registry.log" 2>&1 &
  echo $! > "$PIDFILE"
  wait_ready
  echo "registry running on $ADDR (pid $(cat "$PIDFILE"))"
}

stop() {
  if ! running; then rm -f "$PIDFILE"; echo "registry not running"; return; fi
  local pid; pid="$(cat "$PIDFILE")"
  kill "$pid"
  local i
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$PIDFILE"
  echo "registry stopped"
}

# The image name an archive carries in its index.json (written by build.sh).
archive_name() {
  tar -xOf "$1" index.json | grep -o '"org.opencontainers.image.ref.name":"[^"]*"' | head -1 | cut -d'"' -f4
}

push() {
  local dir="${1:?usage: registry.sh push <dir>}"
  running || { echo "registry is not running (registry.sh start)" >&2; return 1; }
  local archive name n=0
  for archive in "$dir"/*.tar; do
    [[ -f "$archive" ]] || continue
    name="$(archive_name "$archive")"
    [[ -n "$name" ]] || { echo "skipping $archive: no image name in index.json" >&2; continue; }
    skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci-archive:$archive" "docker://$ADDR/$name"
    echo "pushed $ADDR/$name"
    n=$((n + 1))
  done
  [[ $n -gt 0 ]] || { echo "no OCI archives in $dir" >&2; return 1; }
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  push) shift; push "$@" ;;
  *) echo "usage: $0 start|stop|push <dir>" >&2; exit 2 ;;
esac
