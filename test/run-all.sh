#!/usr/bin/env bash
# Every test of the project, as `npm test` runs it: type checks, the build the end-to-end tests load,
# then unit, integration (real sshd) and end-to-end (real Chromium) tests in one Vitest run.
# Integration tests start Debian's OpenSSH sshd and need root, as on the CI machine.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== type check"
npx tsc --noEmit -p tsconfig.json
echo "== build"
npm run build --silent
echo "== tests"
exec npx vitest run --config test/vitest.config.ts "$@"
