// `registry-transfer practice`: the practice registry on its own, for a trainer, a script or another
// client (FileZilla, WinSCP, curl): SFTP and FTPS (implicit and explicit TLS) on 127.0.0.1, the
// Texas folders and rules, and a registry's answers to each file sent to HL7-Dropoff. It runs until
// Ctrl+C or SIGTERM, and says how to connect: host, ports, fingerprints (in the form --trust takes),
// the account and its password. With --json, exactly one line of JSON once it listens, so a script
// can read it and go on. Other commands reach it with --profile practice and the same --data-dir.
import { join } from 'node:path';
import { PRACTICE_FOLDERS } from '../../practice/registry-files';
import { PRACTICE_FOLDER, PracticeAlreadyRunning, startPracticeRegistry, type RunningPracticeRegistry } from '../../practice/practice-registry';
import type { CommandOptions } from '../args';
import { resolveDataDir } from '../engine-setup';
import { CliError, usageError } from '../errors';
import { EXIT, type ExitCode } from '../exit-codes';
import { watchInterrupt } from '../interrupt';
import type { CliIo, Output } from '../output';

/** What `--json` prints: these keys and no others. */
export interface PracticeJson {
  host: string;
  sftp: { port: number; fingerprint: string };
  ftpsImplicit: { port: number; fingerprint: string };
  ftpsExplicit: { port: number; fingerprint: string };
  username: string;
  /** The issued password; null once the first-login change was made (the registry keeps only a hash of the chosen one). */
  password: string | null;
}

export function practiceJson(registry: RunningPracticeRegistry): PracticeJson {
  const { host, sftp, ftpsImplicit, ftpsExplicit, username } = registry;
  return { host, sftp: { ...sftp }, ftpsImplicit: { ...ftpsImplicit }, ftpsExplicit: { ...ftpsExplicit }, username, password: registry.issuedPassword() };
}

/** A path as a shell takes it: quoted when it has anything but plain characters. */
const shellWord = (text: string) => (/^[A-Za-z0-9_./:@=-]+$/.test(text) ? text : `"${text.replace(/(["\\$`])/g, '\\$1')}"`);

function startFailure(error: unknown, options: CommandOptions, dataDir: string): unknown {
  if (error instanceof PracticeAlreadyRunning) return new CliError('busy', error.message);
  const e = error as NodeJS.ErrnoException & { port?: number };
  if (e.code === 'EADDRINUSE') {
    // A usage error (exit 2): only a port given on the command line can be taken, and the fix is another value.
    const port = e.port ?? options.sftpPort ?? options.ftpsImplicitPort ?? options.ftpsExplicitPort;
    return usageError(
      `Port ${port ?? 'given'} on 127.0.0.1 is already used by another program. Choose another with --sftp-port, --ftps-implicit-port or --ftps-explicit-port, or leave them out to take free ports.`,
    );
  }
  if (e.code === 'EACCES' && e.syscall === 'listen') {
    return usageError(`This system lets only administrators listen on port ${e.port ?? ''} (ports below 1024). Choose a port from 1024 to 65535, or leave the port options out.`);
  }
  if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS') {
    return new CliError('permission-denied', `The practice registry cannot write its folder ${join(dataDir, PRACTICE_FOLDER)} (${e.code}). Give another folder with --data-dir.`);
  }
  return error;
}

function howToConnect(registry: RunningPracticeRegistry, dataDir: string, options: CommandOptions): string[] {
  const password = registry.issuedPassword();
  const dataDirArgs = options.dataDir !== undefined ? ` --data-dir ${shellWord(dataDir)}` : '';
  const mustChange = registry.files.mustChangePassword;
  return [
    'The practice registry is running on this computer. Nothing sent to it reaches the state.',
    '',
    `  Host:         ${registry.host}`,
    `  SFTP:         port ${registry.sftp.port}   host key ${registry.sftp.fingerprint}`,
    `  FTPS:         port ${registry.ftpsImplicit.port} implicit TLS (as Texas), port ${registry.ftpsExplicit.port} explicit TLS (AUTH TLS)`,
    `                certificate ${registry.ftpsImplicit.fingerprint}`,
    `  Username:     ${registry.username}`,
    password === null
      ? '  Password:     the one chosen at the first sign-in (the registry keeps only a hash of it).'
      : `  Password:     ${password}${mustChange ? '   (issued: you will be asked to choose a new one at the first sign-in)' : ''}`,
    `  Folders:      ${PRACTICE_FOLDERS.map((f) => (f.rights.includes('write') ? `${f.name} (send files here)` : f.name)).join(', ')}`,
    `  Files sent to HL7-Dropoff are answered ${registry.processAfterSeconds} seconds after they land (ACK and DQA report in DQA-Report).`,
    `  Its files:    ${join(dataDir, PRACTICE_FOLDER)}`,
    ...(password === null ? [`  A new account: stop it, delete ${join(dataDir, PRACTICE_FOLDER, 'accounts.json')}, and start it again.`] : []),
    '',
    'Try it from another terminal:',
    `  RT_PASSWORD='...' registry-transfer list --profile practice --user ${registry.username} --password-env RT_PASSWORD${dataDirArgs}`,
    `  sftp -P ${registry.sftp.port} ${registry.username}@${registry.host}`,
    `  curl --cacert ${shellWord(join(dataDir, PRACTICE_FOLDER, 'keys', 'tls-cert.pem'))} --user ${registry.username} ftps://${registry.host}:${registry.ftpsImplicit.port}/HL7-Dropoff/`,
    '',
    'Ctrl+C stops it.',
  ];
}

/**
 * Under `npm run practice` or `npx`, npm runs this through a shell, and a SIGTERM sent to npm ends npm
 * and that shell but never reaches this process: it would go on holding its ports with nobody to stop
 * it. So there, the parent going away (this process handed to another) stops it too. Only under npm
 * (npm_command is set): run directly, it runs on after its terminal's shell ends if told to (nohup).
 */
function whenParentGone(env: NodeJS.ProcessEnv): { gone: Promise<void>; dispose(): void } {
  if (!env.npm_command) return { gone: new Promise<void>(() => undefined), dispose: () => undefined };
  const parent = process.ppid;
  let timer: NodeJS.Timeout | undefined;
  const gone = new Promise<void>((resolve) => {
    timer = setInterval(() => {
      if (process.ppid !== parent) resolve();
    }, 500);
    timer.unref();
  });
  return { gone, dispose: () => clearInterval(timer) };
}

export async function practiceCommand(options: CommandOptions, out: Output, io: CliIo): Promise<ExitCode> {
  out.oneLineJson = true;
  const dataDir = resolveDataDir(options.dataDir, io.env);
  // Listen for Ctrl+C before the servers start, so a signal during the start still stops them cleanly.
  const interrupt = watchInterrupt();
  let registry: RunningPracticeRegistry;
  try {
    registry = await startPracticeRegistry({
      dataDir,
      ...(options.sftpPort !== undefined ? { sftpPort: options.sftpPort } : {}),
      ...(options.ftpsImplicitPort !== undefined ? { ftpsImplicitPort: options.ftpsImplicitPort } : {}),
      ...(options.ftpsExplicitPort !== undefined ? { ftpsExplicitPort: options.ftpsExplicitPort } : {}),
      ...(options.processAfterSeconds !== undefined ? { processAfterSeconds: options.processAfterSeconds } : {}),
      ...(options.ready ? { ready: true } : {}),
    });
  } catch (error) {
    interrupt.dispose();
    throw startFailure(error, options, dataDir);
  }
  const parent = whenParentGone(io.env);
  try {
    if (out.json) out.document(practiceJson(registry));
    else out.out(howToConnect(registry, dataDir, options));
    const interrupted = new Promise<void>((resolve) => {
      if (interrupt.signal.aborted) resolve();
      else interrupt.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([interrupted, parent.gone]);
  } finally {
    interrupt.dispose();
    parent.dispose();
    await registry.stop();
  }
  out.err('registry-transfer: the practice registry stopped.');
  return EXIT.done;
}
