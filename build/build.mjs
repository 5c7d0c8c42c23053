// Builds everything the app and the tests load, into dist/ (git-ignored):
//   dist/renderer/   the React page (Vite)
//   dist/main/       the Electron main process (ESM: electron-store is ESM-only)
//   dist/preload/    the preload (CommonJS, one file: a sandboxed preload cannot load modules)
//   dist/cli/        the headless `registry-transfer` command
// Runs on `npm install` (prepare), so `npx registry-transfer` works right after the install.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => join(root, p);
const only = process.argv.slice(2); // e.g. `node build/build.mjs cli` builds just the CLI
const wanted = (name) => only.length === 0 || only.includes(name);

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Native and ESM-only packages load from node_modules at run time.
  packages: 'external',
};

const targets = {
  main: ['electron/main/main.ts', () => esbuild({ ...node, entryPoints: [at('electron/main/main.ts')], outfile: at('dist/main/main.js'), format: 'esm', external: ['electron'] })],
  // A sandboxed preload can require only `electron`, so its few shared/ imports are bundled into it
  // (shared/call-names.ts; the contract's types are erased). Minified it loads faster in every window.
  preload: ['electron/preload/preload.ts', () => esbuild({ ...node, packages: undefined, minify: true, entryPoints: [at('electron/preload/preload.ts')], outfile: at('dist/preload/preload.cjs'), format: 'cjs', external: ['electron'] })],
  cli: ['electron/cli/main.ts', () => esbuild({ ...node, entryPoints: [at('electron/cli/main.ts')], outfile: at('dist/cli/cli.mjs'), format: 'esm' })],
  renderer: ['renderer/vite.config.ts', () => viteBuild({ configFile: at('renderer/vite.config.ts'), logLevel: 'warn' })],
};

for (const [name, [entry, run]] of Object.entries(targets)) {
  if (!wanted(name)) continue;
  if (!existsSync(at(entry))) {
    console.log(`build: ${name} skipped (${entry} not written yet)`);
    continue;
  }
  await run();
  console.log(`build: ${name} done`);
}
