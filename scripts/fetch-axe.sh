#!/usr/bin/env bash
# Fetches axe-core (Deque, MPL-2.0) for the accessibility tests: the script inside PyPI's
# axe-core-python 0.1.0 (axe-core 4.4.3), unpacked to .build/axe/axe.min.js.
set -euo pipefail
cd "$(dirname "$0")/.."
target=.build/axe/axe.min.js
[ -s "$target" ] && exit 0
mkdir -p .build/axe
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python="$(command -v python3 || echo /usr/bin/python3)"
"$python" -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" axe-core-python==0.1.0
"$python" - "$tmp" "$target" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/axe_core_python-*.whl")[0]
with zipfile.ZipFile(wheel) as archive, open(sys.argv[2], "wb") as out:
    out.write(archive.read("axe_core_python/axe.min.js"))
PY
echo "axe-core in $target"
