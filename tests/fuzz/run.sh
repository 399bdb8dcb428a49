#!/usr/bin/env bash
# Runs the libFuzzer targets (docs/FUZZING.md): tests/fuzz/run.sh BUILD_DIR RUNS [TARGET...]
# Each target runs RUNS executions over a scratch copy of its corpus (seeds/ and found/), then
# its new inputs are merged, minimised, into found/. A crash keeps the input in crashers/ and
# stops with exit 1. Prints one line per target: executions, seconds, corpus size.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR RUNS [TARGET...]}" && pwd)
runs=${2:?usage: run.sh BUILD_DIR RUNS [TARGET...]}
shift 2

declare -A corpus=(
  [http_request_fuzz]=tests/fuzz/corpus/http_request
  [http_response_fuzz]=tests/fuzz/corpus/http_response
  [form_fuzz]=tests/fuzz/corpus/form
  [twilio_webhook_fuzz]=tests/carriers/twilio/fuzz/webhook
  [twilio_form_fuzz]=tests/carriers/twilio/fuzz/form
  [telnyx_webhook_fuzz]=tests/carriers/telnyx/fuzz/webhook
  [member_text_fuzz]=tests/flows/fuzz
)
# Longest input per target: a webhook or an API answer is a few KB; the framing targets get room
# to reach the header and body limits.
declare -A max_len=(
  [http_request_fuzz]=16384 [http_response_fuzz]=16384 [form_fuzz]=8192
  [twilio_webhook_fuzz]=8192 [twilio_form_fuzz]=4096 [telnyx_webhook_fuzz]=8192
  [member_text_fuzz]=2048
)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(http_request_fuzz http_response_fuzz form_fuzz
                                     twilio_webhook_fuzz twilio_form_fuzz telnyx_webhook_fuzz
                                     member_text_fuzz)

for target in "${targets[@]}"; do
  dir="$root/${corpus[$target]:?unknown target $target}"
  binary=$(find "$build" -type f -name "$target" -perm -u+x | head -1)
  [ -n "$binary" ] || { echo "run.sh: $target not built in $build" >&2; exit 2; }
  mkdir -p "$dir/found" "$dir/crashers"
  scratch=$(mktemp -d)
  cp "$dir/seeds/"* "$scratch/" 2>/dev/null || true
  cp "$dir/found/"* "$scratch/" 2>/dev/null || true
  log=$(mktemp)
  start=$(date +%s)
  if ! "$binary" -runs="$runs" -max_len="${max_len[$target]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$dir/crashers/" "$scratch" >"$log" 2>&1; then
    tail -40 "$log"
    echo "run.sh: $target found a crash; the input is in ${corpus[$target]}/crashers/" >&2
    exit 1
  fi
  seconds=$(( $(date +%s) - start ))
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  # Keep the smallest set of inputs that covers what the whole scratch corpus covers.
  merged=$(mktemp -d)
  "$binary" -merge=1 -max_len="${max_len[$target]}" "$merged" "$dir/found" "$scratch" >/dev/null 2>&1
  rm -rf "$dir/found" && mkdir -p "$dir/found"
  for f in "$merged"/*; do [ -e "$f" ] && cp "$f" "$dir/found/"; done
  echo "$target: $execs executions in ${seconds}s, no finding; found/ holds $(ls "$dir/found" | wc -l) inputs"
  rm -rf "$scratch" "$merged" "$log"
done
