// One benchmark run of the engine, in a process of its own so that its peak memory is its own:
// sign in as the app does (identity checked first), then run the upload pipeline the app and the CLI
// run (checks, temporary name, size check, rename) over one connection, and print the timings and the
// process's peak resident memory as one JSON line. Bundled and started by build/bench.mjs.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Protocol } from '../../shared/contract';
import { parseProfile } from '../../electron/engine/profiles';
import { resolveRoleFolders } from '../../electron/engine/remote/folders';
import { openVerified } from '../../electron/engine/session/open-verified';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { checkUpload, recordDelivered, sendFile, type BatchListings } from '../../electron/engine/transfers/upload';
import { sameFingerprint } from '../../electron/engine/trust/fingerprint';
import { TrustStore } from '../../electron/engine/trust/trust-store';

export interface RunnerJob {
  protocol: Protocol;
  profile: unknown;
  /** The password comes in the environment variable BENCH_PASSWORD, never on the command line. */
  username: string;
  /** The server's identity, accepted for this run only. */
  fingerprint: string;
  files: string[];
}

export interface RunnerResult {
  connectMs: number;
  /** Checks of every file (reading it, HL7 scan, SHA-256, folder listings). */
  checkMs: number;
  /** Temporary-name upload, size check and rename of every file. */
  sendMs: number;
  /** From the first check to the last rename. */
  pipelineMs: number;
  /** CPU time (user + system) this process spent in the sends. */
  sendCpuMs: number;
  bytes: number;
  sent: number;
  problems: string[];
  peakRssMiB: number;
}

/** The kernel's high-water mark of this process's resident memory (VmHWM). */
function peakRssMiB(): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : process.memoryUsage().rss / 1024 / 1024;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as RunnerJob;
  const password = process.env.BENCH_PASSWORD ?? '';
  const profile = parseProfile(job.profile);
  const started = performance.now();
  const opened = await openVerified(
    { profile, protocol: job.protocol, username: job.username, password },
    { trust: new TrustStore(new MemorySettings()), allowedOnce: new Set(), ask: async (seen) => (sameFingerprint(seen.fingerprint, job.fingerprint) ? 'allow-once' : 'deny') },
  );
  const fs = opened.fs;
  const result: RunnerResult = { connectMs: 0, checkMs: 0, sendMs: 0, pipelineMs: 0, sendCpuMs: 0, bytes: 0, sent: 0, problems: [], peakRssMiB: 0 };
  try {
    const target = { profile, username: job.username, folders: await resolveRoleFolders(fs, profile, job.username) };
    result.connectMs = performance.now() - started;
    const pipelineStart = performance.now();
    // As the app's queue and the CLI do: one listing of the folders for the batch.
    const listings: BatchListings = {};
    for (const file of job.files) {
      const checkStart = performance.now();
      const check = await checkUpload(fs, target, file, listings);
      result.checkMs += performance.now() - checkStart;
      if (!check.canUpload || check.warningIds.length > 0) {
        result.problems.push(`${check.fileName}: ${check.lines.filter((l) => l.severity !== 'ok').map((l) => l.message).join(' ')}`);
        continue;
      }
      const sendStart = performance.now();
      const cpuStart = process.cpuUsage();
      await sendFile(fs, target, check);
      recordDelivered(listings, check.fileName, check.size);
      const cpu = process.cpuUsage(cpuStart);
      result.sendMs += performance.now() - sendStart;
      result.sendCpuMs += (cpu.user + cpu.system) / 1000;
      result.bytes += check.size;
      result.sent += 1;
    }
    result.pipelineMs = performance.now() - pipelineStart;
  } finally {
    await fs.close();
  }
  result.peakRssMiB = peakRssMiB();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`engine run failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
