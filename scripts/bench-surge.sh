#!/usr/bin/env bash
# The surge benchmark (issue 20, part 3), as BENCHMARKS.md records it:
#   scripts/bench-surge.sh [SECONDS] [FACTOR]      (defaults: 15 s of arrivals, 3 × capacity)
# Builds the release binary and starts `creneau serve --demo` on 127.0.0.1 in a fresh folder,
# measures the search page's capacity (scripts/bench-surge.py capacity, 16 visitors at once), then
# sends new visitors at FACTOR × that rate, first without the waiting room, then with it
# (CRENEAU_WAITING_ROOM=on; bounds CRENEAU_WAITING_ROOM_MAX_IN_FLIGHT, default here 16, and
# CRENEAU_WAITING_ROOM_LATENCY_MS, default here 250; CRENEAU_BENCH_ROOM_ONLY=1 skips the run without
# the room). Per-address limits are off (every visitor
# comes from 127.0.0.1). Stops the servers; bounded (visitors give up after 180 s).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
factor="${2:-3}"
swift build -c release --product creneau >/dev/null
bin="$PWD/.build/release/creneau"
port="${CRENEAU_BENCH_PORT:-18555}"
folder="$(mktemp -d)"
server=""
stop() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; fi; }
trap 'stop; rm -rf "$folder"' EXIT
start() {
  rm -rf "$folder/data"
  (cd "$folder" && exec env CRENEAU_RATE_LIMITS=off CRENEAU_MAX_CONNECTIONS_PER_ADDRESS=1000000 CRENEAU_LOG_LEVEL=warning "$@" \
     "$bin" serve --demo --host 127.0.0.1 --port "$port" > "$folder/server.log" 2>&1) &
  server=$!
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.5; done
  cat "$folder/server.log"; exit 1
}
start CRENEAU_WAITING_ROOM=off
capacity="$(/usr/bin/python3 scripts/bench-surge.py "http://127.0.0.1:$port" capacity 10)"
echo "$capacity"
rate="$(echo "$capacity" | sed -E 's/capacity: ([0-9]+).*/\1/')"
rate=$((rate * factor))
if [ "${CRENEAU_BENCH_ROOM_ONLY:-}" != 1 ]; then
  echo "== Without the waiting room: $rate new visitors a second for $seconds s"
  /usr/bin/python3 scripts/bench-surge.py "http://127.0.0.1:$port" surge "$seconds" "$rate"
fi
stop
echo "== With the waiting room"
start CRENEAU_WAITING_ROOM=on CRENEAU_WAITING_ROOM_MAX_IN_FLIGHT="${CRENEAU_WAITING_ROOM_MAX_IN_FLIGHT:-16}" \
  CRENEAU_WAITING_ROOM_LATENCY_MS="${CRENEAU_WAITING_ROOM_LATENCY_MS:-250}"
/usr/bin/python3 scripts/bench-surge.py "http://127.0.0.1:$port" surge "$seconds" "$rate"
curl -s "http://127.0.0.1:$port/metrics" | grep -E 'route="/search",(status|le="(0.1|0.25|0.5|\+Inf)")' || true
