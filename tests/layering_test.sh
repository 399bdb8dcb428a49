#!/usr/bin/env bash
# Keeps the dependency direction of docs/ARCHITECTURE.md honest: each folder of server/ may
# include only the folders listed for it, and the pure domain includes no Boost, libpqxx or
# generated protobuf headers. Run by CTest (label unit). Prints every violation.
set -euo pipefail
server=${1:?usage: layering_test.sh SERVER_DIR}
cd "$server"

declare -A allowed=(
  [core]="core"
  [compliance]="core compliance"
  [flows]="core flows"
  [api]="core api"
  [broadcasts]="core flows broadcasts"
  [workspace]="core compliance flows workspace"
  [routing]="core compliance flows workspace routing"
  [ingest]="core compliance flows workspace routing ingest"
  [transport]="core transport"
  [dispatch]="core workspace carriers transport dispatch"
  [carriers]="core transport carriers"
  [observability]="core observability"
  [secrets]="core secrets"
  [retention]="core compliance workspace retention"
  [store]="core compliance flows workspace routing ingest dispatch retention secrets api broadcasts store"
  [http]="core transport carriers ingest workspace observability api broadcasts http"
  [app]="core compliance flows workspace routing ingest dispatch retention transport carriers observability secrets api broadcasts store http app"
)
pure="core transport compliance flows workspace routing ingest dispatch retention api broadcasts"
status=0

for folder in "${!allowed[@]}"; do
  [ -d "$folder" ] || continue
  while IFS=: read -r file line include; do
    target=$(sed -E 's/#include "([^/"]+)\/.*/\1/' <<<"$include")
    case " ${allowed[$folder]} " in
      *" $target "*) ;;
      *) echo "$file:$line: $folder/ may not include $target/ ($include)"; status=1 ;;
    esac
  # Generated protobuf headers (chorus/v1/...) are checked with the pure domain below.
  done < <(grep -rnE '^#include "[^"]+/' "$folder" | grep -vE '#include "chorus/(api/)?v1/')
done

# Only app/ names a carrier adapter (carriers/KIND/...); everyone else sees the port.
for folder in "${!allowed[@]}"; do
  case "$folder" in app|carriers) continue ;; esac
  [ -d "$folder" ] || continue
  if grep -rnE '#include "carriers/[a-z0-9_]+/' "$folder"; then
    echo "$folder/ may include only the carrier port (carriers/*.hpp), not an adapter"; status=1
  fi
done
# An adapter includes no other adapter.
for adapter in carriers/*/; do
  kind=$(basename "$adapter")
  if grep -rnE '#include "carriers/[a-z0-9_]+/' "$adapter" | grep -v "#include \"carriers/$kind/"; then
    echo "carriers/$kind/ includes another carrier's adapter"; status=1
  fi
done

for folder in $pure; do
  # The workspace file adapter (workspace/file/) is the one place JSON meets protobuf.
  hits=$(grep -rnE '#include [<"](boost/|pqxx/|google/protobuf/|chorus/v1/|chorus/api/v1/)' "$folder" \
           | grep -v '^workspace/file/' || true)
  if [ -n "$hits" ]; then
    echo "$hits" | sed "s/^/pure domain includes a technology header: /"
    status=1
  fi
done

[ $status -eq 0 ] && echo "layering: ok"
exit $status
