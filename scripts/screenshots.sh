#!/usr/bin/env bash
# Refreshes docs/screenshots: runs the browser tests with their screenshots kept there.
# Needs chromium, chromium-driver, python3-selenium and python3-icalendar (apt).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/screenshots
CRENEAU_SCREENSHOTS="$PWD/docs/screenshots" swift test --filter BrowserTests
ls -1 docs/screenshots
