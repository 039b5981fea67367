#!/usr/bin/env bash
# The $bulk-publish benchmark, as BENCHMARKS.md records it:
#   scripts/bench-publish.sh SQLITE_FILE   (a loaded database: creneau seed --profile aphp --database-path FILE)
# Builds the release binary; builds the slot publication from nothing in-process (creneau bench
# publication); then starts `creneau serve` on 127.0.0.1, waits for its own first publication round,
# and times the pulls and the Slot search over HTTP (scripts/bench-publish.py). Stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
db="$1"
swift build -c release --product creneau >/dev/null
bin="$PWD/.build/release/creneau"
"$bin" bench publication --database-path "$db" --log-level warning
port="${CRENEAU_BENCH_PORT:-18093}"
log="$(mktemp)"
CRENEAU_RATE_LIMITS=off "$bin" serve --database-path "$db" --host 127.0.0.1 --port "$port" --log-level notice > "$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 900); do
  grep -q "Slot publication is current" "$log" && break
  kill -0 $server 2>/dev/null || { cat "$log"; exit 1; }
  sleep 1
done
grep "Slot publication is current" "$log" | tail -1
/usr/bin/python3 scripts/bench-publish.py "http://127.0.0.1:$port" 50
