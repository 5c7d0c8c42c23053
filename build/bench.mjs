// `npm run bench`: the engine's upload speed and memory against the standard tools, side by side, on
// servers this script starts on loopback (Debian's OpenSSH sshd and vsftpd with implicit FTPS, laid
// out as Texas ImmTrac2, the same ones the integration tests use). Needs root, like those tests.
//
//   1. one 256 MiB file: our SFTP upload vs OpenSSH's `sftp -b`; our FTPS upload vs `curl -T`
//   2. 300 files of 20 KiB (the registry's quota) through our whole pipeline (checks, temporary
//      name, size check, rename, per file, over one connection) vs `sftp -b` putting the same files
//   3. peak resident memory of our engine sending a 1 GiB file over SFTP
//   5. the submissions view (issue 14): 300 files in each of the four folders over SFTP, followed
//      against a history of 600 sent files, engine-side, vs `sftp -b` listing the four folders
//   4. (no aim in the issue; for the picture) the 300 files again through a proxy that delays every
//      byte 10 ms each way, as a registry across the state would: round trips, not CPU, then decide
//
// Every engine run is a child process of its own (build/bench/engine-runner.ts), so its peak memory
// (VmHWM) is its own. Servers and temporary files are removed at the end, on failure and on Ctrl+C.
// Not part of `npm test`. BENCH_RUNS=N sets the repetitions per measurement (default 21; medians);
// BENCH_ONLY=sftp,ftps,many,memory,far,submissions runs only the measurements named (default: all);
// BENCH_PROFILE=DIR writes a CPU profile of every engine run into DIR (open it in Chrome's DevTools).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleRunners } from './bench/bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 * 1024;
// 21 rounds: on a shared two-core machine one contestant's runs differ by up to 2x, and the median
// of nine paired ratios still moved by +-0.15 from run to run (0.84 to 1.15 for the same code);
// 21 rounds narrow that by about a third, for about seven minutes in all.
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 21) || 21);
const BIG_BYTES = 256 * MiB;
const HUGE_BYTES = 1024 * MiB;
const SMALL_COUNT = 300;
const SMALL_BYTES = 20 * 1024;
/** ssh2 picks AES-128-GCM first on a CPU with AES instructions; OpenSSH's sftp would pick ChaCha20. */
const SSH_CIPHER = 'aes128-gcm@openssh.com';
const AIMS = { throughputRatio: 0.9, manyFilesRatio: 1.5, peakRssMiB: 200, submissionsMs: 1000 };
const TIME_BUDGET_MS = 90_000;
const MEASURES = ['sftp', 'ftps', 'many', 'memory', 'far', 'submissions'];
/** Files in each of the four folders for the submissions view (the registry's quota per folder). */
const FOLDER_FILES = 300;
/** One way, so a round trip through the proxy takes twice this. */
const FAR_DELAY_MS = 10;
const ONLY = new Set((process.env.BENCH_ONLY ?? MEASURES.join(',')).split(',').map((m) => m.trim()).filter(Boolean));
for (const name of ONLY) {
  if (!MEASURES.includes(name)) {
    console.error(`BENCH_ONLY: unknown measurement ${name}; choose from ${MEASURES.join(', ')}.`);
    process.exit(1);
  }
}

const log = (text) => process.stderr.write(`bench: ${text}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// ------------------------------------------------------------------------------------------------
// Cleanup: whatever happens, servers stop and temporary files go.
// ------------------------------------------------------------------------------------------------
const cleanups = [];
let cleaning = null;
function cleanUp() {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        log(`cleanup step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: stopping servers and removing temporary files`);
    void cleanUp().then(() => process.exit(130));
  });
}

// ------------------------------------------------------------------------------------------------
// Child processes
// ------------------------------------------------------------------------------------------------
/** Run a program to its end; resolves with its output and wall time, rejects on a non-zero exit. */
function runProgram(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ stdout, stderr, ms });
      else reject(new Error(`${command} exited with ${code}: ${stderr.trim().slice(0, 500)}`));
    });
  });
}

/** The first line a program prints about its version (OpenSSH prints it on stderr). */
function versionOf(command, args) {
  const run = spawnSync(command, args, { encoding: 'utf8' });
  return `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n')[0] || 'unknown';
}

// ------------------------------------------------------------------------------------------------
// Setup
// ------------------------------------------------------------------------------------------------
if (process.getuid?.() !== 0) {
  console.error('npm run bench starts its own OpenSSH sshd and vsftpd (as the integration tests do) and must run as root.');
  process.exit(1);
}
for (const tool of ['/usr/sbin/sshd', '/usr/sbin/vsftpd', '/usr/bin/sftp', '/usr/bin/curl', '/usr/bin/ssh-keygen']) {
  try {
    statSync(tool);
  } catch {
    console.error(`npm run bench needs ${tool} (apt-get install -y openssh-server openssh-client vsftpd curl).`);
    process.exit(1);
  }
}

const results = {};
try {
  // The bundles live inside the project so that their imports find node_modules.
  const bundleDir = join(root, '.tmp', `bench-${process.pid}`);
  cleanups.push(() => rmSync(bundleDir, { recursive: true, force: true }));
  await bundleRunners({ servers: join(root, 'build/bench/servers.ts'), 'engine-runner': join(root, 'build/bench/engine-runner.ts') }, bundleDir);
  const runner = join(bundleDir, 'engine-runner.mjs');
  const { startSshd, startVsftpd, localTexasProfile, hl7Batch, writeLargeHl7Batch, startDelayProxy, machineCpuMs } = await import(pathToFileURL(join(bundleDir, 'servers.mjs')).href);

  const work = mkdtempSync(join(tmpdir(), 'rt-bench-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));

  log('starting sshd and vsftpd (implicit FTPS) on 127.0.0.1');
  const sshd = await startSshd({ tag: 'BN' });
  cleanups.push(() => sshd.stop());
  const vsftpd = await startVsftpd({ mode: 'implicit', tag: 'BF' });
  cleanups.push(() => vsftpd.stop());
  const files = { extension: '.HL7', importCodeInName: true };
  const sftpProfile = { ...localTexasProfile(sshd.port, 'bench-sftp'), files };
  const ftpsProfile = { ...vsftpd.profile('bench-ftps'), files };
  const sftpUser = sshd.home;
  const ftpsUser = vsftpd.account;
  const sftpDropoff = join(sftpUser.accountDir, 'HL7-Dropoff');
  const ftpsDropoff = join(ftpsUser.accountDir, 'HL7-Dropoff');
  const emptyDropoffs = () => {
    for (const dir of [sftpDropoff, ftpsDropoff]) for (const name of readdirSync(dir)) rmSync(join(dir, name), { force: true });
  };

  // OpenSSH's sftp signs in with a key (batch mode cannot type a password): the account's default
  // ~/.ssh/authorized_keys, since the test sshd sets no AuthorizedKeysFile. The server's folder,
  // and this file with it, is removed when the server stops.
  const key = join(work, 'client_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key, '-C', 'registry-transfer-bench']);
  mkdirSync(join(sftpUser.accountDir, '.ssh'), { mode: 0o755 });
  writeFileSync(join(sftpUser.accountDir, '.ssh', 'authorized_keys'), readFileSync(`${key}.pub`));
  chmodSync(join(sftpUser.accountDir, '.ssh', 'authorized_keys'), 0o644);
  const netrc = join(work, 'netrc');
  writeFileSync(netrc, `machine 127.0.0.1 login ${ftpsUser.username} password ${ftpsUser.password}\n`, { mode: 0o600 });

  log(`writing test files in ${work}`);
  const bigFile = join(work, `${sftpUser.username}_big.HL7`);
  const big = ONLY.has('sftp') ? await writeLargeHl7Batch(bigFile, { importCode: sftpUser.username, minBytes: BIG_BYTES }) : null;
  const bigFtpsFile = join(work, `${ftpsUser.username}_big.HL7`);
  const bigFtpsSize = ONLY.has('ftps') ? (await writeLargeHl7Batch(bigFtpsFile, { importCode: ftpsUser.username, minBytes: BIG_BYTES })).size : 0;
  const hugeFile = join(work, `${sftpUser.username}_huge.HL7`);
  const huge = ONLY.has('memory') ? await writeLargeHl7Batch(hugeFile, { importCode: sftpUser.username, minBytes: HUGE_BYTES }) : null;
  const smallDir = join(work, 'small');
  mkdirSync(smallDir);
  let messages = 1;
  while (hl7Batch({ importCode: sftpUser.username, messages }).length < SMALL_BYTES) messages += 1;
  const smallFiles = [];
  for (let i = 0; i < SMALL_COUNT; i += 1) {
    const path = join(smallDir, `${sftpUser.username}_${String(i).padStart(3, '0')}.HL7`);
    writeFileSync(path, hl7Batch({ importCode: sftpUser.username, messages, variant: `S${i}` }));
    smallFiles.push(path);
  }
  const smallBytes = statSync(smallFiles[0]).size;

  // ----------------------------------------------------------------------------------------------
  // The contestants
  // ----------------------------------------------------------------------------------------------
  const engine = async (protocol, profile, user, fingerprint, paths, extra = {}) => {
    const job = { protocol, profile, username: user.username, fingerprint, files: paths, ...extra };
    const profiling = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    const run = await runProgram(process.execPath, [...profiling, runner, JSON.stringify(job)], { cwd: root, env: { ...process.env, BENCH_PASSWORD: user.password } });
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1));
    if (result.problems.length > 0 || result.sent !== paths.length) throw new Error(`the engine did not send every file: ${result.problems.slice(0, 3).join('; ')}`);
    return { ...result, wallMs: run.ms };
  };
  const sftpArgs = (batch, port = sshd.port) => [
    '-q', '-b', batch, '-F', '/dev/null', '-i', key, '-P', String(port), '-c', SSH_CIPHER,
    '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    `${sftpUser.username}@127.0.0.1`,
  ];
  let batchCount = 0;
  /** Wall time of an `sftp -b` run, and the CPU time of sftp and its ssh (bash's `times`). */
  const sftpBatch = async (lines, port) => {
    batchCount += 1;
    const batch = join(work, `batch-${batchCount}.txt`);
    writeFileSync(batch, `${lines.join('\n')}\n`);
    const machine = machineCpuMs();
    const run = await runProgram('bash', ['-c', 'sftp "$@" && times', 'sftp', ...sftpArgs(batch, port)]);
    const machineMs = machineCpuMs() - machine;
    const children = run.stdout.trim().split('\n').at(-1).split(' ').map((t) => {
      const [, minutes, secs] = /^(\d+)m([\d.]+)s$/.exec(t) ?? [0, 0, 0];
      return (Number(minutes) * 60 + Number(secs)) * 1000;
    });
    return { ms: run.ms, cpuMs: children[0] + children[1], machineMs };
  };
  const sftpPut = (paths, port) => sftpBatch(paths.map((p) => `put "${p}" "HL7-Dropoff/${p.split('/').at(-1)}"`), port);
  // curl's clock stops at the answer to a NOOP sent right after the upload (`-Q -NOOP`), not at the
  // server's "226 Transfer complete": vsftpd sends its 226 first and closes the file after it, and on
  // ext4 that close writes the whole file out (vsftpd truncates the file it creates, which makes
  // ext4 flush it on close): 80 to 120 ms for 256 MiB, during which the server answers nothing. Our
  // size check waits for that; so does curl's own QUIT, so a user of curl waits for it too. Measured
  // to the 226 alone, curl was credited with time its user does not get back.
  const curlPut = async (path) => {
    const url = `ftps://127.0.0.1:${vsftpd.port}/HL7-Dropoff/${path.split('/').at(-1)}`;
    const machine = machineCpuMs();
    const run = await runProgram('curl', ['-sS', '--ssl-reqd', '-k', '--netrc-file', netrc, '--ftp-pasv', '-T', path, '-Q', '-NOOP', '-w', '%{time_pretransfer} %{time_total}', url]);
    const machineMs = machineCpuMs() - machine;
    const [pretransfer, total] = run.stdout.trim().split(' ').map(Number);
    return { transferMs: (total - pretransfer) * 1000, wallMs: run.ms, machineMs };
  };

  /**
   * Run `measure` up to RUNS times, each contestant once a round; the order is reversed every
   * other round, so that no contestant always meets the machine as another one left it. A
   * measurement that already took more than TIME_BUDGET_MS is not repeated (a slow pipeline would
   * take an hour).
   */
  const repeat = async (label, contestants, runs = RUNS) => {
    const samples = Object.fromEntries(Object.keys(contestants).map((name) => [name, []]));
    const spent = Object.fromEntries(Object.keys(contestants).map((name) => [name, 0]));
    for (let round = 0; round < runs; round += 1) {
      log(`${label}, round ${round + 1} of ${runs}`);
      const order = Object.entries(contestants);
      if (round % 2 === 1) order.reverse();
      for (const [name, measure] of order) {
        if (round > 0 && spent[name] > TIME_BUDGET_MS) continue;
        emptyDropoffs();
        // Written-back first: the test files and the last upload leave hundreds of MiB of dirty
        // pages, and the kernel writing them out would otherwise land in whichever run comes next.
        execFileSync('sync');
        const started = performance.now();
        samples[name].push(await measure());
        spent[name] += performance.now() - started;
      }
    }
    emptyDropoffs();
    return samples;
  };
  const expectOnServer = (dir, name, size) => {
    if (statSync(join(dir, name)).size !== size) throw new Error(`${name} did not arrive whole`);
  };

  // What signing in alone costs `sftp`, to take out of its times (our runner times the phases itself).
  const signIn = await repeat('sftp sign-in alone', { sftp: () => sftpBatch(['pwd']) });
  const sftpSignInMs = median(signIn.sftp.map((s) => s.ms));
  const sftpSignInCpuMs = median(signIn.sftp.map((s) => s.cpuMs));
  const sftpSignInMachineMs = median(signIn.sftp.map((s) => s.machineMs));

  // 1. One 256 MiB file.
  const bigSftp = ONLY.has('sftp') && await repeat(`${BIG_BYTES / MiB} MiB over SFTP`, {
    ours: () => engine('sftp', sftpProfile, sftpUser, sshd.fingerprint, [bigFile]),
    fastPut: () => engine('sftp', sftpProfile, sftpUser, sshd.fingerprint, [bigFile], { mode: 'library' }),
    sftp: async () => {
      const { ms, cpuMs, machineMs } = await sftpPut([bigFile]);
      expectOnServer(sftpDropoff, `${sftpUser.username}_big.HL7`, big.size);
      return { transferMs: ms - sftpSignInMs, wallMs: ms, cpuMs: cpuMs - sftpSignInCpuMs, machineMs: machineMs - sftpSignInMachineMs };
    },
  });
  const bigFtps = ONLY.has('ftps') && await repeat(`${BIG_BYTES / MiB} MiB over FTPS`, {
    ours: () => engine('ftps', ftpsProfile, ftpsUser, vsftpd.fingerprint, [bigFtpsFile]),
    uploadFrom: () => engine('ftps', ftpsProfile, ftpsUser, vsftpd.fingerprint, [bigFtpsFile], { mode: 'library' }),
    curl: async () => {
      const run = await curlPut(bigFtpsFile);
      expectOnServer(ftpsDropoff, `${ftpsUser.username}_big.HL7`, bigFtpsSize);
      return run;
    },
  });

  // 2. 300 files of 20 KiB.
  const many = ONLY.has('many') && await repeat(`${SMALL_COUNT} files of ${SMALL_BYTES / 1024} KiB over SFTP`, {
    ours: () => engine('sftp', sftpProfile, sftpUser, sshd.fingerprint, smallFiles),
    sftp: async () => {
      const { ms } = await sftpPut(smallFiles);
      if (readdirSync(sftpDropoff).length !== SMALL_COUNT) throw new Error('sftp did not deliver every file');
      return { transferMs: ms - sftpSignInMs, wallMs: ms };
    },
  });

  // 4. The 300 files over a long link (fewer runs: `sftp -b` takes half a minute each).
  let far = false;
  if (ONLY.has('far')) {
    const proxy = await startDelayProxy(sshd.port, FAR_DELAY_MS);
    cleanups.push(() => proxy.close());
    const farProfile = { ...localTexasProfile(proxy.port, 'bench-sftp-far'), files };
    const farSignIn = await repeat('sftp sign-in alone, far', { sftp: () => sftpBatch(['pwd'], proxy.port) }, Math.min(RUNS, 3));
    const farSignInMs = median(farSignIn.sftp.map((s) => s.ms));
    far = {
      signInMs: farSignInMs,
      ...(await repeat(`${SMALL_COUNT} files over SFTP, ${FAR_DELAY_MS * 2} ms round trip`, {
        ours: () => engine('sftp', farProfile, sftpUser, sshd.fingerprint, smallFiles),
        sftp: async () => {
          const { ms } = await sftpPut(smallFiles, proxy.port);
          if (readdirSync(sftpDropoff).length !== SMALL_COUNT) throw new Error('sftp did not deliver every file');
          return { transferMs: ms - farSignInMs, wallMs: ms };
        },
      }, Math.min(RUNS, 3))),
    };
  }

  // 5. The submissions view: four folders of 300 files each, a history of 600 files sent from here
  // (300 still waiting, 300 answered: accepted, an ACK, a consent file each).
  let submissions = false;
  if (ONLY.has('submissions')) {
    const user = sftpUser.username;
    const answered = Array.from({ length: FOLDER_FILES }, (_, i) => `${user}_A${String(i).padStart(3, '0')}`);
    const waiting = Array.from({ length: FOLDER_FILES }, (_, i) => `${user}_W${String(i).padStart(3, '0')}.HL7`);
    const folder = (name) => join(sftpUser.accountDir, name);
    const answeredFiles = [
      ...answered.map((stem) => ['Accepted', `${stem}.HL7`]),
      ...answered.map((stem) => ['DQA-Report', `${stem}_ACK.hl7`]),
      ...answered.map((stem) => ['Receive', `${stem}.CNF`]),
    ];
    for (const [dir, name] of answeredFiles) writeFileSync(join(folder(dir), name), 'x\r');
    cleanups.push(() => {
      for (const [dir, name] of answeredFiles) rmSync(join(folder(dir), name), { force: true });
    });
    // The dropoff is emptied before every run: its 300 waiting files are put back each time.
    const fillDropoff = () => {
      for (const name of waiting) writeFileSync(join(sftpDropoff, name), 'x\r');
    };
    const sentNames = [...answered.map((stem) => `${stem}.HL7`), ...waiting];
    submissions = await repeat(`submissions view, ${FOLDER_FILES} files in each folder over SFTP`, {
      ours: async () => {
        fillDropoff();
        const job = { protocol: 'sftp', profile: sftpProfile, username: user, fingerprint: sshd.fingerprint, files: [], mode: 'submissions', sentNames };
        const run = await runProgram(process.execPath, [runner, JSON.stringify(job)], { cwd: root, env: { ...process.env, BENCH_PASSWORD: sftpUser.password } });
        const result = JSON.parse(run.stdout.trim().split('\n').at(-1));
        if (result.followed !== sentNames.length) throw new Error(`the engine followed ${result.followed} of ${sentNames.length} files`);
        return result;
      },
      sftp: async () => {
        fillDropoff();
        const { ms } = await sftpBatch(['HL7-Dropoff', 'Accepted', 'DQA-Report', 'Receive'].map((dir) => `ls -l ${dir}`));
        return { transferMs: ms - sftpSignInMs, wallMs: ms };
      },
    });
  }

  // 3. Peak memory sending 1 GiB (once: it is a high-water mark, not a speed).
  const huge1 = ONLY.has('memory') && await repeat(`${HUGE_BYTES / MiB / 1024} GiB over SFTP, peak memory`, {
    ours: async () => {
      const run = await engine('sftp', sftpProfile, sftpUser, sshd.fingerprint, [hugeFile]);
      expectOnServer(sftpDropoff, `${sftpUser.username}_huge.HL7`, huge.size);
      return run;
    },
  }, 1);

  Object.assign(results, {
    machine: {
      cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}`,
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      kernel: release(),
      node: process.version,
      openssh: versionOf('ssh', ['-V']),
      curl: versionOf('curl', ['--version']),
      vsftpd: versionOf('dpkg-query', ['-W', '-f', '${Version}', 'vsftpd']),
      ssh2: JSON.parse(readFileSync(join(root, 'node_modules/ssh2/package.json'), 'utf8')).version,
      basicFtp: JSON.parse(readFileSync(join(root, 'node_modules/basic-ftp/package.json'), 'utf8')).version,
    },
    runs: RUNS,
    sftpSignInMs,
    big: { bytes: BIG_BYTES, sftpBytes: big?.size, ftpsBytes: bigFtpsSize, sftp: bigSftp, ftps: bigFtps },
    many: many && { count: SMALL_COUNT, bytes: smallBytes, ...many },
    huge: huge1 && { bytes: huge.size, runs: huge1.ours },
    far: far && { count: SMALL_COUNT, bytes: smallBytes, ...far },
    submissions: submissions && { perFolder: FOLDER_FILES, ...submissions },
  });
} catch (error) {
  log(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  await cleanUp();
  process.exit(1);
}
await cleanUp();

// --------------------------------------------------------------------------------------------------
// Report
// --------------------------------------------------------------------------------------------------
const r = results;
const mibps = (bytes, ms) => bytes / MiB / (ms / 1000);
const fixed = (n, digits = 1) => n.toFixed(digits);
const med = (samples, field) => median(samples.map((s) => s[field]));
const seconds = (ms) => `${fixed(ms / 1000, 2)} s`;
const each = (samples, field) => samples.map((s) => fixed(s[field] / 1000, 2)).join(' / ');
/**
 * The ratio of our time to theirs, round by round (each round runs both one after the other, so
 * both meet the same load on this shared machine), and the median of those: steadier than the ratio
 * of the two medians when the machine's speed drifts during a run.
 */
const pairedRatio = (ours, oursField, theirs, theirsField) => {
  const rounds = Math.min(ours.length, theirs.length);
  const ratios = Array.from({ length: rounds }, (_, i) => ours[i][oursField] / theirs[i][theirsField]);
  return { median: median(ratios), each: ratios.map((x) => fixed(x, 2)).join(' / ') };
};

const verdict = (met) => (met ? 'met' : 'MISSED');
const rows = [['measure', 'ours', 'theirs', 'ratio', 'aim', 'verdict']];
const notes = [];
const aims = [];
const mib = fixed(r.big.bytes / MiB, 0);
/** One row for a throughput aim: our medians and theirs, and the paired ratio (their time over ours). */
const throughputRow = (protocol, bytes, samples, tool) => {
  const ours = mibps(bytes, med(samples.ours, 'sendMs'));
  const theirs = mibps(bytes, med(samples[tool], 'transferMs'));
  const ratio = pairedRatio(samples[tool], 'transferMs', samples.ours, 'sendMs');
  aims.push(ratio.median >= AIMS.throughputRatio);
  rows.push([`${mib} MiB over ${protocol}, MiB/s`, fixed(ours), `${fixed(theirs)} (${tool})`, fixed(ratio.median, 2), `>= ${AIMS.throughputRatio}`, verdict(aims.at(-1))]);
  notes.push(`  ${protocol} throughput ratio, round by round: ${ratio.each}`);
};
if (r.big.sftp) {
  throughputRow('SFTP', r.big.sftpBytes, r.big.sftp, 'sftp');
  notes.push(
    `  ours, SFTP ${mib} MiB: temporary-name upload + size check + rename, from the file's "sending" to its "done" event: ${each(r.big.sftp.ours, 'sendMs')}`,
    `    the checks before it (HL7 scan, SHA-256, folder listings), not counted: ${seconds(med(r.big.sftp.ours, 'checkMs'))}; whole process ${seconds(med(r.big.sftp.ours, 'wallMs'))}; peak RSS ${fixed(med(r.big.sftp.ours, 'peakRssMiB'), 0)} MiB`,
    `  sftp -b, ${mib} MiB (cipher ${SSH_CIPHER}, as ssh2 picks): whole process less ${seconds(r.sftpSignInMs)} for signing in alone: ${each(r.big.sftp.sftp, 'transferMs')}`,
    `  client CPU time for the ${mib} MiB SFTP transfer: ours ${seconds(med(r.big.sftp.ours, 'sendCpuMs'))} in one process (file reads, SFTP, encryption on one JS thread), sftp + its ssh ${seconds(med(r.big.sftp.sftp, 'cpuMs'))} in two processes`,
    `  CPU time of the whole machine meanwhile (client and servers share the cores): ours ${seconds(med(r.big.sftp.ours, 'sendMachineCpuMs'))}, sftp ${seconds(med(r.big.sftp.sftp, 'machineMs'))} (less its signing in), fastPut ${seconds(med(r.big.sftp.fastPut, 'sendMachineCpuMs'))}`,
    `  full garbage collections in our process during the transfer: ours ${r.big.sftp.ours.map((s) => s.sendMajorGcs).join(' / ')}, fastPut ${r.big.sftp.fastPut.map((s) => s.sendMajorGcs).join(' / ')}`,
    `  for reference, the SSH library alone (ssh2-sftp-client fastPut, no checks, no rename): ${each(r.big.sftp.fastPut, 'sendMs')}, median ${fixed(mibps(r.big.sftpBytes, med(r.big.sftp.fastPut, 'sendMs')))} MiB/s, CPU ${seconds(med(r.big.sftp.fastPut, 'sendCpuMs'))}`,
  );
}
if (r.big.ftps) {
  throughputRow('FTPS', r.big.ftpsBytes, r.big.ftps, 'curl');
  notes.push(
    `  ours, FTPS ${mib} MiB: as for SFTP: ${each(r.big.ftps.ours, 'sendMs')}`,
    `  curl -T, FTPS ${mib} MiB: time_total - time_pretransfer, to the server's answer to a NOOP sent after the upload (when it has closed the file): ${each(r.big.ftps.curl, 'transferMs')}`,
    `  CPU time of the whole machine meanwhile: ours ${seconds(med(r.big.ftps.ours, 'sendMachineCpuMs'))} (our process ${seconds(med(r.big.ftps.ours, 'sendCpuMs'))}), curl ${seconds(med(r.big.ftps.curl, 'machineMs'))} (its whole run); full garbage collections in ours: ${r.big.ftps.ours.map((s) => s.sendMajorGcs).join(' / ')}`,
    `  for reference, the FTP library alone (basic-ftp uploadFrom, then a NOOP as for curl; no checks, no rename): ${each(r.big.ftps.uploadFrom, 'sendMs')}, median ${fixed(mibps(r.big.ftpsBytes, med(r.big.ftps.uploadFrom, 'sendMs')))} MiB/s`,
  );
}
if (r.many) {
  const ours = med(r.many.ours, 'pipelineMs');
  const theirs = med(r.many.sftp, 'transferMs');
  const ratio = pairedRatio(r.many.ours, 'pipelineMs', r.many.sftp, 'transferMs');
  aims.push(ratio.median <= AIMS.manyFilesRatio);
  rows.push([`${r.many.count} x ${fixed(r.many.bytes / 1024)} KiB over SFTP, s`, fixed(ours / 1000, 2), `${fixed(theirs / 1000, 2)} (sftp)`, fixed(ratio.median, 2), `<= ${AIMS.manyFilesRatio}`, verdict(aims.at(-1))]);
  notes.push(`  ${r.many.count}-file time ratio, round by round: ${ratio.each}`);
  notes.push(
    `  ours, ${r.many.count} files: the window's queue over one connection, from the first upload call to the last "done": ${each(r.many.ours, 'pipelineMs')}`,
    `    of which until the first file was being sent ${seconds(med(r.many.ours, 'checkMs'))}; client CPU time ${seconds(med(r.many.ours, 'sendCpuMs'))}`,
    `  sftp -b, ${r.many.count} files (one put each): whole process less signing in: ${each(r.many.sftp, 'transferMs')}`,
  );
}
if (r.huge) {
  const peakRss = Math.max(...r.huge.runs.map((s) => s.peakRssMiB));
  aims.push(peakRss < AIMS.peakRssMiB);
  rows.push([`peak RSS sending ${fixed(r.huge.bytes / MiB / 1024, 2)} GiB over SFTP, MiB`, fixed(peakRss, 0), '-', '-', `< ${AIMS.peakRssMiB}`, verdict(aims.at(-1))]);
  notes.push(
    `  ours, ${fixed(r.huge.bytes / MiB / 1024, 2)} GiB over SFTP: peak RSS (VmHWM of the engine process) ${r.huge.runs.map((s) => fixed(s.peakRssMiB, 0)).join(' / ')} MiB; transfer ${each(r.huge.runs, 'sendMs')} (${fixed(mibps(r.huge.bytes, med(r.huge.runs, 'sendMs')))} MiB/s), checks ${each(r.huge.runs, 'checkMs')}`,
  );
}
if (r.far) {
  const ours = med(r.far.ours, 'pipelineMs');
  const theirs = med(r.far.sftp, 'transferMs');
  const ratio = pairedRatio(r.far.ours, 'pipelineMs', r.far.sftp, 'transferMs');
  rows.push([`${r.far.count} files, ${FAR_DELAY_MS * 2} ms round trip, s`, fixed(ours / 1000, 2), `${fixed(theirs / 1000, 2)} (sftp)`, fixed(ratio.median, 2), '-', '-']);
  notes.push(
    `  ${r.far.count} files through a proxy that delays every byte ${FAR_DELAY_MS} ms each way (no aim; a registry across the state):`,
    `    ours, as the window sends them: ${each(r.far.ours, 'pipelineMs')}; sftp -b, whole process less ${seconds(r.far.signInMs)} for signing in: ${each(r.far.sftp, 'transferMs')}`,
  );
}
if (r.submissions) {
  const ours = med(r.submissions.ours, 'submissionsMs');
  const theirs = med(r.submissions.sftp, 'transferMs');
  const ratio = pairedRatio(r.submissions.ours, 'submissionsMs', r.submissions.sftp, 'transferMs');
  aims.push(ours < AIMS.submissionsMs);
  rows.push([`submissions view, 4 x ${r.submissions.perFolder} files over SFTP, s`, fixed(ours / 1000, 2), `${fixed(theirs / 1000, 2)} (sftp ls -l)`, fixed(ratio.median, 2), `< ${AIMS.submissionsMs / 1000} s`, verdict(aims.at(-1))]);
  notes.push(
    `  ours, the submissions view: one listSubmissions call (four listings, ${r.submissions.ours[0]?.followed} sent files matched by name), engine-side, signed in: ${each(r.submissions.ours, 'submissionsMs')}`,
    `  sftp -b listing the same four folders (ls -l each), whole process less signing in: ${each(r.submissions.sftp, 'transferMs')}`,
  );
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
const line = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');

console.log(`\nRegistry Transfer upload benchmark: medians of up to ${r.runs} runs, servers on 127.0.0.1`);
console.log('(ratio: the median of the round-by-round ratios; ours and theirs: the medians of each)');
console.log(`machine: ${r.machine.cpu}, ${r.machine.memoryGiB} GiB RAM, Linux ${r.machine.kernel}`);
console.log(`software: Node ${r.machine.node}, ssh2 ${r.machine.ssh2}, basic-ftp ${r.machine.basicFtp}; ${r.machine.openssh}; ${r.machine.curl.split(' ').slice(0, 2).join(' ')}; vsftpd ${r.machine.vsftpd}`);
console.log('');
console.log(line(rows[0]));
console.log(line(rows[0].map((_, i) => '-'.repeat(widths[i]))));
for (const row of rows.slice(1)) console.log(line(row));
console.log('');
console.log('How each figure is taken (times of every run, in seconds):');
for (const note of notes) console.log(note);
const missed = aims.filter((met) => !met).length;
console.log('');
console.log(missed === 0 ? 'All aims met.' : `${missed} of ${aims.length} aims MISSED (see the verdict column).`);
