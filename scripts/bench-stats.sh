#!/usr/bin/env bash
# Statistics on a loaded database (issue 19's targets):
#   scripts/bench-stats.sh SQLITE_FILE        (creneau seed --profile aphp --database-path FILE)
#   CRENEAU_DATABASE_URL=postgres://… scripts/bench-stats.sh
# Builds the release binary; recounts every summary from scratch (`creneau stats rebuild`, timed);
# records today's access delays (`creneau stats record`, timed); then starts `creneau serve` on
# 127.0.0.1 and times the dashboards, the API and a year's CSV as the group's director
# (scripts/bench-stats.py). Stops the server it started.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product creneau >/dev/null
bin=.build/release/creneau
database=()
if [ -n "${1:-}" ]; then database=(--database-path "$1"); fi
port="${CRENEAU_BENCH_PORT:-18094}"
log=$(mktemp)
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
# CRENEAU_BENCH_SKIP_REBUILD=1 times the pages only (the summaries already counted).
if [ -z "${CRENEAU_BENCH_SKIP_REBUILD:-}" ]; then
  /usr/bin/time -f "rebuild: %e s wall, %M KB max RSS" "$bin" stats rebuild "${database[@]}"
  /usr/bin/time -f "record: %e s wall, %M KB max RSS" "$bin" stats record "${database[@]}"
fi
CRENEAU_RATE_LIMITS=off "$bin" serve "${database[@]}" --host 127.0.0.1 --port "$port" --log-level notice > "$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 1
done
email="bench.$(date +%s)@aphp.demo"
link=$(CRENEAU_PUBLIC_URL="http://127.0.0.1:$port" "$bin" admin create --email "$email" --name "Bench statistics" "${database[@]}" | grep -o 'http[^ ]*welcome[^ ]*' | head -1)
python3 scripts/bench-stats.py "http://127.0.0.1:$port" "$link" "${CRENEAU_BENCH_ROUNDS:-200}" "$email"
