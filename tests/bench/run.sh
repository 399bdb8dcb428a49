#!/usr/bin/env bash
# The benchmark behind BENCHMARKS.md, in one go: builds Release in build-bench/, starts a
# private *durable* PostgreSQL cluster under /tmp (deploy/pg-local.sh, fsync on), then measures
#   1. the HTTP baseline: chorus-bench minimal-server (the project's http::Server answering 200)
#      under the same load generator as Chorus;
#   2. the database baseline: batched inserts of inbound_messages rows, durable commits;
#   3. Chorus ingest: signed Twilio webhooks, closed loop over BENCH_CONNECTIONS keep-alive
#      connections, then checks that every acknowledged message is in the database and how
#      long processing takes to catch up;
#   4. webhook-to-reply latency at BENCH_REPLY_RATE webhooks/s (open loop) through a fake
#      Twilio that also posts status callbacks;
#   5. Telnyx ingest: as 3, with Telnyx webhooks (JSON events, Ed25519 signatures);
#   6. flow reply latency: as 4, with FLOW starting a five-step flow whose webhook step calls a
#      local receiver (set field, add tag, call webhook, send, end), then checks in the
#      database that every member got exactly one reply and every webhook call is done;
#   7. timers: BENCH_TIMERS flow timers (WAIT steps of seeded sessions on a second channel) due
#      at once, fired exactly once each (checked in the database), firings/s, and the reply
#      latency of live PING traffic while they fire;
#   8. the loader: one processing transaction's loading, with an empty backlog and behind
#      BENCH_LOADER_BACKLOG waiting members (a database of its own);
#   9. member search: GET /v1/members by chapter and tag (pages of 100, some followed through
#      next_cursor) over BENCH_SEARCH_MEMBERS members seeded by SQL (a database and a server of
#      its own), at BENCH_SEARCH_RATE searches/s (open loop), alone and while
#      BENCH_SEARCH_WEBHOOK_RATE webhooks/s are ingested, next to those webhooks alone;
#  10. broadcast fan-out (issue 8): BENCH_FANOUT_MEMBERS joined members seeded by SQL (a
#      database of its own, no server), a personalised broadcast (en + es, quiet hours on)
#      fanned out through PgBroadcastQueue::FanOut in batches of the runner's size until
#      finished, next to one raw INSERT ... SELECT of the same rows, alternately,
#      BENCH_FANOUT_RUNS times each, each into an emptied table; then where the time goes
#      (the first BENCH_FANOUT_PROFILE members with pieces of the statement replaced) and one
#      batch's plan under auto_explain;
# prints a summary (results and logs stay in build-bench/bench-results/) and tears down.
# Exits non-zero when a phase fails. Works as root (the cluster then runs as `postgres`).
#
# Knobs (environment): BENCH_CONNECTIONS (64), BENCH_REQUESTS (300000), BENCH_SECONDS (20),
# BENCH_WARMUP (10000), BENCH_PG_SECONDS (5), BENCH_PG_BATCHES (16,64,256,512),
# BENCH_REPLY_RATE (1000), BENCH_REPLY_SECONDS (20), BENCH_FLOW_RATE (1000), BENCH_FLOW_SECONDS
# (20), BENCH_TIMERS (100000), BENCH_TIMER_LIVE_RATE (200), BENCH_TIMER_LIVE_SECONDS (60),
# BENCH_TIMER_LEAD (10: seconds from seeding the timers to their due time), BENCH_LOADER_BACKLOG
# (100000), BENCH_LOADGEN_THREADS (1), BENCH_SEARCH_MEMBERS (1000000), BENCH_SEARCH_RATE (10),
# BENCH_SEARCH_SECONDS (60), BENCH_SEARCH_WEBHOOK_RATE (1000), BENCH_FANOUT_MEMBERS (1000000),
# BENCH_FANOUT_RUNS (2), BENCH_FANOUT_PROFILE (25000 members per profiled variant, three
# rounds, the least reported; 0: no profile),
# BENCH_PHASES (all, or some of 1,2,3,8,9,10: 3 stands for phases 3 to 7 and 2b, which share
# one server and its data; BENCH_PHASES=9 runs the member search alone, in about 5 minutes,
# BENCH_PHASES=10 the fan-out alone),
# BENCH_WAIT_QUIET (0: seconds to wait, before each phase, for other processes to use less
# than a quarter of a core; on a shared machine), BENCH_RETRIES (0: how many times to rerun
# phase 3, 4, 5, 6 or 9 when other processes took over a quarter of a core during it), BENCH_SKIP_BUILD
# (0), BENCH_KEEP (0: keep the cluster).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${CHORUS_BENCH_BUILD_DIR:-$root/build-bench}
connections=${BENCH_CONNECTIONS:-64}
requests=${BENCH_REQUESTS:-300000}
seconds=${BENCH_SECONDS:-20}
warmup=${BENCH_WARMUP:-10000}
pg_seconds=${BENCH_PG_SECONDS:-5}
pg_batches=${BENCH_PG_BATCHES:-16,64,256,512}
reply_rate=${BENCH_REPLY_RATE:-1000}
reply_seconds=${BENCH_REPLY_SECONDS:-20}
flow_rate=${BENCH_FLOW_RATE:-1000}
flow_seconds=${BENCH_FLOW_SECONDS:-20}
timers=${BENCH_TIMERS:-100000}
live_rate=${BENCH_TIMER_LIVE_RATE:-200}
live_seconds=${BENCH_TIMER_LIVE_SECONDS:-60}
timer_lead=${BENCH_TIMER_LEAD:-10}
loader_backlog=${BENCH_LOADER_BACKLOG:-100000}
threads=${BENCH_LOADGEN_THREADS:-1}
search_members=${BENCH_SEARCH_MEMBERS:-1000000}
search_rate=${BENCH_SEARCH_RATE:-10}
search_seconds=${BENCH_SEARCH_SECONDS:-60}
search_webhook_rate=${BENCH_SEARCH_WEBHOOK_RATE:-1000}
fanout_members=${BENCH_FANOUT_MEMBERS:-1000000}
fanout_runs=${BENCH_FANOUT_RUNS:-2}
fanout_profile=${BENCH_FANOUT_PROFILE:-25000}
phases=${BENCH_PHASES:-all}
wait_quiet=${BENCH_WAIT_QUIET:-0}
retries=${BENCH_RETRIES:-0}
body="Hello from the benchmark, see you at the meeting"

chorus_port=18080
admin_port=18090
minimal_port=18091
carrier_port=18089  # tests/bench/workspace.json points the bench channel's api_base here
receiver_port=18087  # ... and the bench-flow's webhook step here
flow_reply="Thanks, you are in!"  # the bench-flow's only text (tests/bench/workspace.json)
token=bench-auth-token-not-a-secret
account_sid=$(grep -oE '"AC[0-9a-fA-F]{32}"' "$root/tests/bench/workspace.json" | tr -d '"' | head -1 || true)

[ -n "$account_sid" ] || { echo "bench: no Twilio account SID in tests/bench/workspace.json" >&2; exit 1; }

say() { printf '\n== %s\n' "$*"; }
fail() { echo "bench: $*" >&2; exit 1; }
want() { [ "$phases" = all ] || [[ ",$phases," == *",$1,"* ]]; }  # is phase $1 selected?
for selected in ${phases//,/ }; do
  case $selected in
    all | 1 | 2 | 3 | 8 | 9 | 10) ;;
    *) fail "BENCH_PHASES: $selected is not all, 1, 2, 3 (phases 3 to 7), 8, 9 or 10" ;;
  esac
done
# Exit codes of the phases that report failures at the end (0 for phases not run).
reply_code=0 flow_code=0 live_code=0 timer_code=0 loader_code=0 search_code=0 fanout_code=0
# The server's ingest writers (its default: cores / 2), for phase 2b and the summary.
writers=${CHORUS_INGEST_WRITERS:-$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))}

# ---------------------------------------------------------------------------- build
grep -q '^add_subdirectory(bench)' "$root/tests/CMakeLists.txt" ||
  fail "tests/CMakeLists.txt does not build tests/bench: add the line add_subdirectory(bench)"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  "$root/deploy/install-deps.sh"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j2 --target chorus chorus-bench
fi
chorus="$build/server/chorus"
bench="$build/tests/bench/chorus-bench"
[ -x "$chorus" ] && [ -x "$bench" ] || fail "missing $chorus or $bench (add_subdirectory(bench) in tests/CMakeLists.txt?)"

out="$build/bench-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
kv="$out/results.kv"
: > "$kv"
val() { grep -m1 "^$1=" "$kv" | cut -d= -f2-; }
val0() { local v; v=$(val "$1"); echo "${v:-0}"; }  # counters the server never incremented
put() { echo "$1=$2" >> "$kv"; }

# ---------------------------------------------------------------------------- teardown
pgdir=$(mktemp -d /tmp/chorus-bench-pg.XXXXXX)
pids=()
cleanup() {
  local code=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$root/deploy/pg-local.sh" stop "$pgdir" >/dev/null 2>&1 || true
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $pgdir"; else rm -rf "${pghome:-$pgdir}" "$pgdir"; fi
  exit "$code"
}
trap cleanup EXIT INT TERM

quiet_check() {  # NAME [WATCH]: CPU used by everything but our processes, for 2 s before a phase
  local watch="postgres=$postmaster${2:+,$2}"
  "$bench" idle-check --seconds 2 --cpu-watch "$watch" --wait-quiet "$wait_quiet" --prefix "$1" --out "${akv:-$kv}"
}

disturbed() {  # PREFIX FILE: did other processes take over a quarter of a core on average?
  awk -F= -v p="$1" -v n="$(nproc)" '$1 == p ".cpu_other" { o = $2 } $1 == p ".cpu_machine_total" { t = $2 }
    END { exit !(t > 0 && o / (t / n) > 0.25) }' "$2"
}

wait_processed() {  # until no inbound message is unprocessed; fails after $1 seconds
  local start=$SECONDS
  until [ "$(sql 'SELECT count(*) FROM inbound_messages WHERE processed_at IS NULL')" = 0 ]; do
    [ $((SECONDS - start)) -lt "$1" ] || fail "processing did not catch up in $1 s"
    sleep 0.1
  done
}

wait_settled() {  # until no message, webhook call or due member event is pending; $1 seconds
  local start=$SECONDS
  until [ "$(sql "SELECT (SELECT count(*) FROM inbound_messages WHERE processed_at IS NULL)
                       + (SELECT count(*) FROM webhook_calls WHERE status = 'pending')
                       + (SELECT count(*) FROM member_events WHERE processed_at IS NULL AND due_at <= now())")" = 0 ]; do
    [ $((SECONDS - start)) -lt "$1" ] || fail "processing did not settle in $1 s"
    sleep 0.1
  done
}

phone() { printf '+1555%07d' "$1"; }  # the load generator's sender number N

wait_http() {  # URL: until it answers 200, 20 s at most
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------------------- database
say "PostgreSQL: private durable cluster in $pgdir"
"$root/deploy/pg-local.sh" init "$pgdir"
pghome=$("$root/deploy/pg-local.sh" home "$pgdir")  # $pgdir itself unless it is private to root
# Logging only (durability and performance settings stay pg-local.sh's): every autovacuum run
# goes to the log, so the summary can say which ran during a timed phase (checkpoints are
# logged by default).
echo "log_autovacuum_min_duration = 0" >> "$pghome/data/postgresql.conf"
"$root/deploy/pg-local.sh" start "$pgdir"
"$root/deploy/pg-local.sh" createdb "$pgdir" chorus
"$root/deploy/pg-local.sh" createdb "$pgdir" chorus_baseline
db_url=$("$root/deploy/pg-local.sh" url "$pgdir" chorus)
baseline_url=$("$root/deploy/pg-local.sh" url "$pgdir" chorus_baseline)
postmaster=$(head -1 "$pghome/data/postmaster.pid")
sql() { psql "$db_url" -qtAX -c "$1"; }
sql "SELECT 'fsync=' || current_setting('fsync') || ' synchronous_commit=' || current_setting('synchronous_commit') || ' ' || version()"
put pg.fsync "$(sql 'SHOW fsync')"  # for the summary (phase 2 writes them too, the same)
put pg.synchronous_commit "$(sql 'SHOW synchronous_commit')"

export CHORUS_BENCH_TWILIO_AUTH_TOKEN=$token
export CHORUS_BENCH_TELNYX_API_KEY=bench-api-key-not-a-secret
export CHORUS_BENCH_WEBHOOK_SECRET=bench-webhook-secret-not-a-secret
export CHORUS_LISTEN=127.0.0.1:$chorus_port
export CHORUS_ADMIN_LISTEN=127.0.0.1:$admin_port
export CHORUS_PUBLIC_BASE_URL=http://127.0.0.1:$chorus_port
export CHORUS_LOG_LEVEL=warn
export CHORUS_SECRETS_KEY_FILE=$pgdir/secrets.key
(umask 077 && "$chorus" secrets keygen bench > "$CHORUS_SECRETS_KEY_FILE")
for url in "$db_url" "$baseline_url"; do
  CHORUS_DATABASE_URL=$url "$chorus" migrate >/dev/null
  CHORUS_DATABASE_URL=$url "$chorus" apply "$root/tests/bench/workspace.json" >/dev/null
done
export CHORUS_DATABASE_URL=$db_url

signed=(--auth-token "$token" --account-sid "$account_sid" --path /webhooks/twilio/bench/inbound
        --public-base-url "http://127.0.0.1:$chorus_port")
# The bench-telnyx channel's public key is that of RFC 8032 section 7.1 TEST 1 (a published test
# key); the load generator signs with its seed.
telnyx=(--carrier telnyx --path /webhooks/telnyx/bench-telnyx/inbound --to +15550100011
        --telnyx-seed 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60)

# ---------------------------------------------------------------------------- 1. HTTP baseline
# (The phases' bodies are not indented under their `if want N`.)
if want 1; then
say "1. HTTP baseline: minimal-server (http::Server, 2 I/O threads), $connections connections"
"$bench" minimal-server --port "$minimal_port" --io-threads 2 > "$out/minimal-server.log" 2>&1 &
minimal_pid=$!
pids+=("$minimal_pid")
wait_http "http://127.0.0.1:$minimal_port/healthz" || fail "minimal-server did not start"
quiet_check minimal "server=$minimal_pid"
"$bench" loadgen --port "$minimal_port" "${signed[@]}" --body "$body" --connections "$connections" \
  --threads "$threads" --warmup "$warmup" --requests "$requests" --seconds "$seconds" \
  --cpu-watch "server=$minimal_pid" --prefix minimal --out "$kv" || fail "phase 1 failed"
kill "$minimal_pid"; wait "$minimal_pid" 2>/dev/null || true
fi

# ---------------------------------------------------------------------------- 2. database baseline
if want 2; then
say "2. PostgreSQL baseline: batched inserts of inbound_messages rows, durable commits"
quiet_check pg
"$bench" pg-insert --url "$baseline_url" --batches "$pg_batches" --connections 1,2 \
  --seconds "$pg_seconds" --body "$body" --cpu-watch "postgres=$postmaster" --out "$kv" \
  | tee "$out/pg-insert.log" || fail "phase 2 failed"
fi

# ---------------------------------------------------------------------------- 3. Chorus ingest
# Phases 3 to 7 (and 2b) share one server and its data: BENCH_PHASES selects them together as 3.
if want 3; then
say "3. Chorus ingest: $connections connections, closed loop"
"$chorus" serve > "$out/serve.log" 2>&1 &
serve_pid=$!
pids+=("$serve_pid")
wait_http "http://127.0.0.1:$admin_port/readyz" || fail "chorus serve did not become ready (see $out/serve.log)"
# Warm-up as its own run, so the server's metrics can be read around the timed part alone.
"$bench" loadgen --port "$chorus_port" "${signed[@]}" --body "$body" --connections "$connections" \
  --requests "$warmup" --sender-offset 8000000 --acked-sids "$out/acked-warmup.txt" \
  --prefix warmup --out "$kv" > "$out/warmup.log" || fail "phase 3 warm-up failed"
wait_processed 300
# The tables were empty a moment ago; on a live system autovacuum would have analyzed them
# within its one-minute nap. Without statistics the planner picks plans for empty tables.
sql 'ANALYZE'
sql 'CHECKPOINT'  # the phase starts from a finished checkpoint (see phase 4)
# A phase that other processes disturbed (on average more than a quarter of a core) is run
# again, up to BENCH_RETRIES times, with fresh members; only its last attempt is reported.
attempt=0
while :; do
  attempt=$((attempt + 1))
  akv="$out/ingest-$attempt.kv"
  : > "$akv"
  "$bench" metrics --url "http://127.0.0.1:$admin_port/metrics" --save "$out/metrics-before.txt"
  quiet_check ingest "serve=$serve_pid"
  "$bench" loadgen --port "$chorus_port" "${signed[@]}" --body "$body" --connections "$connections" \
    --threads "$threads" --requests "$requests" --seconds "$seconds" \
    --sender-offset $(( (attempt - 1) * 1000000 )) --acked-sids "$out/acked-main-$attempt.txt" \
    --cpu-watch "serve=$serve_pid,postgres=$postmaster" --prefix ingest --out "$akv" \
    || fail "phase 3 failed"
  ended=$(date +%s.%N)
  backlog=$(sql 'SELECT count(*) FROM inbound_messages WHERE processed_at IS NULL')
  echo "ingest.unprocessed_at_end=$backlog" >> "$akv"
  wait_processed 600
  drain=$(awk -v s="$ended" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }')
  echo "ingest.drain_seconds=$drain" >> "$akv"
  echo "unprocessed inbound messages when the load stopped: $backlog; all processed $drain s later"
  "$bench" metrics --url "http://127.0.0.1:$admin_port/metrics" --since "$out/metrics-before.txt" \
    --prefix ingest.metrics --out "$akv"
  disturbed ingest "$akv" && [ "$attempt" -le "$retries" ] || break
  echo "bench: phase 3 was disturbed by other processes; again (attempt $((attempt + 1)))"
done
cat "$akv" >> "$kv"
put ingest.attempts "$attempt"

# Every acknowledged webhook must be a row: count them, and look each MessageSid up.
cat "$out/acked-warmup.txt" "$out"/acked-main-*.txt > "$out/acked.txt"
acked=$(wc -l < "$out/acked.txt")
rows=$(sql 'SELECT count(*) FROM inbound_messages')
missing=$(psql "$db_url" -qtAX \
  -c 'CREATE TEMP TABLE acked (sid text PRIMARY KEY)' \
  -c "\\copy acked FROM '$out/acked.txt'" \
  -c 'SELECT count(*) FROM acked a WHERE NOT EXISTS (SELECT 1 FROM inbound_messages m WHERE m.carrier_message_id = a.sid)')
put durability.acked "$acked"
put durability.rows "$rows"
put durability.acked_missing "$missing"
echo "durability: $acked webhooks acknowledged 2xx, $rows rows in inbound_messages, $missing acknowledged but missing"
[ "$missing" = 0 ] || fail "acknowledged webhooks missing from the database"

# The database baseline again, at the batch size the group commit actually formed (mean of
# phase 3) over as many connections as the server has ingest writers (its default: cores / 2).
server_batch=$(awk -v m="$(val ingest.metrics.ingest_batch_mean)" 'BEGIN { b = int(m + 0.5); print (b < 1 ? 1 : b) }')
put pg.server_batch "$server_batch"
say "2b. PostgreSQL baseline at the server's mean batch size ($server_batch rows), $writers connection(s)"
"$bench" pg-insert --url "$baseline_url" --batches "$server_batch" --connections "$writers" \
  --seconds "$pg_seconds" --body "$body" --cpu-watch "postgres=$postmaster,serve=$serve_pid" \
  --out "$kv" | tee -a "$out/pg-insert.log" || fail "phase 2b failed"

# ---------------------------------------------------------------------------- 4. reply latency
say "4. Webhook-to-reply latency: $reply_rate webhooks/s for $reply_seconds s, PING -> PONG"
# Warm-up of the reply path (its tables are still empty), then statistics, as in phase 3.
"$bench" reply-latency --port "$chorus_port" "${signed[@]}" --body PING --expect-reply PONG \
  --rate "$reply_rate" --seconds 3 --connections "$connections" --sender-offset 4000000 \
  --carrier-port "$carrier_port" --carrier-account-sid "$account_sid" --carrier-auth-token "$token" \
  --out "$out/reply-warmup.kv" > "$out/reply-warmup.log" || fail "phase 4 warm-up failed"
wait_processed 60
sql 'ANALYZE'
# Each timed phase starts from a finished checkpoint, so it does not pay for flushing the dirty
# pages the previous phase left (checkpoints that happen during a phase are still reported).
sql 'CHECKPOINT'
attempt=0
while :; do
  attempt=$((attempt + 1))
  akv="$out/reply-$attempt.kv"
  : > "$akv"
  "$bench" metrics --url "http://127.0.0.1:$admin_port/metrics" --save "$out/metrics-before-reply.txt"
  quiet_check reply "serve=$serve_pid"
  reply_code=0
  reply_offset=$(( 5000000 + (attempt - 1) * 200000 ))
  "$bench" reply-latency --port "$chorus_port" "${signed[@]}" --body PING --expect-reply PONG \
    --rate "$reply_rate" --seconds "$reply_seconds" --connections "$connections" \
    --sender-offset "$reply_offset" --carrier-port "$carrier_port" \
    --carrier-account-sid "$account_sid" --carrier-auth-token "$token" \
    --cpu-watch "serve=$serve_pid,postgres=$postmaster" --timeline "$out/reply-timeline-$attempt.txt" \
    --out "$akv" || reply_code=$?
  "$bench" metrics --url "http://127.0.0.1:$admin_port/metrics" \
    --since "$out/metrics-before-reply.txt" --prefix reply.metrics --out "$akv"
  wait_processed 60
  disturbed reply "$akv" && [ "$attempt" -le "$retries" ] || break
  echo "bench: phase 4 was disturbed by other processes; again (attempt $((attempt + 1)))"
done
cat "$akv" >> "$kv"
put reply.attempts "$attempt"
sql "SELECT 'outbound ' || status || ': ' || count(*) FROM outbound_messages GROUP BY status ORDER BY status"
sql "SELECT 'delivery events: ' || count(*) FROM delivery_events"

# ---------------------------------------------------------------------------- 5. Telnyx ingest
# Last, so that its rows (and the autovacuum they trigger) cannot change the phases before it,
# which stay comparable with runs made before it existed.
say "5. Chorus ingest over Telnyx (JSON + Ed25519): $connections connections, closed loop"
"$bench" loadgen --port "$chorus_port" "${telnyx[@]}" --body "$body" --connections "$connections" \
  --requests "$warmup" --sender-offset 8500000 --acked-sids "$out/acked-telnyx-warmup.txt" \
  --prefix warmup_telnyx --out "$kv" > "$out/warmup-telnyx.log" || fail "phase 5 warm-up failed"
wait_processed 300
sql 'CHECKPOINT'
attempt=0
while :; do
  attempt=$((attempt + 1))
  akv="$out/telnyx-$attempt.kv"
  : > "$akv"
  quiet_check telnyx "serve=$serve_pid"
  "$bench" loadgen --port "$chorus_port" "${telnyx[@]}" --body "$body" --connections "$connections" \
    --threads "$threads" --requests "$requests" --seconds "$seconds" \
    --sender-offset $(( 3000000 + (attempt - 1) * 1000000 )) \
    --acked-sids "$out/acked-telnyx-$attempt.txt" \
    --cpu-watch "serve=$serve_pid,postgres=$postmaster" --prefix telnyx --out "$akv" \
    || fail "phase 5 failed"
  wait_processed 600
  disturbed telnyx "$akv" && [ "$attempt" -le "$retries" ] || break
  echo "bench: phase 5 was disturbed by other processes; again (attempt $((attempt + 1)))"
done
cat "$akv" >> "$kv"
put telnyx.attempts "$attempt"
cat "$out/acked-telnyx-warmup.txt" "$out"/acked-telnyx-[0-9]*.txt > "$out/acked-telnyx.txt"
telnyx_acked=$(wc -l < "$out/acked-telnyx.txt")
telnyx_missing=$(psql "$db_url" -qtAX \
  -c 'CREATE TEMP TABLE acked (sid text PRIMARY KEY)' \
  -c "\\copy acked FROM '$out/acked-telnyx.txt'" \
  -c 'SELECT count(*) FROM acked a WHERE NOT EXISTS (SELECT 1 FROM inbound_messages m WHERE m.carrier_message_id = a.sid)')
put durability.telnyx_acked "$telnyx_acked"
put durability.telnyx_missing "$telnyx_missing"
echo "durability (Telnyx): $telnyx_acked webhooks acknowledged 2xx, $telnyx_missing acknowledged but missing"
[ "$telnyx_missing" = 0 ] || fail "acknowledged Telnyx webhooks missing from the database"

# ---------------------------------------------------------------------------- 6. flow reply latency
# As phase 4, with FLOW: the keyword starts bench-flow (tests/bench/workspace.json): set a field,
# add a tag, call a webhook (a receiver in the bench process answering 200 at once), send one
# text, end. The reply counts from the FLOW webhook's due time to the fake Twilio accepting that
# text: two processing transactions, the webhook call and its result on the way.
say "6. Flow reply latency: $flow_rate members/s for $flow_seconds s, FLOW -> set field, add tag, webhook, send, end"
# Replies are waited for up to 60 s after the last webhook (phase 4: 10 s), so that a backlog
# shows as the latency it has rather than as missing replies.
flow_args=(--body FLOW --expect-reply "$flow_reply" --receiver-port "$receiver_port" --reply-wait-ms 60000
           --receiver-secret-env CHORUS_BENCH_WEBHOOK_SECRET --connections "$connections"
           --carrier-port "$carrier_port" --carrier-account-sid "$account_sid" --carrier-auth-token "$token")
# A reply still missing when the warm-up gives up (exit 2) is waited for below; only a warm-up
# that could not run (exit 1: ports) fails the phase.
warm_code=0
"$bench" reply-latency --port "$chorus_port" "${signed[@]}" "${flow_args[@]}" --rate "$flow_rate" \
  --seconds 3 --sender-offset 6500000 --prefix flow_warmup --out "$out/flow-warmup.kv" \
  > "$out/flow-warmup.log" || warm_code=$?
[ "$warm_code" != 1 ] || fail "phase 6 warm-up failed (see $out/flow-warmup.log)"
wait_settled 120
sql 'ANALYZE'
sql 'CHECKPOINT'
attempt=0
while :; do
  attempt=$((attempt + 1))
  akv="$out/flow-$attempt.kv"
  : > "$akv"
  "$bench" metrics --url "http://127.0.0.1:$admin_port/metrics" --save "$out/metrics-before-flow.txt"
  quiet_check flow "serve=$serve_pid"
  flow_code=0
  flow_offset=$(( 6000000 + (attempt - 1) * 100000 ))
  "$bench" reply-latency --port "$chorus_port" "${signed[@]}" "${flow_args[@]}" --rate "$flow_rate" \
    --seconds "$flow_seconds" --sender-offset "$flow_offset" --prefix flow \
    --cpu-watch "serve=$serve_pid,postgres=$postmaster" --timeline "$out/flow-timeline-$attempt.txt" \
    --out "$akv" || flow_code=$?
  "$bench" metrics --url "http://127.0.0.1:$admin_port/metrics" \
    --since "$out/metrics-before-flow.txt" --prefix flow.metrics --out "$akv"
  wait_settled 120
  disturbed flow "$akv" && [ "$attempt" -le "$retries" ] || break
  echo "bench: phase 6 was disturbed by other processes; again (attempt $((attempt + 1)))"
done
cat "$akv" >> "$kv"
put flow.attempts "$attempt"
# In the database, for the members of the timed run: exactly one text each (the flow's), one
# webhook call each, done and answered 2xx, and no session left open.
flow_count=$(( flow_rate * flow_seconds ))
IFS='|' read -r f_members f_one f_none f_more f_calls f_done f_ok f_called f_sessions f_active < <(sql "
WITH m AS (SELECT organization_id AS org, id FROM members
            WHERE phone_e164 BETWEEN '$(phone "$flow_offset")' AND '$(phone $((flow_offset + flow_count - 1)))'),
o AS (SELECT m.id, count(o.id) AS n, count(o.id) FILTER (WHERE o.body = '$flow_reply') AS thanks
        FROM m LEFT JOIN outbound_messages o ON o.organization_id = m.org AND o.member_id = m.id
       GROUP BY m.id),
w AS (SELECT count(*) AS calls, count(*) FILTER (WHERE w.status = 'done') AS done,
             count(*) FILTER (WHERE w.ok) AS ok, count(DISTINCT w.member_id) AS called
        FROM m JOIN webhook_calls w ON w.organization_id = m.org AND w.member_id = m.id),
s AS (SELECT count(*) AS sessions, count(*) FILTER (WHERE s.active) AS active
        FROM m JOIN flow_sessions s ON s.organization_id = m.org AND s.member_id = m.id)
SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM o WHERE n = 1 AND thanks = 1),
       (SELECT count(*) FROM o WHERE n = 0), (SELECT count(*) FROM o WHERE n > 1),
       w.calls, w.done, w.ok, w.called, s.sessions, s.active FROM w, s")
put flow.db_members "$f_members"; put flow.db_one_reply "$f_one"; put flow.db_no_reply "$f_none"
put flow.db_several_replies "$f_more"; put flow.db_calls "$f_calls"; put flow.db_calls_done "$f_done"
put flow.db_calls_ok "$f_ok"; put flow.db_members_called "$f_called"
put flow.db_sessions "$f_sessions"; put flow.db_sessions_active "$f_active"
echo "database: $f_members members of the timed run; $f_one with exactly one text (the flow's), $f_none with none, $f_more with more"
echo "database: $f_calls webhook calls for $f_called members, $f_done done, $f_ok answered 2xx; $f_sessions sessions, $f_active still active"
[ "$f_members" = "$flow_count" ] && [ "$f_one" = "$flow_count" ] && [ "$f_calls" = "$flow_count" ] &&
  [ "$f_done" = "$flow_count" ] && [ "$f_ok" = "$flow_count" ] && [ "$f_active" = 0 ] ||
  { echo "bench: phase 6: the database does not show one call and one reply per member"; flow_code=3; }
# The webhook calls of the timed run: a claim stamps its calls with one claimed_until (its
# now() + the lease) and a processing transaction its calls with one created_at, so the rows
# tell how many calls each claim and each queuing transaction carried (the caller claims when
# processing notifies it, at most 64 in flight, else every 500 ms), and per second since the
# first call how many were queued and finished.
IFS='|' read -r c_claims c_mean c_max c_full q_tx q_mean q_max q_over < <(sql "
WITH m AS (SELECT organization_id AS org, id FROM members
            WHERE phone_e164 BETWEEN '$(phone "$flow_offset")' AND '$(phone $((flow_offset + flow_count - 1)))'),
w AS (SELECT w.claimed_until, w.created_at FROM m JOIN webhook_calls w ON w.organization_id = m.org AND w.member_id = m.id),
c AS (SELECT count(*) AS n FROM w GROUP BY claimed_until),
q AS (SELECT count(*) AS n FROM w GROUP BY created_at)
SELECT (SELECT count(*) FROM c), (SELECT round(avg(n), 1) FROM c), (SELECT max(n) FROM c),
       (SELECT count(*) FROM c WHERE n >= 64), (SELECT count(*) FROM q), (SELECT round(avg(n), 1) FROM q),
       (SELECT max(n) FROM q), (SELECT count(*) FROM q WHERE n > 64)")
put flow.db_claims "$c_claims"; put flow.db_calls_per_claim "$c_mean"; put flow.db_claim_max "$c_max"
put flow.db_full_claims "$c_full"; put flow.db_queuing_transactions "$q_tx"
put flow.db_calls_per_transaction "$q_mean"; put flow.db_transaction_max "$q_max"; put flow.db_transactions_over_64 "$q_over"
echo "webhook calls: $c_claims claims, $c_mean calls each on average, at most $c_max ($c_full claims of 64 or more); queued by $q_tx processing transactions, $q_mean each on average, at most $q_max ($q_over over 64)"
{ echo "# second since the first call, calls queued, calls finished (webhook_calls.created_at, finished_at)"
  sql "
WITH m AS (SELECT organization_id AS org, id FROM members
            WHERE phone_e164 BETWEEN '$(phone "$flow_offset")' AND '$(phone $((flow_offset + flow_count - 1)))'),
w AS (SELECT w.created_at, w.finished_at FROM m JOIN webhook_calls w ON w.organization_id = m.org AND w.member_id = m.id),
t AS (SELECT min(created_at) AS t0 FROM w),
e AS (SELECT floor(extract(epoch FROM created_at - t0))::int AS s, 1 AS queued, 0 AS finished FROM w, t
      UNION ALL
      SELECT floor(extract(epoch FROM finished_at - t0))::int, 0, 1 FROM w, t)
SELECT 'calls ' || s || ' ' || sum(queued) || ' ' || sum(finished) FROM e GROUP BY s ORDER BY s"
} >> "$out/flow-timeline-$attempt.txt"
# Where a reply's time goes, from the rows' own timestamps (each the now() of the transaction
# that wrote it, so a stage includes the commits on its way): keyword replies of phase 4 and
# the flow's of phase 6.
stages() {  # FIRST_OFFSET COUNT
  sql "
WITH m AS (SELECT organization_id AS org, id FROM members
            WHERE phone_e164 BETWEEN '$(phone "$1")' AND '$(phone $(($1 + $2 - 1)))'),
st AS (
  SELECT 1 AS n, 'webhook stored -> processed' AS stage,
         extract(epoch FROM i.processed_at - i.received_at) AS s
    FROM m JOIN inbound_messages i ON i.organization_id = m.org AND i.member_id = m.id
  UNION ALL
  SELECT 2, 'webhook call queued -> result recorded', extract(epoch FROM w.finished_at - w.created_at)
    FROM m JOIN webhook_calls w ON w.organization_id = m.org AND w.member_id = m.id
  UNION ALL
  SELECT 3, 'webhook result recorded -> processed', extract(epoch FROM e.processed_at - e.created_at)
    FROM m JOIN member_events e ON e.organization_id = m.org AND e.member_id = m.id
   WHERE e.kind = 'webhook_result'
  UNION ALL
  SELECT 4, 'reply queued -> accepted by the carrier recorded', extract(epoch FROM o.sent_at - o.created_at)
    FROM m JOIN outbound_messages o ON o.organization_id = m.org AND o.member_id = m.id)
SELECT '  ' || stage || ': p50 ' || round(1000 * percentile_disc(0.5) WITHIN GROUP (ORDER BY s), 1)
       || ' ms, p99 ' || round(1000 * percentile_disc(0.99) WITHIN GROUP (ORDER BY s), 1)
       || ' ms (n=' || count(*) || ')'
  FROM st GROUP BY n, stage ORDER BY n"
}
{ echo "phase 4 (PING -> PONG), from the rows' timestamps:"; stages "$reply_offset" $(( reply_rate * reply_seconds ))
  echo "phase 6 (FLOW -> five-step flow), from the rows' timestamps:"; stages "$flow_offset" "$flow_count"
} | tee "$out/stages.txt"

# ---------------------------------------------------------------------------- 7. timers
# BENCH_TIMERS members, each with an active session of flow "tick" (WAIT 1 hour -> SEND "tick"
# -> END) on channel bench-timers, waiting in its WAIT step, and the timer of that wait: seeded
# by SQL as the server writes them (pg_effect_writers.cpp kSessionState and kInsertTimers), all
# due at the same second. The due-event claimer and the workers fire them while live PING
# traffic (BENCH_TIMER_LIVE_RATE/s, channel bench) is answered; the texts they cause go out on
# bench-timers, to the same fake Twilio. Run once (a rerun would need fresh timers).
say "7. Timers: $timers flow timers due at once (channel bench-timers), live PING at $live_rate/s (channel bench)"
timer_channel=$(sql "SELECT id FROM channels WHERE slug = 'bench-timers'")
seed_start=$SECONDS
sql "
WITH o AS (SELECT id FROM organizations WHERE slug = 'bench'),
f AS (SELECT f.active_version AS version FROM flows f, o WHERE f.organization_id = o.id AND f.slug = 'tick'),
m AS (INSERT INTO members (organization_id, phone_e164)
      SELECT o.id, '+1556' || lpad(g::text, 7, '0') FROM o, generate_series(0, $timers - 1) g
      RETURNING organization_id, id)
INSERT INTO flow_sessions (organization_id, member_id, channel_id, flow_slug, version, state)
SELECT m.organization_id, m.id, $timer_channel, 'tick', f.version,
       jsonb_build_object('step', 'wait', 'seq', 1, 'tries', 0, 'reminded', false,
                          'event_id', NULL::bigint, 'story_text', '', 'story_place', '',
                          'story_phase', 0)
  FROM m, f"
sql 'ANALYZE'
sql 'CHECKPOINT'
echo "seeded $timers members waiting in flow tick in $((SECONDS - seed_start)) s"
"$bench" metrics --url "http://127.0.0.1:$admin_port/metrics" --save "$out/metrics-before-timers.txt"
akv="$out/timers.kv"
: > "$akv"
quiet_check timers "serve=$serve_pid"
# The timers, due timer_lead seconds from now (their sessions' seq is 1: the wait's token).
# ANALYZE stands in for autovacuum, as after the warm-ups: timers of a one-hour wait would have
# been written over the hour before, and analyzed.
due=$(( $(date +%s) + timer_lead ))
sql "
INSERT INTO member_events (organization_id, member_id, kind, channel_id, session_id, token, payload, due_at)
SELECT organization_id, member_id, 'timer', channel_id, id, 1, '{\"timer\": \"wait\"}', to_timestamp($due)
  FROM flow_sessions WHERE flow_slug = 'tick' AND active AND channel_id = $timer_channel"
sql 'ANALYZE member_events'
lead_left=$(sql "SELECT round(($due - extract(epoch FROM clock_timestamp()))::numeric, 1)")
put timers.lead_left_s "$lead_left"
echo "$timers timers due at $(date -u -d "@$due" +%H:%M:%S) UTC, in $lead_left s"
awk -v l="$lead_left" 'BEGIN { exit !(l > 1) }' || fail "phase 7: seeding the timers took longer than BENCH_TIMER_LEAD ($timer_lead s)"
live_code=0
"$bench" reply-latency --port "$chorus_port" "${signed[@]}" --body PING --expect-reply PONG \
  --rate "$live_rate" --seconds "$live_seconds" --connections "$connections" --sender-offset 7000000 \
  --carrier-port "$carrier_port" --carrier-account-sid "$account_sid" --carrier-auth-token "$token" \
  --expect-others "$timers" --others-wait-ms 300000 --reply-wait-ms 60000 --rotate --prefix live \
  --cpu-watch "serve=$serve_pid,postgres=$postmaster" --timeline "$out/timers-timeline.txt" \
  --samples "$out/timers-live-samples.txt" --out "$akv" > "$out/timers-live.log" 2>&1 &
live_pid=$!
pids+=("$live_pid")
start=$SECONDS
until [ "$(sql "SELECT count(*) FROM member_events WHERE processed_at IS NULL AND kind = 'timer'")" = 0 ]; do
  [ $((SECONDS - start)) -lt 600 ] || fail "phase 7: timers still pending after 600 s"
  sleep 1
done
echo "every timer processed $((SECONDS - start)) s after the live traffic started"
wait "$live_pid" || live_code=$?
cat "$out/timers-live.log"
"$bench" metrics --url "http://127.0.0.1:$admin_port/metrics" \
  --since "$out/metrics-before-timers.txt" --prefix timers.metrics --out "$akv"
wait_settled 60
cat "$akv" >> "$kv"
# Firing: from the due time to the start of the transaction that processed the last timer
# (processed_at is its now()); per second of that, in the timeline file.
IFS='|' read -r t_all t_fired t_pending t_other t_first t_last < <(sql "
SELECT count(*), count(*) FILTER (WHERE outcome = 'fired'), count(*) FILTER (WHERE processed_at IS NULL),
       count(*) FILTER (WHERE outcome IS DISTINCT FROM 'fired'),
       round(extract(epoch FROM min(processed_at) - to_timestamp($due))::numeric, 3),
       round(extract(epoch FROM max(processed_at) - to_timestamp($due))::numeric, 3)
  FROM member_events WHERE kind = 'timer' AND channel_id = $timer_channel")
t_rate=$(awk -v n="$t_fired" -v s="$t_last" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print 0 }')
put timers.events "$t_all"; put timers.fired "$t_fired"; put timers.pending "$t_pending"
put timers.not_fired "$t_other"; put timers.first_s "$t_first"; put timers.last_s "$t_last"
put timers.firings_per_second "$t_rate"
{ echo "# second after the due time, timers fired (processed_at in that second)"
  sql "SELECT 'fired ' || s || ' ' || count(*) FROM (
         SELECT floor(extract(epoch FROM processed_at) - $due)::int AS s
           FROM member_events WHERE kind = 'timer' AND channel_id = $timer_channel) q
        GROUP BY s ORDER BY s"
} >> "$out/timers-timeline.txt"
# Exactly once: one "tick" per member, no session left waiting.
IFS='|' read -r k_rows k_members k_not_one k_sent k_active < <(sql "
WITH t AS (SELECT m.id, count(o.id) AS n
             FROM members m LEFT JOIN outbound_messages o
               ON o.organization_id = m.organization_id AND o.member_id = m.id AND o.channel_id = $timer_channel
            WHERE m.phone_e164 LIKE '+1556%' GROUP BY m.id)
SELECT (SELECT count(*) FROM outbound_messages WHERE channel_id = $timer_channel AND body = 'tick'),
       (SELECT count(DISTINCT member_id) FROM outbound_messages WHERE channel_id = $timer_channel AND body = 'tick'),
       (SELECT count(*) FROM t WHERE n <> 1),
       (SELECT count(*) FROM outbound_messages WHERE channel_id = $timer_channel AND body = 'tick'
           AND status IN ('accepted', 'sent', 'delivered')),
       (SELECT count(*) FROM flow_sessions WHERE flow_slug = 'tick' AND active)")
put timers.tick_rows "$k_rows"; put timers.tick_members "$k_members"; put timers.members_not_one "$k_not_one"
put timers.tick_sent "$k_sent"; put timers.sessions_active "$k_active"
echo "timers: $t_all events, $t_fired fired, $t_pending pending, $t_other with another outcome; first processed $t_first s after due, last $t_last s: $t_rate firings/s"
echo "timers: $k_rows tick texts for $k_members members ($k_not_one members without exactly one), $k_sent accepted by the carrier; $k_active sessions still active"
timer_code=0
[ "$t_all" = "$timers" ] && [ "$t_fired" = "$timers" ] && [ "$k_rows" = "$timers" ] &&
  [ "$k_members" = "$timers" ] && [ "$k_not_one" = 0 ] && [ "$k_active" = 0 ] ||
  { echo "bench: phase 7: timers not fired exactly once each"; timer_code=3; }
# The live traffic's latency before the due time, while the timers fire (due time to the last
# firing), and after, from the samples (nearest rank, as chorus-bench computes percentiles).
window() {  # FROM TO (Unix seconds): "n p50 p99 max missing" of the replies to webhooks due in [FROM, TO)
  awk -v a="$1" -v b="$2" '!/^#/ && $1 >= a && $1 < b' "$out/timers-live-samples.txt" > "$out/window.tmp"
  local missing
  missing=$(awk '$3 < 0' "$out/window.tmp" | wc -l)
  awk '$3 >= 0 { print $3 }' "$out/window.tmp" | sort -g | awk -v m="$missing" '{ v[NR] = $1 }
    function r(p,  i) { i = int(p * NR); if (i < p * NR) i++; if (i < 1) i = 1; return v[i] }
    END { if (NR == 0) { print "0 - - - " m; exit } printf "%d %.2f %.2f %.2f %d\n", NR, r(0.5), r(0.99), v[NR], m }'
}
fire_end=$(awk -v d="$due" -v l="$t_last" 'BEGIN { printf "%.3f", d + l }')
read -r w_n w_p50 w_p99 w_max w_missing < <(window "$due" "$fire_end")
read -r b_n b_p50 b_p99 b_max _ < <(window 0 "$due")
read -r a_n a_p50 a_p99 a_max _ < <(window "$fire_end" 1e12)
rm -f "$out/window.tmp"
put live.firing_n "$w_n"; put live.firing_p50_ms "$w_p50"; put live.firing_p99_ms "$w_p99"; put live.firing_max_ms "$w_max"
put live.before_n "$b_n"; put live.before_p50_ms "$b_p50"; put live.before_p99_ms "$b_p99"; put live.before_max_ms "$b_max"
put live.after_n "$a_n"; put live.after_p50_ms "$a_p50"; put live.after_p99_ms "$a_p99"; put live.after_max_ms "$a_max"
echo "live PING -> PONG at $live_rate/s: before the due time p50 $b_p50 p99 $b_p99 max $b_max ms (n=$b_n); while firing p50 $w_p50 p99 $w_p99 max $w_max ms (n=$w_n); after p50 $a_p50 p99 $a_p99 max $a_max ms (n=$a_n)"
# Where the live replies' time went, before, during and after the firing (rows' timestamps, as
# in stages.txt): waiting to be processed, and waiting to be sent.
{ echo "phase 7 live PING -> PONG, from the rows' timestamps, by when the webhook was stored:"
  sql "
WITH m AS (SELECT organization_id AS org, id FROM members
            WHERE phone_e164 BETWEEN '$(phone 7000000)' AND '$(phone $((7000000 + live_rate * live_seconds - 1)))'),
r AS (SELECT CASE WHEN extract(epoch FROM i.received_at) < $due THEN 1
                  WHEN extract(epoch FROM i.received_at) <= $fire_end THEN 2 ELSE 3 END AS w,
             extract(epoch FROM i.processed_at - i.received_at) AS processing,
             extract(epoch FROM o.sent_at - o.created_at) AS sending
        FROM m JOIN inbound_messages i ON i.organization_id = m.org AND i.member_id = m.id
        JOIN outbound_messages o ON o.organization_id = m.org AND o.member_id = m.id)
SELECT '  ' || (ARRAY['before the due time', 'while firing', 'after the last firing'])[w]
       || ': stored -> processed p50 ' || round(1000 * percentile_disc(0.5) WITHIN GROUP (ORDER BY processing), 1)
       || ' ms, p99 ' || round(1000 * percentile_disc(0.99) WITHIN GROUP (ORDER BY processing), 1)
       || ' ms; reply queued -> accepted recorded p50 ' || round(1000 * percentile_disc(0.5) WITHIN GROUP (ORDER BY sending), 1)
       || ' ms, p99 ' || round(1000 * percentile_disc(0.99) WITHIN GROUP (ORDER BY sending), 1) || ' ms (n=' || count(*) || ')'
  FROM r GROUP BY w ORDER BY w"
} | tee -a "$out/stages.txt"
dispatch_s=$(awk -v l="$(val live.strangers_last_unix)" -v d="$due" 'BEGIN { if (l > 0) printf "%.1f", l - d; else print "-" }')
put timers.ticks_accepted_s "$dispatch_s"
echo "fake Twilio accepted $(val live.strangers) tick texts, the last $dispatch_s s after the due time"

kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
echo "serve.log: $(grep -ciE 'error|critical' "$out/serve.log" || true) error lines, $(wc -l < "$out/serve.log") lines"
fi  # phases 3 to 7

# ---------------------------------------------------------------------------- 8. loader cost
# One processing transaction's loading (locks, the members' events, members, fields, sessions,
# an empty commit) timed through PgProcessingStore::ProcessBatch with an empty backlog and
# behind BENCH_LOADER_BACKLOG members each with a waiting message and a due timer, first with
# the statistics ANALYZE took when nothing was waiting, then after ANALYZE, in a database of
# its own that no server processes (tests/store/pg_processing_store_pgtest.cpp counts the
# same statement's rows and pages deterministically).
if want 8; then
say "8. Loader: a batch of 256 members, empty backlog vs $loader_backlog members waiting (statistics from before, then after ANALYZE)"
"$root/deploy/pg-local.sh" createdb "$pgdir" chorus_loader
loader_url=$("$root/deploy/pg-local.sh" url "$pgdir" chorus_loader)
CHORUS_DATABASE_URL=$loader_url "$chorus" migrate >/dev/null
CHORUS_DATABASE_URL=$loader_url "$chorus" apply "$root/tests/bench/workspace.json" >/dev/null
quiet_check loader
"$bench" load-cost --url "$loader_url" --batch 256 --backlog "$loader_backlog" --out "$kv" \
  | tee "$out/load-cost.log" || loader_code=$?
fi

# ---------------------------------------------------------------------------- 9. member search
# The organizer API's member search (GET /v1/members by chapter and tag, pages of 100) over
# BENCH_SEARCH_MEMBERS members, in a database and under a `chorus serve` of its own, so that
# BENCH_PHASES=9 alone measures what the full run does. Seeded by SQL: six states of eight
# cities each (plus an empty "new" chapter in each state); 85 % of members in one city, the
# cities Zipf-like (the largest ~18 % of the placed members, the smallest ~0.5 %); tags
# independent of each other from common to rare (housing 25 %, climate 12 %, volunteer 10 %,
# donor 4 %, canvasser 3 %, leader 0.5 %, press 0.02 %) and one tied to place (farmworker: 6 %
# of members in CA, TX and FL, nobody elsewhere), so that a chapter and a tag can have no
# member in common although each is common, which is the case PostgreSQL misjudges
# (docs/API.md, "Search cost"); 15 % never joined, 3 % opted out, 20 % with a language, every
# placed member with a zip field. Then three timed parts of BENCH_SEARCH_SECONDS each: (a)
# webhooks alone at BENCH_SEARCH_WEBHOOK_RATE/s (open loop, the baseline), (b) searches alone at
# BENCH_SEARCH_RATE/s (open loop), (c) both at once, started at the same second.
if want 9; then
say "9. Member search: $search_members members, $search_rate searches/s, alone and with $search_webhook_rate webhooks/s"
"$root/deploy/pg-local.sh" createdb "$pgdir" chorus_search
search_url=$("$root/deploy/pg-local.sh" url "$pgdir" chorus_search)
CHORUS_DATABASE_URL=$search_url "$chorus" migrate >/dev/null
CHORUS_DATABASE_URL=$search_url "$chorus" apply "$root/tests/bench/workspace.json" >/dev/null
db_url=$search_url  # sql and wait_processed work on phase 9's database from here on
seed_start=$SECONDS
psql "$search_url" -qtAX -v ON_ERROR_STOP=1 > /dev/null <<SQL || fail "phase 9: seeding failed"
SELECT setseed(0.5);
CREATE TEMP TABLE city (rank int PRIMARY KEY, state int, id bigint);
WITH s(state, code, names) AS (VALUES
  (0, 'ny', '{nyc,buffalo,rochester,albany,syracuse,yonkers,ithaca,utica,new}'::text[]),
  (1, 'ca', '{la,sf,oakland,sacramento,san-diego,fresno,san-jose,long-beach,new}'),
  (2, 'tx', '{houston,dallas,austin,san-antonio,el-paso,fort-worth,laredo,lubbock,new}'),
  (3, 'fl', '{miami,orlando,tampa,jacksonville,tallahassee,gainesville,st-pete,fort-myers,new}'),
  (4, 'il', '{chicago,springfield,peoria,rockford,champaign,naperville,joliet,evanston,new}'),
  (5, 'pa', '{philadelphia,pittsburgh,harrisburg,allentown,erie,scranton,reading,lancaster,new}')),
o AS (SELECT id FROM organizations WHERE slug = 'bench'),
st AS (INSERT INTO chapters (organization_id, slug, name, country)
       SELECT o.id, s.code, upper(s.code), 'US' FROM o, s ORDER BY s.state RETURNING id, slug),
n AS (SELECT s.state, s.code, c.name, c.i FROM s, unnest(s.names) WITH ORDINALITY c(name, i)),
ct AS (INSERT INTO chapters (organization_id, slug, name, parent_id, country)
       SELECT o.id, n.code || '-' || n.name, n.name, st.id, 'US'
         FROM o, n JOIN st ON st.slug = n.code ORDER BY n.i, n.state RETURNING id, slug)
-- Rank r is the (r / 6 + 1)th city of state r % 6: the largest city of each state first.
INSERT INTO city SELECT (n.i - 1) * 6 + n.state, n.state, ct.id
  FROM n JOIN ct ON ct.slug = n.code || '-' || n.name;
-- Member g: a city by rank, log-uniform (rank k with probability ln((k + 2) / (k + 1)) / ln 49,
-- so the "new" chapters, ranks 48 to 53, stay empty), or none for 15 %.
CREATE TEMP TABLE seed AS
SELECT g, CASE WHEN random() < 0.85 THEN least(floor(exp(random() * ln(49)))::int - 1, 47) END AS rank,
       random() AS r1, random() AS r2, random() AS r3
  FROM generate_series(0, $search_members - 1) g;
INSERT INTO members (organization_id, phone_e164, language, joined_at, created_at, updated_at, fields, tags)
SELECT o.id, '+1557' || lpad(s.g::text, 7, '0'),
       CASE WHEN s.r1 < 0.15 THEN 'es' WHEN s.r1 < 0.2 THEN 'zh' END,
       CASE WHEN s.r2 < 0.85 THEN t.at END, t.at, t.at,
       CASE WHEN s.rank IS NULL THEN '{}'::jsonb
            ELSE jsonb_build_object('zip', lpad((c.rank * 100 + s.g % 100 + 10000)::text, 5, '0')) END,
       array_remove(ARRAY[
         CASE WHEN random() < 0.25 THEN 'housing' END,
         CASE WHEN random() < 0.12 THEN 'climate' END,
         CASE WHEN random() < 0.10 THEN 'volunteer' END,
         CASE WHEN random() < 0.04 THEN 'donor' END,
         CASE WHEN random() < 0.03 THEN 'canvasser' END,
         CASE WHEN random() < 0.005 THEN 'leader' END,
         CASE WHEN random() < 0.0002 THEN 'press' END,
         CASE WHEN c.state IN (1, 2, 3) AND random() < 0.06 THEN 'farmworker' END], NULL)
  FROM (SELECT id FROM organizations WHERE slug = 'bench') o,
       seed s LEFT JOIN city c ON c.rank = s.rank,
       LATERAL (SELECT now() - interval '3 years' * (1 - s.g::float8 / $search_members) AS at) t
 ORDER BY s.g;
INSERT INTO member_chapters (organization_id, member_id, chapter_id, joined_at)
SELECT m.organization_id, m.id, c.id, m.created_at
  FROM members m JOIN seed s ON substr(m.phone_e164, 6)::int = s.g
  JOIN city c ON c.rank = s.rank;
INSERT INTO opt_outs (organization_id, member_id, channel_id, created_at)
SELECT m.organization_id, m.id, NULL, m.created_at
  FROM members m JOIN seed s ON substr(m.phone_e164, 6)::int = s.g
 WHERE s.r3 < 0.03;
SQL
# A membership grown over years has been vacuumed and analyzed by autovacuum; VACUUM also sets
# the visibility map, without which the index-only scans of member_chapters read the heap.
sql 'VACUUM ANALYZE'
sql 'CHECKPOINT'
echo "seeded $search_members members in $((SECONDS - seed_start)) s"
{ echo "members per state (with sub-chapters), of $search_members:"
  sql "SELECT '  ' || p.slug || ' ' || count(*) FROM member_chapters mc JOIN chapters c ON c.id = mc.chapter_id
         JOIN chapters p ON p.id = c.parent_id GROUP BY p.slug ORDER BY count(*) DESC"
  echo "largest and smallest cities:"
  sql "(SELECT '  ' || c.slug || ' ' || count(*) FROM member_chapters mc JOIN chapters c ON c.id = mc.chapter_id
         GROUP BY c.slug ORDER BY count(*) DESC LIMIT 3) UNION ALL
       (SELECT '  ' || c.slug || ' ' || count(*) FROM member_chapters mc JOIN chapters c ON c.id = mc.chapter_id
         GROUP BY c.slug ORDER BY count(*) LIMIT 3)"
  echo "members per tag:"
  sql "SELECT '  ' || t || ' ' || count(*) FROM members, unnest(tags) t GROUP BY t ORDER BY count(*) DESC"
} | tee "$out/search-data.txt"
put search.members "$(sql 'SELECT count(*) FROM members')"
put search.seed_seconds "$((SECONDS - seed_start))"

CHORUS_DATABASE_URL=$search_url "$chorus" serve > "$out/serve-search.log" 2>&1 &
serve_pid=$!
pids+=("$serve_pid")
wait_http "http://127.0.0.1:$admin_port/readyz" || fail "chorus serve (phase 9) did not become ready"
CHORUS_BENCH_API_TOKEN=$(CHORUS_DATABASE_URL=$search_url "$chorus" token create --org bench \
  --role organizer --name bench-search 2>/dev/null) || fail "phase 9: chorus token create failed"
export CHORUS_BENCH_API_TOKEN
# KIND PAGES QUERY (chorus-bench member-search): the chapter includes its sub-chapters.
cat > "$out/search-queries.txt" <<'QUERIES'
dense 1 chapter=ny&tag=housing&limit=100            a state and a tag of a quarter of members
dense 1 chapter=ca&tag=climate&limit=100
city  1 chapter=ny-buffalo&tag=volunteer&limit=100  a mid-sized city
city  1 chapter=il-chicago&tag=donor&limit=100
city  1 chapter=pa-lancaster&tag=housing&limit=100  the smallest city
rare  1 chapter=ca&tag=leader&limit=100             0.5 % of members: a few pages
rare  1 chapter=pa-lancaster&tag=leader&limit=100   less than a page
rare  1 chapter=il&tag=press&limit=100              0.02 %
empty 1 chapter=ny-nyc&tag=farmworker&limit=100     no farmworker outside CA, TX and FL
empty 1 chapter=ny&tag=farmworker&limit=100
empty 1 chapter=il-evanston&tag=farmworker&limit=100
empty 1 chapter=tx-new&tag=housing&limit=100        a chapter without members
next  2-5 chapter=ca&tag=climate&limit=100          pages 2 to 5, through next_cursor
next  2-5 chapter=ny-nyc&tag=volunteer&limit=100
QUERIES
search_args=(--port "$chorus_port" --token-env CHORUS_BENCH_API_TOKEN
             --queries "$out/search-queries.txt" --rate "$search_rate" --seconds "$search_seconds")
hooks_args=(--port "$chorus_port" "${signed[@]}" --body "$body" --connections "$connections"
            --rate "$search_webhook_rate")
# Warm-up of the webhook path, then statistics for its tables, as in phase 3.
"$bench" loadgen "${hooks_args[@]}" --seconds 3 --sender-offset 0 --prefix search_warmup \
  --out "$out/search-warmup.kv" > "$out/search-warmup.log" || fail "phase 9 warm-up failed"
wait_processed 120
sql 'ANALYZE'
sql 'CHECKPOINT'

# The three parts are run again, up to BENCH_RETRIES times, when other processes disturbed any
# of them (new senders each time); only the last attempt is reported.
attempt=0
while :; do
  attempt=$((attempt + 1))
  akv="$out/search-$attempt.kv"
  : > "$akv"
  search_code=0
  # (a) Webhooks alone: the baseline of (c).
  quiet_check search_hooks_alone "serve=$serve_pid"
  "$bench" loadgen "${hooks_args[@]}" --seconds "$search_seconds" \
    --sender-offset $(( attempt * 1000000 )) --prefix search_hooks_alone \
    --cpu-watch "serve=$serve_pid,postgres=$postmaster" --out "$akv" || search_code=$?
  wait_processed 120
  sql 'CHECKPOINT'
  # (b) Searches alone.
  quiet_check search_alone "serve=$serve_pid"
  "$bench" member-search "${search_args[@]}" --prefix search_alone \
    --cpu-watch "serve=$serve_pid,postgres=$postmaster" --out "$akv" || search_code=$?
  sql 'CHECKPOINT'
  # (c) Both, from the same second: the searches prepare (one untimed round of every query)
  # while the load generator signs its webhooks, then both wait for start_at. The load generator
  # accounts the CPU of everything, the searches included, which therefore stay up a little longer.
  quiet_check search_loaded "serve=$serve_pid"
  start_at=$(( $(date +%s) + 20 ))
  "$bench" member-search "${search_args[@]}" --start-at "$start_at" --linger 10 --prefix search_loaded \
    --cpu-watch "serve=$serve_pid,postgres=$postmaster" --out "$out/search-loaded-$attempt.kv" \
    > "$out/search-loaded-$attempt.log" 2>&1 &
  searcher=$!
  pids+=("$searcher")
  "$bench" loadgen "${hooks_args[@]}" --seconds "$search_seconds" \
    --sender-offset $(( attempt * 1000000 + 500000 )) --start-at "$start_at" --prefix search_hooks_loaded \
    --cpu-watch "serve=$serve_pid,postgres=$postmaster,search=$searcher" --out "$akv" || search_code=$?
  wait "$searcher" || search_code=$?
  cat "$out/search-loaded-$attempt.log"
  cat "$out/search-loaded-$attempt.kv" >> "$akv"
  wait_processed 120
  sql 'CHECKPOINT'
  { disturbed search_hooks_alone "$akv" || disturbed search_alone "$akv" ||
    disturbed search_hooks_loaded "$akv"; } && [ "$attempt" -le "$retries" ] || break
  echo "bench: phase 9 was disturbed by other processes; again (attempt $((attempt + 1)))"
done
cat "$akv" >> "$kv"
put search.attempts "$attempt"
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
echo "serve-search.log: $(grep -ciE 'error|critical' "$out/serve-search.log" || true) error lines, $(wc -l < "$out/serve-search.log") lines"
fi

# ---------------------------------------------------------------------------- 10. fan-out
# Issue 8's target: enqueueing a personalised broadcast to 1,000,000 members within 2x of a raw
# INSERT ... SELECT of the same rows. In a database of its own that no server runs on (so no
# runner or dispatcher competes): chorus-bench fan-out seeds the members, then alternates the
# fan-out (PgBroadcastQueue::FanOut in a loop, the runner's batch size) and the raw insert, each
# into an emptied outbound_messages after VACUUM ANALYZE and CHECKPOINT; then profiles the
# statement's pieces and logs one batch's plan (auto_explain).
if want 10; then
say "10. Broadcast fan-out: $fanout_members members, FanOut until finished vs one raw INSERT ... SELECT, $fanout_runs runs each"
"$root/deploy/pg-local.sh" createdb "$pgdir" chorus_fanout
fanout_url=$("$root/deploy/pg-local.sh" url "$pgdir" chorus_fanout)
CHORUS_DATABASE_URL=$fanout_url "$chorus" migrate >/dev/null
CHORUS_DATABASE_URL=$fanout_url "$chorus" apply "$root/tests/bench/workspace.json" >/dev/null
quiet_check fanout
"$bench" fan-out --url "$fanout_url" --members "$fanout_members" --runs "$fanout_runs" \
  --profile-members "$fanout_profile" --server-log "$pghome/postgres.log" \
  --cpu-watch "postgres=$postmaster" --out "$kv" | tee "$out/fan-out.log" || fanout_code=$?
fi

# ---------------------------------------------------------------------------- summary
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }'; }
pg_events() {  # PREFIX: checkpoints and autovacuum runs in the PostgreSQL log during a phase
  awk -v a="$(val "$1.window_start")" -v b="$(val "$1.window_end")" '
    { t = $1 " " $2 }
    t < a || t > b { next }
    /checkpoint starting/ { c++ }
    /automatic (vacuum|analyze) of table/ {
      kind = ($0 ~ /automatic vacuum/) ? "vacuum" : "analyze"
      match($0, /table "[^"]*"/); name = substr($0, RSTART + 7, RLENGTH - 8)
      if (name !~ /\.public\./) { sys[kind]++; next }
      sub(/\.public\./, ".", name); n[kind] = n[kind] " " name }
    END { printf "%d checkpoint(s) started; autovacuum:%s%s; autoanalyze:%s%s", c,
          (n["vacuum"] == "" ? " none" : n["vacuum"]), (sys["vacuum"] ? " (+" sys["vacuum"] " catalog tables)" : ""),
          (n["analyze"] == "" ? " none" : n["analyze"]), (sys["analyze"] ? " (+" sys["analyze"] " catalog tables)" : "") }
  ' "$pghome/postgres.log"
}
quiet() {  # PREFIX WALL_SECONDS: how much of the machine others took during a phase
  awk -v o="$(val "$1.cpu_other")" -v s="$2" 'BEGIN { if (s <= 0 || o == "") { print "?"; exit }
    c = o / s; printf "%.2f cores%s", c, (c > 0.25 ? " (DISTURBED)" : " (quiet)") }'
}
best_pg=$(grep -E '^pg\.c[0-9]+_b[0-9]+\.rows_per_second=' "$kv" | sort -t= -k2 -n | tail -1 || true)
ms3() { echo "$(val "$1.p50_ms") / $(val "$1.p99_ms") / $(val "$1.max_ms")"; }  # PREFIX: p50 / p99 / max
search_summary() {  # phase 9: per kind of search alone and with webhooks, and the webhooks' acks
  cat <<EOF

| phase 9: $(val search.members) members, pages of 100, $search_rate searches/s (open loop) | searches alone | with $search_webhook_rate webhooks/s | target |
|---|---|---|---|
| all searches p50 / p99 / max (ms) | $(ms3 search_alone) | $(ms3 search_loaded) | p99 < 50 ms |
EOF
  local kind
  for kind in $(awk '!/^#/ && NF && !seen[$1]++ { print $1 }' "$out/search-queries.txt"); do
    echo "| $kind ($(val "search_loaded.$kind.members") members a page, n=$(val "search_loaded.$kind.n")) | $(ms3 "search_alone.$kind") | $(ms3 "search_loaded.$kind") | |"
  done
  cat <<EOF
| webhook acks at $search_webhook_rate/s p50 / p99 / max (ms) | $(ms3 search_hooks_alone) (webhooks alone) | $(ms3 search_hooks_loaded) | |

searches alone: $(val search_alone.sent) sent, $(val search_alone.ok) 2xx, $(val search_alone.non_2xx) other, $(val search_alone.no_answer) unanswered; with webhooks: $(val search_loaded.sent) sent, $(val search_loaded.ok) 2xx, $(val search_loaded.non_2xx) other, $(val search_loaded.no_answer) unanswered
webhooks alone: $(val search_hooks_alone.ok) 2xx of $(val search_hooks_alone.sent), $(val search_hooks_alone.no_answer) unanswered; with searches: $(val search_hooks_loaded.ok) 2xx of $(val search_hooks_loaded.sent), $(val search_hooks_loaded.no_answer) unanswered
CPU, webhooks alone (core-seconds over $(val search_hooks_alone.seconds) s): chorus $(val search_hooks_alone.cpu_serve), postgres $(val search_hooks_alone.cpu_postgres), loadgen $(val search_hooks_alone.cpu_loadgen), other $(val search_hooks_alone.cpu_other); machine busy $(pct "$(val search_hooks_alone.cpu_machine_busy)" "$(val search_hooks_alone.cpu_machine_total)")
CPU, searches alone (over $(val search_alone.seconds) s): chorus $(val search_alone.cpu_serve), postgres $(val search_alone.cpu_postgres), search client $(val search_alone.cpu_search), other $(val search_alone.cpu_other); machine busy $(pct "$(val search_alone.cpu_machine_busy)" "$(val search_alone.cpu_machine_total)")
CPU, both (over $(val search_hooks_loaded.seconds) s): chorus $(val search_hooks_loaded.cpu_serve), postgres $(val search_hooks_loaded.cpu_postgres), loadgen $(val search_hooks_loaded.cpu_loadgen), search client $(val search_hooks_loaded.cpu_search), other $(val search_hooks_loaded.cpu_other); machine busy $(pct "$(val search_hooks_loaded.cpu_machine_busy)" "$(val search_hooks_loaded.cpu_machine_total)")
PostgreSQL during phase 9: webhooks alone: $(pg_events search_hooks_alone); searches alone: $(pg_events search_alone); both: $(pg_events search_hooks_loaded)
other processes during phase 9: webhooks alone $(quiet search_hooks_alone "$(val search_hooks_alone.seconds)"), searches alone $(quiet search_alone "$(val search_alone.seconds)"), both $(quiet search_hooks_loaded "$(val search_hooks_loaded.seconds)"); just before (cores): $(val search_hooks_alone.others_cores_before), $(val search_alone.others_cores_before), $(val search_loaded.others_cores_before); attempts: $(val search.attempts)
EOF
}
fanout_summary() {  # phase 10: each run of the fan-out and of the raw insert, and the ratio
  local r
  cat <<EOF

| phase 10: $(val fanout.members) members, personalised en + es, quiet hours $(val fanout.quiet_hours), FanOut batches of $(val fanout.batch) | seconds | rows/s | target |
|---|---|---|---|
EOF
  for r in $(seq "$fanout_runs"); do
    echo "| fan-out run $r ($(val "fanout.fan$r.calls") FanOut calls, p50 $(val "fanout.fan$r.call_p50_ms") ms, max $(val "fanout.fan$r.call_max_ms") ms) | $(val "fanout.fan$r.seconds") | $(val "fanout.fan$r.rows_per_second") | |"
    echo "| raw INSERT ... SELECT run $r (one statement) | $(val "fanout.raw$r.seconds") | $(val "fanout.raw$r.rows_per_second") | baseline |"
  done
  cat <<EOF
| **fan-out / raw insert** (of the means; per run: $(for r in $(seq "$fanout_runs"); do printf '%s ' "$(val "fanout.ratio$r")"; done)) | **$(val fanout.ratio)** | | <= 2: $( [ "$(val fanout.target_met)" = yes ] && echo met || echo NOT MET) |
| fan-out / raw insert in PostgreSQL CPU (core-s: fan-out $(for r in $(seq "$fanout_runs"); do printf '%s ' "$(val "fanout.fan$r.postgres_cpu")"; done)/ raw $(for r in $(seq "$fanout_runs"); do printf '%s ' "$(val "fanout.raw$r.postgres_cpu")"; done)) | $(val fanout.cpu_ratio) | | |

seeded in $(val fanout.seed_seconds) s; $(val fanout.zoned_by_prefix) numbers with a zone by prefix; run 1 held $(val fanout.fan1.held_by_quiet_hours) rows for their quiet hours, $(val fanout.fan1.ucs2) UCS-2, $(val fanout.fan1.segments) segments
CPU, fan-out run 1 (core-s over $(val fanout.fan1.seconds) s): postgres $(val fanout_fan1.cpu_postgres), bench $(val fanout_fan1.cpu_bench), other $(val fanout_fan1.cpu_other); raw run 1 (over $(val fanout.raw1.seconds) s): postgres $(val fanout_raw1.cpu_postgres), other $(val fanout_raw1.cpu_other)
PostgreSQL during phase 10's timed runs: $(pg_events fanout)
other processes during phase 10: $(for r in $(seq "$fanout_runs"); do printf 'fan-out run %s %s, raw run %s %s; ' "$r" "$(quiet "fanout_fan$r" "$(val "fanout.fan$r.seconds")")" "$r" "$(quiet "fanout_raw$r" "$(val "fanout.raw$r.seconds")")"; done)just before (cores): $(val fanout.others_cores_before)
where the time goes, wall us a row over the first $fanout_profile members: $(grep -E '^fanout\.profile\.[a-z_]+\.us_per_row=' "$kv" | sed -E 's/^fanout\.profile\.([a-z_]+)\.us_per_row=/\1 /' | paste -sd ';' | sed 's/;/; /g')
the same in PostgreSQL CPU us a row: $(grep -E '^fanout\.profile\.[a-z_]+\.postgres_cpu_us_per_row=' "$kv" | sed -E 's/^fanout\.profile\.([a-z_]+)\.postgres_cpu_us_per_row=/\1 /' | paste -sd ';' | sed 's/;/; /g')
EOF
}
{
cat <<EOF

== Summary ($(date -u +%Y-%m-%dT%H:%MZ))
machine: $(nproc) cores, $cpu_model, Linux $(uname -r), $(free -g | awk '/Mem:/ {print $2}') GB
postgres: $(val pg.fsync | sed 's/^/fsync=/') synchronous_commit=$(val pg.synchronous_commit), private cluster
source: commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(n=$(git -C "$root" status --porcelain -- server migrations 2>/dev/null | wc -l); [ "$n" = 0 ] || echo " + $n uncommitted files under server/ and migrations/"), Release build
chorus serve: CHORUS_IO_THREADS=${CHORUS_IO_THREADS:-default} CHORUS_INGEST_WRITERS=${CHORUS_INGEST_WRITERS:-default} CHORUS_PROCESS_WORKERS=${CHORUS_PROCESS_WORKERS:-default} (defaults: docs/CONFIG.md)
command: BENCH_PHASES=$phases BENCH_CONNECTIONS=$connections BENCH_REQUESTS=$requests BENCH_SECONDS=$seconds BENCH_REPLY_RATE=$reply_rate BENCH_REPLY_SECONDS=$reply_seconds BENCH_FLOW_RATE=$flow_rate BENCH_FLOW_SECONDS=$flow_seconds BENCH_TIMERS=$timers BENCH_TIMER_LIVE_RATE=$live_rate BENCH_TIMER_LIVE_SECONDS=$live_seconds BENCH_SEARCH_MEMBERS=$search_members BENCH_SEARCH_RATE=$search_rate BENCH_SEARCH_SECONDS=$search_seconds BENCH_SEARCH_WEBHOOK_RATE=$search_webhook_rate BENCH_FANOUT_MEMBERS=$fanout_members BENCH_FANOUT_RUNS=$fanout_runs BENCH_FANOUT_PROFILE=$fanout_profile tests/bench/run.sh
EOF
if want 1 || want 2 || want 3 || want 8; then
cat <<EOF

| measurement | result | target |
|---|---|---|
| minimal-server (http::Server, 200 to all), $connections conns | $(val minimal.ok_per_second) req/s, p50 $(val minimal.p50_ms) ms, p99 $(val minimal.p99_ms) ms | baseline |
| PostgreSQL batched insert, best (${best_pg%%.rows*}) | ${best_pg#*=} rows/s | baseline |
| PostgreSQL at the server's mean batch ($(val pg.server_batch) rows, $writers conn(s)) | $(val "pg.c${writers}_b$(val pg.server_batch).rows_per_second") rows/s | baseline |
| Chorus durable webhooks, $connections conns | $(val ingest.ok_per_second) 2xx/s, p50 $(val ingest.p50_ms) ms, p99 $(val ingest.p99_ms) ms, max $(val ingest.max_ms) ms | >= 10000/s, p99 < 50 ms |
| Chorus durable webhooks over Telnyx (JSON + Ed25519), $connections conns | $(val telnyx.ok_per_second) 2xx/s, p50 $(val telnyx.p50_ms) ms, p99 $(val telnyx.p99_ms) ms, max $(val telnyx.max_ms) ms | |
| Chorus webhook-to-reply at $(val reply.rate)/s | p50 $(val reply.p50_ms) ms, p90 $(val reply.p90_ms) ms, p99 $(val reply.p99_ms) ms, max $(val reply.max_ms) ms; missing $(val reply.missing) | p99 < 50 ms |
| acks at $(val reply.rate)/s (open loop) | p50 $(val reply.ack.p50_ms) ms, p99 $(val reply.ack.p99_ms) ms | |
| Chorus flow reply at $(val flow.rate) members/s (FLOW: set field, tag, webhook, send, end) | p50 $(val flow.p50_ms) ms, p90 $(val flow.p90_ms) ms, p99 $(val flow.p99_ms) ms, max $(val flow.max_ms) ms; missing $(val flow.missing) | p99 < 50 ms |
| acks at $(val flow.rate)/s (open loop) | p50 $(val flow.ack.p50_ms) ms, p99 $(val flow.ack.p99_ms) ms | |
| timers due at once, fired | $(val timers.fired) of $timers, $(val timers.firings_per_second) firings/s (first $(val timers.first_s) s, last $(val timers.last_s) s after due) | >= 5000/s, each once |
| processing batch loading (256 members): empty backlog / behind $(val loader.backlog_events) waiting events, statistics from before / after ANALYZE | p50 $(val loader.empty_p50_ms) / $(val loader.stale_p50_ms) / $(val loader.backlog_p50_ms) ms | flat |
| live PING at $(val live.rate)/s while the timers fire | p50 $(val live.firing_p50_ms) ms, p99 $(val live.firing_p99_ms) ms, max $(val live.firing_max_ms) ms (n=$(val live.firing_n)); before: p99 $(val live.before_p99_ms) ms; whole run: p99 $(val live.p99_ms) ms, missing $(val live.missing) | |

ingest phase: $(val ingest.sent) sent, $(val ingest.ok) 2xx, $(val ingest.non_2xx) non-2xx, $(val ingest.no_answer) unanswered in $(val ingest.seconds) s
durability: $(val durability.acked) acknowledged, $(val durability.rows) rows, $(val durability.acked_missing) acknowledged but missing; Telnyx $(val durability.telnyx_acked) acknowledged, $(val durability.telnyx_missing) missing
CPU in the Telnyx ingest phase: chorus $(val telnyx.cpu_serve), postgres $(val telnyx.cpu_postgres), loadgen $(val telnyx.cpu_loadgen), other $(val telnyx.cpu_other)
processing: $(val ingest.unprocessed_at_end) unprocessed when the load stopped, drained $(val ingest.drain_seconds) s later
group commit: $(val ingest.metrics.ingest_batches) ingest transactions, mean $(val ingest.metrics.ingest_batch_mean) webhooks each;$(val ingest.metrics.ingest_batch_distribution)
processing: mean $(val ingest.metrics.processing_batch_mean) members per transaction
server-side answer time (bucket bounds): p50 <= $(val ingest.metrics.server_inbound_p50_le_s) s, p99 <= $(val ingest.metrics.server_inbound_p99_le_s) s
CPU in the ingest phase (core-seconds over $(val ingest.seconds) s): chorus $(val ingest.cpu_serve), postgres $(val ingest.cpu_postgres), loadgen $(val ingest.cpu_loadgen), other $(val ingest.cpu_other); machine busy $(pct "$(val ingest.cpu_machine_busy)" "$(val ingest.cpu_machine_total)")
CPU in the HTTP baseline: server $(val minimal.cpu_server), loadgen $(val minimal.cpu_loadgen), other $(val minimal.cpu_other); machine busy $(pct "$(val minimal.cpu_machine_busy)" "$(val minimal.cpu_machine_total)")
CPU in the reply phase: chorus $(val reply.cpu_serve), postgres $(val reply.cpu_postgres), bench+fake $(val reply.cpu_bench), other $(val reply.cpu_other)
flow phase: $(val flow.replies) replies, $(val flow.duplicates) duplicates, $(val flow.wrong_body) other texts; receiver: $(val flow.receiver_calls) calls, $(val flow.receiver_distinct) distinct ids, $(val flow.receiver_bad_signature) bad signatures
flow phase webhook calls: $(val flow.db_claims) claims, mean $(val flow.db_calls_per_claim) calls, max $(val flow.db_claim_max), $(val flow.db_full_claims) of 64+; $(val flow.db_queuing_transactions) queuing transactions, mean $(val flow.db_calls_per_transaction), max $(val flow.db_transaction_max), $(val flow.db_transactions_over_64) over 64
flow phase in the database: $(val flow.db_members) members, $(val flow.db_one_reply) with exactly one text, $(val flow.db_no_reply) none, $(val flow.db_several_replies) several; $(val flow.db_calls) webhook calls, $(val flow.db_calls_done) done, $(val flow.db_calls_ok) 2xx; $(val flow.db_sessions_active) sessions still active
flow phase processing: mean $(val flow.metrics.processing_batch_mean) members per transaction, $(val flow.metrics.processing_batches) transactions; webhook calls (server): ok $(val0 flow.metrics.webhook_calls.ok) failed $(val0 flow.metrics.webhook_calls.failed) timed out $(val0 flow.metrics.webhook_calls.timed_out)
CPU in the flow phase: chorus $(val flow.cpu_serve), postgres $(val flow.cpu_postgres), bench+fake+receiver $(val flow.cpu_bench), other $(val flow.cpu_other)
timers: $(val timers.events) events, $(val timers.fired) fired, $(val timers.pending) pending, $(val timers.not_fired) other outcomes; $(val timers.tick_rows) tick texts for $(val timers.tick_members) members ($(val timers.members_not_one) members without exactly one); $(val timers.tick_sent) accepted by the fake, the last $(val timers.ticks_accepted_s) s after due; $(val timers.sessions_active) sessions still waiting
timers phase processing: mean $(val timers.metrics.processing_batch_mean) members per transaction, $(val timers.metrics.processing_batches) transactions
live traffic during the timers phase: before due p50 $(val live.before_p50_ms) p99 $(val live.before_p99_ms) ms (n=$(val live.before_n)); firing p50 $(val live.firing_p50_ms) p99 $(val live.firing_p99_ms) ms (n=$(val live.firing_n)); after p50 $(val live.after_p50_ms) p99 $(val live.after_p99_ms) ms (n=$(val live.after_n))
CPU in the timers phase ($(val live.ack.seconds) s of live traffic): chorus $(val live.cpu_serve), postgres $(val live.cpu_postgres), bench+fake $(val live.cpu_bench), other $(val live.cpu_other)
PostgreSQL during the ingest phase: $(pg_events ingest)
PostgreSQL during the reply phase: $(pg_events reply)
PostgreSQL during the flow phase: $(pg_events flow)
PostgreSQL during the timers phase: $(pg_events live)
other processes during the timed phases: minimal $(quiet minimal "$(val minimal.seconds)"), ingest $(quiet ingest "$(val ingest.seconds)"), telnyx $(quiet telnyx "$(val telnyx.seconds)"), reply $(quiet reply "$(val reply.ack.seconds)"), flow $(quiet flow "$(val flow.ack.seconds)"), timers $(quiet live "$(val live.ack.seconds)")
other processes just before (cores): minimal $(val minimal.others_cores_before), pg $(val pg.others_cores_before), ingest $(val ingest.others_cores_before), reply $(val reply.others_cores_before), flow $(val flow.others_cores_before), timers $(val timers.others_cores_before)
EOF
fi
if want 9; then search_summary; fi
if want 10; then fanout_summary; fi
echo "results: $out"
} | tee "$out/summary.txt"
if want 2; then
  echo "PostgreSQL baseline (inbound_messages rows, one durable commit per batch):"
  grep -E '^  (connections|[0-9])' "$out/pg-insert.log" | awk '!seen[$0]++'
fi
cp "$pghome/postgres.log" "$out/postgres.log" 2>/dev/null || true
[ "$reply_code" = 0 ] || fail "phase 4 failed (exit $reply_code: unanswered webhooks or missing replies)"
[ "$flow_code" = 0 ] || fail "phase 6 failed (exit $flow_code: unanswered webhooks, missing replies, or the database check)"
[ "$live_code" = 0 ] || fail "phase 7 failed: the live traffic had unanswered webhooks or missing replies (exit $live_code)"
[ "$timer_code" = 0 ] || fail "phase 7 failed: the timers did not fire exactly once each"
[ "$loader_code" = 0 ] || fail "phase 8 failed (exit $loader_code)"
[ "$fanout_code" = 0 ] || fail "phase 10 failed (exit $fanout_code: a run did not write every member exactly once, or the database was not fresh)"
[ "$search_code" = 0 ] || fail "phase 9 failed (exit $search_code: searches or webhooks not answered 2xx, or the queries could not be prepared)"
