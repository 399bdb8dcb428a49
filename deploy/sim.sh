#!/usr/bin/env bash
# Texts the demo server started by deploy/demo.sh as a member: deploy/sim.sh --from +15550100001 JOIN
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$root/.chorus/demo.env" ] || { echo "sim: start the demo first: deploy/demo.sh" >&2; exit 1; }
# shellcheck disable=SC1091
. "$root/.chorus/demo.env"
exec "${CHORUS_BUILD_DIR:-$root/build}/server/chorus" sim "$@"
