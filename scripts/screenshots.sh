#!/usr/bin/env bash
# Makes docs/screenshots/ from what the dashboard tests really render (Debian's Chromium, driven by Playwright):
# runs those tests, then copies the pictures the walk-through in docs/operations.md shows.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf TestResults/screenshots
dotnet test tests/Shoal.Server.Tests --filter "FullyQualifiedName~Shoal.Server.Tests.Dashboard" --logger "console;verbosity=minimal"
mkdir -p docs/screenshots
for shot in overview stream-failed sweep-failed phone-stuck phone-job; do
  cp "TestResults/screenshots/$shot.png" "docs/screenshots/$shot.png"
done
ls -l docs/screenshots
