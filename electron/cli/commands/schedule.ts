// `registry-transfer schedule --every daily|weekly [--at HH:MM] [--day DAY] -- send-new ...` (issue
// 17, item 2): prints the schedule for this computer's own scheduler (or --format's), and with
// --install puts it there; --list and --remove for what it installed. The scheduled command is the
// same send-new, every path in it made absolute (a scheduler starts in another folder), and never a
// password: the run takes it from the system keychain.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { CommandOptions } from '../args';
import { resolveDataDir } from '../engine-setup';
import { CliError, usageError } from '../errors';
import { EXIT, type ExitCode } from '../exit-codes';
import type { CliIo, Output } from '../output';
import { CRON_MARKER, cronLine, launchdPlist, systemdUnits, windowsTaskXml, type ScheduleFormat, type ScheduleSpec, type Weekday } from '../schedules';

const SCHEDULES_FILE = 'schedules.json';

interface Installed {
  name: string;
  format: ScheduleFormat;
  installedAt: string;
  every: string;
  command: string[];
}

/** The scheduler this computer has: Task Scheduler, launchd, a systemd user manager when one answers, else cron. */
function localFormat(forInstall: boolean): ScheduleFormat {
  if (process.platform === 'win32') return 'windows';
  if (process.platform === 'darwin') return 'launchd';
  if (forInstall && spawnSync('systemctl', ['--user', 'show-environment'], { stdio: 'ignore' }).status === 0) return 'systemd';
  return 'cron';
}

/** Absolute already (this computer's form, or a Windows path written for a Windows task), or made so. */
const absolute = (path: string, cwd: string) => (isAbsolute(path) || /^[A-Za-z]:[\\/]|^\\\\/.test(path) ? path : resolve(cwd, path));

/** Paths in send-new's arguments, made absolute: DIR, and the values of the options that name files. */
function absolutized(args: readonly string[], cwd: string): string[] {
  const pathOptions = new Set(['--move-to', '--data-dir', '--key']);
  const out: string[] = [];
  let dirDone = false;
  for (let i = 0; i < args.length; i += 1) {
    const word = args[i] as string;
    if (i === 0) {
      out.push(word);
      continue;
    }
    const [name, inline] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    const namesPath = pathOptions.has(name) || (name === '--profile' && (/[\\/]/.test(inline ?? args[i + 1] ?? '') || /\.json$/i.test(inline ?? args[i + 1] ?? '')));
    if (namesPath) {
      if (inline !== undefined) out.push(`${name}=${absolute(inline, cwd)}`);
      else {
        out.push(word, absolute(args[i + 1] ?? '', cwd));
        i += 1;
      }
      continue;
    }
    if (word.startsWith('--')) {
      out.push(word);
      // Options with a value: the value is the next word.
      if (inline === undefined && !['--json', '--replace', '--accept-warnings'].includes(word) && args[i + 1] !== undefined) {
        out.push(args[i + 1] as string);
        i += 1;
      }
      continue;
    }
    out.push(dirDone ? word : absolute(word, cwd));
    dirDone = true;
  }
  return out;
}

function readInstalled(dataDir: string): Installed[] {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, SCHEDULES_FILE), 'utf8')) as Installed[];
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function writeInstalled(dataDir: string, list: Installed[]): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, SCHEDULES_FILE), JSON.stringify(list, null, 2), { mode: 0o600 });
}

function run(program: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(program, args, { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  if (result.error) throw new CliError('internal', `${program} could not be run (${result.error.message}).`);
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function currentCrontab(): string {
  const listed = run('crontab', ['-l']);
  // "no crontab for user": an empty one.
  return listed.status === 0 ? listed.stdout : '';
}

const withoutCronLine = (crontab: string, name: string) =>
  crontab
    .split('\n')
    .filter((line) => !line.endsWith(`${CRON_MARKER} ${name}`))
    .join('\n')
    .replace(/\n*$/, '\n');

const systemdUserDir = () => join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'systemd', 'user');
const windowsTaskName = (name: string) => `Registry Transfer\\${name}`;
const launchAgentPath = (label: string) => join(homedir(), 'Library', 'LaunchAgents', `${label}.plist`);

function install(format: ScheduleFormat, spec: ScheduleSpec): void {
  switch (format) {
    case 'cron': {
      const installed = run('crontab', ['-'], `${withoutCronLine(currentCrontab(), spec.name).replace(/^\n$/, '')}${cronLine(spec)}\n`);
      if (installed.status !== 0) throw new CliError('internal', `crontab refused the schedule: ${installed.stderr.trim()}`);
      return;
    }
    case 'systemd': {
      const units = systemdUnits(spec);
      mkdirSync(systemdUserDir(), { recursive: true });
      writeFileSync(join(systemdUserDir(), units.serviceName), units.service);
      writeFileSync(join(systemdUserDir(), units.timerName), units.timer);
      execFileSync('systemctl', ['--user', 'daemon-reload']);
      execFileSync('systemctl', ['--user', 'enable', '--now', units.timerName]);
      return;
    }
    case 'windows': {
      // schtasks reads the task's XML as UTF-16, as Task Scheduler itself writes it.
      const file = join(tmpdir(), `registry-transfer-${spec.name}-${process.pid}.xml`);
      writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(windowsTaskXml(spec), 'utf16le')]));
      try {
        const created = run('schtasks', ['/Create', '/TN', windowsTaskName(spec.name), '/XML', file, '/F']);
        if (created.status !== 0) throw new CliError('internal', `Task Scheduler refused the task: ${created.stderr.trim() || created.stdout.trim()}`);
      } finally {
        rmSync(file, { force: true });
      }
      return;
    }
    case 'launchd': {
      const { label, plist } = launchdPlist(spec);
      mkdirSync(join(homedir(), 'Library', 'LaunchAgents'), { recursive: true });
      writeFileSync(launchAgentPath(label), plist);
      execFileSync('launchctl', ['load', '-w', launchAgentPath(label)]);
    }
  }
}

function uninstall(entry: Installed): void {
  switch (entry.format) {
    case 'cron': {
      const removed = run('crontab', ['-'], withoutCronLine(currentCrontab(), entry.name).replace(/^\n$/, ''));
      if (removed.status !== 0) throw new CliError('internal', `crontab refused the change: ${removed.stderr.trim()}`);
      return;
    }
    case 'systemd': {
      const units = systemdUnits({ name: entry.name, every: 'daily', hour: 0, minute: 0, day: 'monday', command: [], logFile: '', now: new Date() });
      spawnSync('systemctl', ['--user', 'disable', '--now', units.timerName], { stdio: 'ignore' });
      rmSync(join(systemdUserDir(), units.serviceName), { force: true });
      rmSync(join(systemdUserDir(), units.timerName), { force: true });
      spawnSync('systemctl', ['--user', 'daemon-reload'], { stdio: 'ignore' });
      return;
    }
    case 'windows':
      run('schtasks', ['/Delete', '/TN', windowsTaskName(entry.name), '/F']);
      return;
    case 'launchd': {
      const path = launchAgentPath(`org.registrytransfer.${entry.name}`);
      spawnSync('launchctl', ['unload', '-w', path], { stdio: 'ignore' });
      rmSync(path, { force: true });
    }
  }
}

export async function scheduleCommand(options: CommandOptions, out: Output, io: CliIo, cwd: string = process.cwd()): Promise<ExitCode> {
  const dataDir = resolveDataDir(options.dataDir, io.env);
  const installed = readInstalled(dataDir);

  if (options.scheduleList) {
    if (out.json) out.document({ ok: true, schedules: installed });
    else if (installed.length === 0) out.out('No schedule was installed from this computer’s data folder.');
    else out.out(installed.map((s) => `${s.name}: ${s.every} (${s.format}, installed ${s.installedAt.slice(0, 10)}): ${s.command.slice(2).join(' ')}`));
    return EXIT.done;
  }
  if (options.scheduleRemove !== undefined) {
    const entry = installed.find((s) => s.name === options.scheduleRemove);
    if (!entry) throw usageError(`No schedule named ${options.scheduleRemove} was installed from here. See registry-transfer schedule --list.`);
    uninstall(entry);
    writeInstalled(dataDir, installed.filter((s) => s !== entry));
    if (out.json) out.document({ ok: true, removed: entry.name });
    else out.out(`Removed the schedule ${entry.name} (${entry.format}).`);
    return EXIT.done;
  }

  const scheduled = options.scheduled ?? [];
  const [hour, minute] = (options.at ?? '07:00').split(':').map(Number) as [number, number];
  // One schedule per account by default: its name says which.
  const valueOf = (option: string) => scheduled[scheduled.indexOf(option) + 1];
  const profileWord = (valueOf('--profile') ?? 'registry').replace(/^.*[\\/]/, '').replace(/\.json$/i, '');
  const name = options.scheduleName ?? `send-new-${profileWord}-${valueOf('--user') ?? 'account'}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
  const cli = process.argv[1] ? resolve(process.argv[1]) : '';
  if (cli === '' || !isAbsolute(cli)) throw new CliError('internal', 'The command line’s own path is not known, so no schedule can name it.');
  const command = [process.execPath, cli, ...absolutized(scheduled, cwd)];
  const spec: ScheduleSpec = {
    name,
    every: options.every ?? 'daily',
    hour,
    minute,
    day: (options.day ?? 'monday') as Weekday,
    command,
    logFile: join(dataDir, 'schedule-logs', `${name}.log`),
    ...(typeof process.getuid === 'function' ? { uid: process.getuid() } : {}),
    now: new Date(),
  };
  const format = options.format ?? localFormat(options.install === true);
  const text = (() => {
    switch (format) {
      case 'windows':
        return windowsTaskXml(spec);
      case 'cron':
        return `${cronLine(spec)}\n`;
      case 'systemd': {
        const units = systemdUnits(spec);
        return `# ${units.serviceName}\n${units.service}\n# ${units.timerName}\n${units.timer}`;
      }
      case 'launchd':
        return launchdPlist(spec).plist;
    }
  })();

  if (options.install) {
    if (format !== localFormat(true) && !(format === 'cron' && process.platform === 'linux')) {
      throw usageError(`--install puts the schedule in this computer's own scheduler (${localFormat(true)}); --format ${format} can only be printed here.`);
    }
    mkdirSync(join(dataDir, 'schedule-logs'), { recursive: true, mode: 0o700 });
    install(format, spec);
    writeInstalled(dataDir, [...installed.filter((s) => s.name !== name), { name, format, installedAt: new Date().toISOString(), every: spec.every === 'daily' ? `daily at ${options.at ?? '07:00'}` : `every ${spec.day} at ${options.at ?? '07:00'}`, command }]);
  }
  if (out.json) out.document({ ok: true, name, format, installed: options.install === true, command, text });
  else {
    out.out(text.trimEnd().split('\n'));
    if (options.install) out.out(['', `Installed the schedule ${name} (${format}). Remove it with: registry-transfer schedule --remove ${name}`]);
  }
  return EXIT.done;
}
