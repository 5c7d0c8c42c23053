#!/usr/bin/env node
// The `registry-transfer` command as npm links it. The CLI itself is bundled into dist/ by the build,
// which `npm install` runs (prepare); this launcher only finds it.
import { existsSync } from 'node:fs';

const bundle = new URL('../../dist/cli/cli.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('registry-transfer is not built yet: run npm install (or npm run build)\n');
  process.exit(1);
}
await import(bundle.href);
