#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs the dependencies, builds with
# warnings as errors, starts a throwaway PostgreSQL cluster, runs the unit, pg and e2e tests
# through CTest, and tears the cluster down. Exits non-zero on any failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${CHORUS_BUILD_DIR:-$root/build}

"$root/deploy/install-deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHORUS_WERROR=ON >/dev/null
cmake --build "$build" -j2
# The OpenAPI validator of the e2e tests, from tests/openapi/package-lock.json.
openapi="$root/tests/openapi"
if [ ! -e "$openapi/node_modules/.package-lock.json" ] ||
   [ "$openapi/package-lock.json" -nt "$openapi/node_modules/.package-lock.json" ]; then
  (cd "$openapi" && npm ci --no-audit --no-fund)
fi

# Under /tmp so the postgres user can reach it when we run as root.
pgdir=$(mktemp -d /tmp/chorus-test-pg.XXXXXX)
cleanup() {
  "$root/deploy/pg-local.sh" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
"$root/deploy/pg-local.sh" init "$pgdir" --throwaway
"$root/deploy/pg-local.sh" start "$pgdir"

export CHORUS_TEST_PG_URL
CHORUS_TEST_PG_URL=$("$root/deploy/pg-local.sh" url "$pgdir")
# End-to-end tests that stop and restart PostgreSQL run their own cluster with this script.
export CHORUS_TEST_PG_LOCAL="$root/deploy/pg-local.sh"

cd "$build"
ctest --output-on-failure --timeout 300 -j2 -L 'unit|pg|e2e'
