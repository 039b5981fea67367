#!/usr/bin/env bash
# Fetches schemathesis (PyPI, pinned) into .build/schemathesis, for Debian's python3 with
# PYTHONPATH: the OpenAPI fuzzing run (OpenAPITests) and, through its jsonschema-rs, the check
# of real answers against the document's schemas (scripts/openapi-check.py).
set -euo pipefail
cd "$(dirname "$0")/.."
target=.build/schemathesis
[ -f "$target/.complete" ] && exit 0
rm -rf "$target"
mkdir -p "$target"
/usr/bin/python3 -m pip install --quiet --disable-pip-version-check --target "$target" --only-binary=:all: schemathesis==4.32.5
touch "$target/.complete"
echo "schemathesis in $target"
