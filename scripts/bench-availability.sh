#!/usr/bin/env bash
# Availability benchmarks of issue 3 (W1, W2 and the static ceiling) on the aphp
# dataset, over HTTP with wrk on 127.0.0.1, plus the in-process W1 figure.
# Bounded: each load runs DURATION seconds with CONNECTIONS connections and stops.
# Usage: scripts/bench-availability.sh [database.sqlite]   (seeds aphp there if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

db="${1:-/tmp/creneau-aphp.sqlite}"
port="${PORT:-8099}"
duration="${DURATION:-15}"
connections="${CONNECTIONS:-16}"
# CRENEAU_BIN: an executable built elsewhere (e.g. with --build-path); else this checkout's release build.
bin="${CRENEAU_BIN:-.build/release/creneau}"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[ -n "${CRENEAU_BIN:-}" ] || swift build -c release --product creneau >/dev/null
[ -f "$db" ] || "$bin" seed --profile aphp --database-path "$db"

work="$(mktemp -d /tmp/creneau-bench.XXXXXX)"
echo "== Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(swift --version 2>/dev/null | head -n 1)"
echo "== W1 in-process"
"$bin" bench availability --database-path "$db" --write-urls "$work"

"$bin" serve --database-path "$db" --host 127.0.0.1 --port "$port" --log-level warning &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done

cat > "$work/paths.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local counter = math.random(1, #paths)
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
LUA

load() { # name, paths-file (empty: /robots.txt)
  echo "== $1: wrk -t1 -c$connections -d${duration}s"
  if [ -z "$2" ]; then
    wrk -t1 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/robots.txt" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
  else
    PATHS="$2" wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$work/paths.lua" "http://127.0.0.1:$port" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
  fi
}
load "Ceiling (GET /robots.txt)" ""
load "W1 (one practitioner x 30 days, $(wc -l < "$work/w1.txt") practitioners in turn)" "$work/w1.txt"
load "W2 (a specialty across all sites, next 7 days, $(wc -l < "$work/w2.txt") specialties in turn)" "$work/w2.txt"
echo "== Server peak memory: $(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$pid/status")"
