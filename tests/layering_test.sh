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
  [workspace]="core compliance workspace"
  [routing]="core compliance workspace routing"
  [ingest]="core compliance workspace routing ingest"
  [dispatch]="core workspace carriers dispatch"
  [carriers]="core carriers"
  [observability]="core observability"
  [store]="core compliance workspace routing ingest dispatch store"
  [http]="core carriers ingest workspace observability http"
  [app]="core compliance workspace routing ingest dispatch carriers observability store http app"
)
pure="core compliance workspace routing ingest dispatch"
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
  done < <(grep -rnE '^#include "[^"]+/' "$folder" | grep -v '#include "chorus/v1/')
done

# dispatch may use only the carrier port, not an adapter.
if grep -rnE '#include "carriers/(twilio|[a-z_]+/)' dispatch; then
  echo "dispatch/ may include only carriers/carrier.hpp"; status=1
fi

for folder in $pure; do
  # The workspace file adapter is the one place JSON meets protobuf.
  hits=$(grep -rnE '#include [<"](boost/|pqxx/|google/protobuf/|chorus/v1/)' "$folder" \
           | grep -v '^workspace/workspace_file.cpp:' || true)
  if [ -n "$hits" ]; then
    echo "$hits" | sed "s/^/pure domain includes a technology header: /"
    status=1
  fi
done

[ $status -eq 0 ] && echo "layering: ok"
exit $status
