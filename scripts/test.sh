#!/usr/bin/env bash
# The whole suite: type check, then every vitest test (unit, integration, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit -p tsconfig.json
npx vitest run "$@"
