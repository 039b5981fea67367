#!/usr/bin/env bash
# Fetches the FHIR validators the tests read Creneau's FHIR output with (PyPI, pinned):
# fhirkit-rs (R4 core structure) and pyfhircheck (profiles: the ANS GAP package), into
# .build/fhir-validator, for Debian's python3 with PYTHONPATH (scripts/fhir-validate.py).
set -euo pipefail
cd "$(dirname "$0")/.."
target=.build/fhir-validator
[ -f "$target/.complete" ] && exit 0
rm -rf "$target"
mkdir -p "$target"
/usr/bin/python3 -m pip install --quiet --disable-pip-version-check --target "$target" --only-binary=:all: \
  fhirkit-rs==0.1.0 pyfhircheck==0.2.0 fhir.resources==8.3.0 fhir-core==1.1.12 fhirpathpy==2.2.4
touch "$target/.complete"
echo "FHIR validators in $target"
