// One benchmark run of the engine, in a process of its own so that its peak memory is its own. It
// drives the app's engine exactly as the window does, through the contract (dispatchCall): connect
// (the server's identity is allowed for this run only if it is the one expected), then one `upload`
// call per file, as the window makes after the checks dialog. The transfer queue then runs its whole
// pipeline (checks, temporary name, size check, rename, history line) over one connection, as many
// files at once as the connection carries. Prints the timings and the process's peak resident
// memory as one JSON line. Bundled and started by build/bench.mjs.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { dispatchCall, type CallInput, type CallName, type CallResults, type Protocol, type RegistryEvent, type TransferStatus } from '../../shared/contract';
import { letHeapGrowForTransfers } from '../../electron/engine/heap-growth';
import { createRegistryService } from '../../electron/engine/registry-service';
import { openFtps } from '../../electron/engine/remote/ftps';
import { openSftp } from '../../electron/engine/remote/sftp';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { sameFingerprint } from '../../electron/engine/trust/fingerprint';
import { TransferHistory } from '../../electron/engine/transfers/history';
import { countMajorGcs, machineCpuMs } from './machine-cpu';

export interface RunnerJob {
  protocol: Protocol;
  profile: { id: string } & Record<string, unknown>;
  /** The password comes in the environment variable BENCH_PASSWORD, never on the command line. */
  username: string;
  /** The server's identity, accepted for this run only. */
  fingerprint: string;
  files: string[];
  /**
   * 'app' (the default): the whole pipeline, as the window drives it. 'library': the protocol
   * library's own upload of the first file, for reference: how fast the library itself goes on
   * this machine.
   */
  mode?: 'app' | 'library' | 'submissions';
  /**
   * mode 'submissions': names recorded in the transfer history as sent from here before signing
   * in; the run then times one listSubmissions call, as the window's submissions view makes it.
   */
  sentNames?: string[];
}

export interface RunnerResult {
  connectMs: number;
  /** From the first upload call until the first file is being sent (its checks, and the queue starting). */
  checkMs: number;
  /** From the first file being sent until the last one is delivered. */
  sendMs: number;
  /** From the first upload call until the last file is delivered. */
  pipelineMs: number;
  /** CPU time (user + system) this process spent from the first file being sent to the last delivered. */
  sendCpuMs: number;
  /** CPU time the whole machine spent meanwhile (this process, the servers, anything else running). */
  sendMachineCpuMs: number;
  /** Full garbage collections in this process meanwhile. */
  sendMajorGcs: number;
  bytes: number;
  sent: number;
  problems: string[];
  peakRssMiB: number;
  /** mode 'submissions': the listSubmissions call, from the call to its answer. */
  submissionsMs?: number;
  /** mode 'submissions': files followed, and registry files matching none. */
  followed?: number;
  unmatched?: number;
}

/** The kernel's high-water mark of this process's resident memory (VmHWM). */
function peakRssMiB(): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : process.memoryUsage().rss / 1024 / 1024;
}

/** What a send cost, from `startSendMeasure()` to its `finish()`. */
type SendMeasure = Pick<RunnerResult, 'sendMs' | 'sendCpuMs' | 'sendMachineCpuMs' | 'sendMajorGcs'>;

/** Starts the clocks for a send: wall time, this process's CPU, the machine's CPU, full collections. */
function startSendMeasure(): { at: number; finish(): Promise<SendMeasure> } {
  const at = performance.now();
  const cpu = process.cpuUsage();
  const machine = machineCpuMs();
  const gcs = countMajorGcs();
  return {
    at,
    async finish() {
      const sendMs = performance.now() - at;
      const used = process.cpuUsage(cpu);
      const sendMachineCpuMs = machineCpuMs() - machine;
      // The observer hears of a collection a moment after it: wait for that before counting.
      await new Promise((resolve) => setImmediate(resolve));
      gcs.stop();
      return { sendMs, sendCpuMs: (used.user + used.system) / 1000, sendMachineCpuMs, sendMajorGcs: gcs.count };
    },
  };
}

/**
 * The protocol library's own upload of the first file to a temporary name, timed alone, over a
 * connection the engine opened: ssh2-sftp-client's fastPut (ssh2's pipelined writes) for SFTP,
 * basic-ftp's uploadFrom for FTPS. No checks, no size check, no rename.
 */
async function libraryUpload(job: RunnerJob, password: string): Promise<RunnerResult> {
  const endpoint = (job.profile as unknown as { endpoints: { protocol: string; host: string; port: number; tls?: 'implicit' | 'explicit' }[] }).endpoints.find((e) => e.protocol === job.protocol);
  if (!endpoint) throw new Error(`the profile has no ${job.protocol} endpoint`);
  const connection = { host: endpoint.host, port: endpoint.port, username: job.username, password, timeoutSeconds: 65, verifyIdentity: (seen: { fingerprint: string }) => sameFingerprint(seen.fingerprint, job.fingerprint) };
  const fs = job.protocol === 'sftp' ? await openSftp(connection) : await openFtps({ ...connection, tls: endpoint.tls ?? 'implicit' });
  try {
    const target = `${await fs.home()}/HL7-Dropoff/.library-reference`.replace(/^\/\//, '/');
    const file = job.files[0] as string;
    const client = (fs as unknown as { client: { fastPut(from: string, to: string): Promise<unknown>; uploadFrom(from: string, to: string): Promise<unknown>; send(command: string): Promise<unknown> } }).client;
    const measure = startSendMeasure();
    if (job.protocol === 'sftp') {
      await client.fastPut(file, target);
    } else {
      // Until the server has closed the file, as curl is timed (see curlPut in build/bench.mjs).
      await client.uploadFrom(file, target);
      await client.send('NOOP');
    }
    const sent = await measure.finish();
    await fs.remove(target);
    const bytes = statSync(file).size;
    return { connectMs: 0, checkMs: 0, pipelineMs: sent.sendMs, ...sent, bytes, sent: 1, problems: [], peakRssMiB: peakRssMiB() };
  } finally {
    await fs.close();
  }
}

async function main(): Promise<void> {
  // As the app's main process and the CLI do, first thing.
  letHeapGrowForTransfers();
  const job = JSON.parse(process.argv[2] ?? '{}') as RunnerJob;
  const password = process.env.BENCH_PASSWORD ?? '';
  if (job.mode === 'library') {
    process.stdout.write(`${JSON.stringify(await libraryUpload(job, password))}\n`);
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-bench-data-'));
  if (job.mode === 'submissions') {
    // The history of what was sent, as the queue writes it after each upload (a day ago).
    const history = new TransferHistory(dataDir);
    const time = new Date(Date.now() - 86_400_000).toISOString();
    await Promise.all(
      (job.sentNames ?? []).map((remoteName) =>
        history.append({ time, profileId: job.profile.id, account: job.username, direction: 'upload', localName: remoteName, remoteName, folder: 'dropoff', size: 20_480, sha256: null, result: 'done' }),
      ),
    );
  }
  const settings = new MemorySettings();
  settings.set('customProfiles', [job.profile]);

  const final = new Map<string, TransferStatus>();
  let firstSending: ReturnType<typeof startSendMeasure> | undefined;
  let allDone: (() => void) | undefined;
  const service = createRegistryService({
    settings,
    appInfo: { name: 'Registry Transfer', version: 'bench' },
    openExternal: async () => undefined,
    dataDir,
    emit: (event: RegistryEvent) => {
      if (event.type === 'request' && event.request.kind !== 'new-password') {
        const answer = sameFingerprint(event.request.fingerprint, job.fingerprint) ? 'allow-once' : 'deny';
        setImmediate(() => void service.handlers.answerRequest({ id: event.request.id, answer }));
      }
      if (event.type !== 'transfer') return;
      const t = event.transfer;
      if (t.state === 'sending' && !firstSending) firstSending = startSendMeasure();
      if (t.state === 'done' || t.state === 'failed' || t.state === 'cancelled') {
        final.set(t.id, t);
        if (final.size === job.files.length) allDone?.();
      }
    },
  });
  const call = <N extends CallName>(name: N, input: CallInput<N>) => dispatchCall(service.handlers, name, input) as Promise<CallResults[N]>;

  const result: RunnerResult = { connectMs: 0, checkMs: 0, sendMs: 0, pipelineMs: 0, sendCpuMs: 0, sendMachineCpuMs: 0, sendMajorGcs: 0, bytes: 0, sent: 0, problems: [], peakRssMiB: 0 };
  try {
    const connectStart = performance.now();
    const connected = await call('connect', { profileId: job.profile.id, protocol: job.protocol, username: job.username, password });
    if (!connected.ok) throw new Error(`connect failed: ${connected.message}`);
    result.connectMs = performance.now() - connectStart;

    if (job.mode === 'submissions') {
      const asked = performance.now();
      const found = await call('listSubmissions', {});
      result.submissionsMs = performance.now() - asked;
      if (!found.ok) throw new Error(`listSubmissions failed: ${found.message}`);
      result.followed = found.submissions.length;
      result.unmatched = found.unmatched.length;
    } else {
      await uploadAll();
    }
  } finally {
    await service.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
  result.peakRssMiB = peakRssMiB();
  process.stdout.write(`${JSON.stringify(result)}\n`);

  /** One upload call per file, as the window makes them, timed to the last file's "done". */
  async function uploadAll(): Promise<void> {
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    const started = performance.now();
    for (const localPath of job.files) {
      const queued = await call('upload', { localPath, acceptWarnings: [] });
      if (!queued.ok) throw new Error(`upload refused: ${queued.message}`);
    }
    await finished;
    const ended = performance.now();
    if (firstSending) Object.assign(result, await firstSending.finish());
    result.pipelineMs = ended - started;
    result.checkMs = (firstSending?.at ?? ended) - started;
    for (const t of final.values()) {
      if (t.state === 'done') {
        result.sent += 1;
        result.bytes += t.total;
      } else {
        result.problems.push(`${t.name}: ${t.message}`);
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`engine run failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
