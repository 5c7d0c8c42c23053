#!/usr/bin/env bash
# Every test of the project, as `npm test` runs it: type checks, then (after one build of the app)
# unit, integration (real sshd) and end-to-end (real Chromium) tests in one Vitest run.
# Integration tests start Debian's OpenSSH sshd and need root, as on the CI machine.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== type check"
npx tsc --noEmit -p tsconfig.json
echo "== build and tests"
# test/support/build-once.ts builds the app once before the first test file runs.
exec npx vitest run --config test/vitest.config.ts "$@"
