#!/usr/bin/env bash
# Runs Chorus locally from a fresh Debian 12 machine: installs the dependencies, builds, starts
# a private PostgreSQL cluster in .chorus/ (no system service), applies the migrations, loads the
# demo workspace (deploy/demo/workspace.json: org "Chorus Demo", a Twilio channel pointed at a
# local fake Twilio, a Telnyx channel pointed at a local fake Telnyx, a JOIN keyword), starts
# the fakes and `chorus serve` on 127.0.0.1,
# and prints how to text it. Safe to run again; Ctrl-C stops everything it started.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${CHORUS_BUILD_DIR:-$root/build}
state="$root/.chorus"
listen=${CHORUS_DEMO_LISTEN:-127.0.0.1:8080}
admin_listen=${CHORUS_DEMO_ADMIN_LISTEN:-127.0.0.1:9090}
fake_listen=127.0.0.1:8089
fake_telnyx_listen=127.0.0.1:8088
# The demo's fake Telnyx signs with the RFC 8032 section 7.1 TEST 1 key: a published test key,
# not a secret; its public half is in deploy/demo/workspace.json.
demo_telnyx_seed=9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60

"$root/deploy/install-deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target chorus chorus-fake-twilio chorus-fake-telnyx

mkdir -p "$state"
pgdir="$state/pg"
"$root/deploy/pg-local.sh" init "$pgdir"
"$root/deploy/pg-local.sh" start "$pgdir"
"$root/deploy/pg-local.sh" createdb "$pgdir" chorus

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$root/deploy/pg-local.sh" stop "$pgdir" || true
  echo "demo: stopped"
}
trap cleanup EXIT INT TERM

cat > "$state/demo.env" <<ENV
export CHORUS_DATABASE_URL='$("$root/deploy/pg-local.sh" url "$pgdir" chorus)'
export CHORUS_LISTEN='$listen'
export CHORUS_ADMIN_LISTEN='$admin_listen'
export CHORUS_PUBLIC_BASE_URL='http://$listen'
export CHORUS_DEMO_TWILIO_AUTH_TOKEN='demo-auth-token-not-a-secret'
export CHORUS_DEMO_TELNYX_API_KEY='demo-api-key-not-a-secret'
export CHORUS_SECRETS_KEY_FILE='$state/secrets.key'
ENV
# shellcheck disable=SC1091
. "$state/demo.env"

chorus="$build/server/chorus"
# The key that seals carrier credentials in the database (docs/SECRETS.md): made once, kept.
if [ ! -s "$CHORUS_SECRETS_KEY_FILE" ]; then
  (umask 077 && "$chorus" secrets keygen demo > "$CHORUS_SECRETS_KEY_FILE")
fi
"$chorus" migrate
"$chorus" apply "$root/deploy/demo/workspace.json"

account_sid=$(grep -oE '"(accountSid|account_sid)": *"AC[0-9a-fA-F]{32}"' "$root/deploy/demo/workspace.json" \
  | head -1 | grep -oE 'AC[0-9a-fA-F]{32}')
"$build/tests/carriers/twilio/chorus-fake-twilio" --listen "$fake_listen" \
  --account-sid "$account_sid" --auth-token "$CHORUS_DEMO_TWILIO_AUTH_TOKEN" &
pids+=($!)
"$build/tests/carriers/telnyx/chorus-fake-telnyx" --listen "$fake_telnyx_listen" \
  --api-key "$CHORUS_DEMO_TELNYX_API_KEY" --seed "$demo_telnyx_seed" &
pids+=($!)
"$chorus" serve &
pids+=($!)

for _ in $(seq 50); do
  curl -fsS "http://$admin_listen/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
cat <<MSG

Chorus is running on http://$listen with a fake Twilio on http://$fake_listen and a fake
Telnyx on http://$fake_telnyx_listen.
Text it as a member from another terminal:

  $root/deploy/sim.sh --from +15550100001 JOIN
  $root/deploy/sim.sh --from +15550100001 HELP
  $root/deploy/sim.sh --from +15550100001 STOP

Readiness: curl http://$admin_listen/readyz    Metrics: curl http://$admin_listen/metrics
Press Ctrl-C to stop everything.
MSG
wait "${pids[@]}"
