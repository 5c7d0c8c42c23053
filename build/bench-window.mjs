// `npm run bench:window`: the window at clinic scale (issue 18, item 4), beside `npm run bench`. The
// built renderer in Debian's Chromium through the end-to-end tests' loopback bridge, the real engine
// behind it, the practice registry on 127.0.0.1: My Computer on a folder of 20,000 entries and the
// registry's DQA-Report with 5,000; for opening, sorting, a click, the arrow keys, Page Down, End,
// Home, select all, typing in the path bar and wheel scrolling, it prints the time until painted and
// the longest frame, the frames per second while scrolling, and the page's heap, each against the
// issue's aim. Method and figures: build/BENCHMARKS.md. Needs no root; not part of `npm test`.
// BENCH_RUNS=N sets the repetitions (default 5; medians, and the worst of them); BENCH_PROFILE=DIR
// writes a CPU profile of the page while it opens the 20,000 entries.
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleRunners } from './bench/bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5) || 5);
const AIMS = { paintedMs: 100, longestFrameMs: 50, heapMiB: 50 };
const log = (text) => process.stderr.write(`bench:window: ${text}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => `${value.toFixed(0)} ms`;

log('building the renderer');
execFileSync(process.execPath, [join(root, 'build/build.mjs'), 'renderer'], { stdio: ['ignore', 'ignore', 'inherit'] });

// The bundle lives two folders below the project, where the bridge finds dist/renderer and node_modules.
const bundleDir = join(root, '.tmp', `bench-window-${process.pid}`);
mkdirSync(bundleDir, { recursive: true });
let failed = false;
try {
  await bundleRunners({ 'window-runner': join(root, 'build/bench/window-runner.ts') }, bundleDir);
  const { runWindowBench } = await import(pathToFileURL(join(bundleDir, 'window-runner.mjs')).href);
  const results = await runWindowBench({ root, runs: RUNS, log, profileDir: process.env.BENCH_PROFILE || undefined });

  const lines = [];
  lines.push(`Registry Transfer window benchmark: ${RUNS} runs, medians (and the worst run), Chromium ${results.chromium} through the loopback bridge`);
  lines.push(`machine: ${cpus().length} x ${cpus()[0]?.model.trim() ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${release()}`);
  lines.push(`aims (issue 18): painted within ${AIMS.paintedMs} ms, no frame over ${AIMS.longestFrameMs} ms, heap under ${AIMS.heapMiB} MiB; ratio = figure / aim (at most 1 meets it)`);
  lines.push('');
  const head = ['measure', 'painted', 'worst', 'ratio', 'longest frame', 'worst', 'ratio'];
  const rows = [];
  for (const [name, timings] of Object.entries(results.timings)) {
    const painted = median(timings.map((t) => t.paintedMs));
    const frame = median(timings.map((t) => t.longestFrameMs));
    rows.push([
      name,
      ms(painted),
      ms(Math.max(...timings.map((t) => t.paintedMs))),
      (painted / AIMS.paintedMs).toFixed(2),
      ms(frame),
      ms(Math.max(...timings.map((t) => t.longestFrameMs))),
      (frame / AIMS.longestFrameMs).toFixed(2),
    ]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  lines.push(format(head));
  for (const row of rows) lines.push(format(row));
  lines.push('');
  for (const [name, scrolls] of Object.entries(results.scrolls)) {
    const frame = median(scrolls.map((s) => s.longestFrameMs));
    lines.push(
      `${name}: ${median(scrolls.map((s) => s.framesPerSecond)).toFixed(0)} frames a second, longest frame ${ms(frame)} (worst run ${ms(Math.max(...scrolls.map((s) => s.longestFrameMs)))}, ratio ${(frame / AIMS.longestFrameMs).toFixed(2)}), ` +
        `${median(scrolls.map((s) => s.framesOver50Ms))} frames over 50 ms, ${Math.min(...scrolls.map((s) => s.rowsDrawn))} rows drawn`,
    );
  }
  for (const [name, times] of Object.entries(results.engine)) {
    lines.push(`${name}: ${ms(median(times))} (worst ${ms(Math.max(...times))}), no window, no bridge`);
  }
  for (const [name, mib] of Object.entries(results.heapMiB)) {
    lines.push(`heap with ${name}: ${mib.toFixed(1)} MiB (ratio ${(mib / AIMS.heapMiB).toFixed(2)}), ${results.elements[name]} elements in the page`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (error) {
  failed = true;
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  rmSync(bundleDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
