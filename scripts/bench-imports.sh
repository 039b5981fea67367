#!/usr/bin/env bash
# Times the two imports on a fresh avoine demo (SQLite), as BENCHMARKS.md records them:
#   scripts/bench-imports.sh [PATIENT_ROWS] [PRACTITIONER_ROWS]     (defaults 1000000 and 9000)
# Builds the release binary, seeds a throwaway database, writes the synthetic files with
# scripts/patient-index.py and scripts/practitioners-csv.py, and runs each import under
# /usr/bin/time -v (wall time and peak memory), then the practitioners again (idempotence).
set -euo pipefail
cd "$(dirname "$0")/.."
patients="${1:-1000000}" practitioners="${2:-9000}"
swift build -c release --product creneau >/dev/null
bin="$PWD/.build/release/creneau"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/bench.sqlite"
"$bin" seed --profile avoine --database-path "$db" >/dev/null
python3 scripts/practitioners-csv.py "$practitioners" avoine medecine-generale pediatrie maternite gynecologie kinesitherapie \
  soins-infirmiers dermatologie cardiologie orthophonie dietetique podologie > "$work/practitioners.csv"
python3 scripts/patient-index.py "$patients" avoine/cardiologie avoine/pediatrie avoine/medecine-generale > "$work/patients.csv"
run() {
  echo "== $*"
  /usr/bin/time -v "$bin" "$@" --database-path "$db" 2> "$work/time.txt" | head -2
  grep -E "Elapsed|Maximum resident" "$work/time.txt"
}
(cd "$work" && run import practitioners "$work/practitioners.csv")
(cd "$work" && run import practitioners "$work/practitioners.csv")
(cd "$work" && run import patients "$work/patients.csv")
