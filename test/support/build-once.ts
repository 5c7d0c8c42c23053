// Vitest global setup: build the app once (renderer, main, preload, CLI) before any test file runs,
// so tests load exactly what `npm run build` produces and no two test files rebuild it at once.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function buildOnce(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  if (process.env.REGISTRY_TRANSFER_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['build/build.mjs'], { cwd: root, stdio: 'inherit' });
}
