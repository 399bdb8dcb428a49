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
# prints a summary (results and logs stay in build-bench/bench-results/) and tears down.
# Exits non-zero when a phase fails. Works as root (the cluster then runs as `postgres`).
#
# Knobs (environment): BENCH_CONNECTIONS (64), BENCH_REQUESTS (300000), BENCH_SECONDS (20),
# BENCH_WARMUP (10000), BENCH_PG_SECONDS (5), BENCH_PG_BATCHES (16,64,256,512),
# BENCH_REPLY_RATE (1000), BENCH_REPLY_SECONDS (20), BENCH_LOADGEN_THREADS (1),
# BENCH_WAIT_QUIET (0: seconds to wait, before each phase, for other processes to use less
# than a quarter of a core; on a shared machine), BENCH_RETRIES (0: how many times to rerun
# phase 3 or 4 when other processes took over a quarter of a core during it), BENCH_SKIP_BUILD
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
threads=${BENCH_LOADGEN_THREADS:-1}
wait_quiet=${BENCH_WAIT_QUIET:-0}
retries=${BENCH_RETRIES:-0}
body="Hello from the benchmark, see you at the meeting"

chorus_port=18080
admin_port=18090
minimal_port=18091
carrier_port=18089  # tests/bench/workspace.json points the bench channel's api_base here
token=bench-auth-token-not-a-secret
account_sid=$(grep -oE '"AC[0-9a-fA-F]{32}"' "$root/tests/bench/workspace.json" | tr -d '"' | head -1 || true)

[ -n "$account_sid" ] || { echo "bench: no Twilio account SID in tests/bench/workspace.json" >&2; exit 1; }

say() { printf '\n== %s\n' "$*"; }
fail() { echo "bench: $*" >&2; exit 1; }

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

export CHORUS_BENCH_TWILIO_AUTH_TOKEN=$token
export CHORUS_BENCH_TELNYX_API_KEY=bench-api-key-not-a-secret
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

# ---------------------------------------------------------------------------- 2. database baseline
say "2. PostgreSQL baseline: batched inserts of inbound_messages rows, durable commits"
quiet_check pg
"$bench" pg-insert --url "$baseline_url" --batches "$pg_batches" --connections 1,2 \
  --seconds "$pg_seconds" --body "$body" --cpu-watch "postgres=$postmaster" --out "$kv" \
  | tee "$out/pg-insert.log" || fail "phase 2 failed"

# ---------------------------------------------------------------------------- 3. Chorus ingest
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
writers=${CHORUS_INGEST_WRITERS:-$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))}
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
  "$bench" reply-latency --port "$chorus_port" "${signed[@]}" --body PING --expect-reply PONG \
    --rate "$reply_rate" --seconds "$reply_seconds" --connections "$connections" \
    --sender-offset $(( 5000000 + (attempt - 1) * 200000 )) --carrier-port "$carrier_port" \
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

kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
echo "serve.log: $(grep -ciE 'error|critical' "$out/serve.log" || true) error lines, $(wc -l < "$out/serve.log") lines"

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
best_pg=$(grep -E '^pg\.c[0-9]+_b[0-9]+\.rows_per_second=' "$kv" | sort -t= -k2 -n | tail -1)
cat <<EOF | tee "$out/summary.txt"

== Summary ($(date -u +%Y-%m-%dT%H:%MZ))
machine: $(nproc) cores, $cpu_model, Linux $(uname -r), $(free -g | awk '/Mem:/ {print $2}') GB
postgres: $(val pg.fsync | sed 's/^/fsync=/') synchronous_commit=$(val pg.synchronous_commit), private cluster
source: commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(n=$(git -C "$root" status --porcelain -- server migrations 2>/dev/null | wc -l); [ "$n" = 0 ] || echo " + $n uncommitted files under server/ and migrations/"), Release build
chorus serve: CHORUS_IO_THREADS=${CHORUS_IO_THREADS:-default} CHORUS_INGEST_WRITERS=${CHORUS_INGEST_WRITERS:-default} CHORUS_PROCESS_WORKERS=${CHORUS_PROCESS_WORKERS:-default} (defaults: docs/CONFIG.md)
command: BENCH_CONNECTIONS=$connections BENCH_REQUESTS=$requests BENCH_SECONDS=$seconds BENCH_REPLY_RATE=$reply_rate tests/bench/run.sh

| measurement | result | target |
|---|---|---|
| minimal-server (http::Server, 200 to all), $connections conns | $(val minimal.ok_per_second) req/s, p50 $(val minimal.p50_ms) ms, p99 $(val minimal.p99_ms) ms | baseline |
| PostgreSQL batched insert, best (${best_pg%%.rows*}) | ${best_pg#*=} rows/s | baseline |
| PostgreSQL at the server's mean batch ($(val pg.server_batch) rows, $writers conn(s)) | $(val "pg.c${writers}_b$(val pg.server_batch).rows_per_second") rows/s | baseline |
| Chorus durable webhooks, $connections conns | $(val ingest.ok_per_second) 2xx/s, p50 $(val ingest.p50_ms) ms, p99 $(val ingest.p99_ms) ms, max $(val ingest.max_ms) ms | >= 10000/s, p99 < 50 ms |
| Chorus durable webhooks over Telnyx (JSON + Ed25519), $connections conns | $(val telnyx.ok_per_second) 2xx/s, p50 $(val telnyx.p50_ms) ms, p99 $(val telnyx.p99_ms) ms, max $(val telnyx.max_ms) ms | |
| Chorus webhook-to-reply at $(val reply.rate)/s | p50 $(val reply.p50_ms) ms, p90 $(val reply.p90_ms) ms, p99 $(val reply.p99_ms) ms, max $(val reply.max_ms) ms; missing $(val reply.missing) | p99 < 50 ms |
| acks at $(val reply.rate)/s (open loop) | p50 $(val reply.ack.p50_ms) ms, p99 $(val reply.ack.p99_ms) ms | |

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
PostgreSQL during the ingest phase: $(pg_events ingest)
PostgreSQL during the reply phase: $(pg_events reply)
other processes during the timed phases: minimal $(quiet minimal "$(val minimal.seconds)"), ingest $(quiet ingest "$(val ingest.seconds)"), telnyx $(quiet telnyx "$(val telnyx.seconds)"), reply $(quiet reply "$(val reply.ack.seconds)")
other processes just before (cores): minimal $(val minimal.others_cores_before), pg $(val pg.others_cores_before), ingest $(val ingest.others_cores_before), reply $(val reply.others_cores_before)
results: $out
EOF
echo "PostgreSQL baseline (inbound_messages rows, one durable commit per batch):"
grep -E '^  (connections|[0-9])' "$out/pg-insert.log" | awk '!seen[$0]++'
cp "$pghome/postgres.log" "$out/postgres.log" 2>/dev/null || true
[ "$reply_code" = 0 ] || fail "phase 4 failed (exit $reply_code: unanswered webhooks or missing replies)"
