#!/usr/bin/env bash
# Installs every build, test and run dependency of Chorus from Debian 12 packages.
# Runs apt-get as root, or through sudo when run by another user. Safe to run again.
#   --fuzz   also clang and its libFuzzer runtime (docs/FUZZING.md)
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config git
  libboost1.74-dev libboost-system1.74-dev
  libpqxx-dev libpq-dev
  libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev googletest
  libprotobuf-dev protobuf-compiler
  libphonenumber-dev libicu-dev libabsl-dev
  libssl-dev ca-certificates
  postgresql-15 postgresql-client-15
  util-linux procps curl
)
# node runs the OpenAPI validator of the e2e tests (tests/openapi). A node that brings its own
# npm is kept: NodeSource's nodejs conflicts with Debian's npm.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi
if [ "${1:-}" = --fuzz ]; then
  packages+=(clang)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
# The postgresql package starts a system cluster on port 5432; Chorus never uses it.
