#!/usr/bin/env bash
# The national-directory benchmark, as BENCHMARKS.md records it:
#   scripts/bench-rpps.sh [LINES] [POSTGRES_URL]   (default: 2,000,000 lines; SQLite only without a URL)
# Builds the release binary, writes a generated Annuaire Santé extract (scripts' twin of the real
# PS_LibreAcces_Personne_activite file), then on each engine: imports it into an empty database
# under /usr/bin/time (lines/s from the command's own report, peak memory from the kernel),
# imports it again (the idempotent re-import a monthly refresh is), and times the referring-doctor
# search on the result. The PostgreSQL database must be empty and disposable: the script drops its
# directory tables' rows first.
set -euo pipefail
cd "$(dirname "$0")/.."
lines="${1:-2000000}"
pg="${2:-}"
swift build -c release --product creneau >/dev/null
bin="$PWD/.build/release/creneau"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
file="$work/PS_LibreAcces_Personne_activite.txt"
"$bin" bench rpps-file "$file" --lines "$lines" --edge-cases
ls -l "$file" | awk '{printf "extract: %.0f MB\n", $5 / 1e6}'

measure() {  # label, database options…
  local label="$1"; shift
  for pass in first again; do
    /usr/bin/time -f "%M" -o "$work/rss" "$bin" import-rpps "$file" "$@" --log-level warning > "$work/report" || [ $? -eq 2 ]
    echo "$label, $pass import: $(head -1 "$work/report" | sed 's/ Bad lines.*//')"
    echo "$label, $pass import: peak memory $(( $(tail -1 "$work/rss") / 1024 )) MiB"
  done
  "$bin" bench directory-search --queries 2000 "$@" --log-level warning
}

measure "SQLite" --database-path "$work/directory.sqlite"
if [ -n "$pg" ]; then
  "$bin" migrate --database-url "$pg" --log-level warning >/dev/null
  psql "$pg" -q -c "DELETE FROM referring_doctor_places; DELETE FROM directory_imports; DELETE FROM referring_doctors WHERE source = 'rpps'" >/dev/null
  measure "PostgreSQL" --database-url "$pg"
fi
