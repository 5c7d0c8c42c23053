// The command line, read strictly with node:util parseArgs: an unknown option or a missing value is
// a usage error (exit 2) before anything touches the network. The password is never an option.
import { parseArgs } from 'node:util';
import { PROTOCOLS, SUBMISSION_STATES, type Protocol, type SubmissionState } from '../../shared/contract';
import { fingerprintBytes } from '../engine/trust/fingerprint';
import { usageError } from './errors';

const OPTIONS = {
  profile: { type: 'string' },
  protocol: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  'password-env': { type: 'string' },
  'new-password-env': { type: 'string' },
  trust: { type: 'string' },
  'data-dir': { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  replace: { type: 'boolean' },
  'accept-warnings': { type: 'boolean' },
  to: { type: 'string' },
  from: { type: 'string' },
  state: { type: 'string', multiple: true },
  out: { type: 'string' },
  type: { type: 'string' },
  key: { type: 'string' },
  'save-passphrase': { type: 'boolean' },
  'passphrase-env': { type: 'string' },
  'sftp-port': { type: 'string' },
  'ftps-implicit-port': { type: 'string' },
  'ftps-explicit-port': { type: 'string' },
  'process-after': { type: 'string' },
  ready: { type: 'boolean' },
  pattern: { type: 'string' },
  'move-to': { type: 'string' },
  every: { type: 'string' },
  at: { type: 'string' },
  day: { type: 'string' },
  format: { type: 'string' },
  install: { type: 'boolean' },
  list: { type: 'boolean' },
  remove: { type: 'string' },
  name: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;
type OptionName = keyof typeof OPTIONS;

export const COMMANDS = ['profiles', 'list', 'upload', 'download', 'report', 'submissions', 'change-password', 'practice', 'keygen', 'diagnose', 'send-new', 'schedule'] as const;
export type CommandName = (typeof COMMANDS)[number];

const CONNECTION_OPTIONS: readonly OptionName[] = ['profile', 'protocol', 'host', 'port', 'user', 'password-env', 'key', 'passphrase-env', 'trust', 'data-dir', 'timeout', 'json', 'help', 'version'];
const COMMAND_OPTIONS: Record<CommandName, readonly OptionName[]> = {
  profiles: ['data-dir', 'json', 'help', 'version'],
  list: CONNECTION_OPTIONS,
  upload: [...CONNECTION_OPTIONS, 'replace', 'accept-warnings'],
  download: [...CONNECTION_OPTIONS, 'to'],
  report: CONNECTION_OPTIONS,
  submissions: [...CONNECTION_OPTIONS, 'from', 'to', 'state'],
  'change-password': [...CONNECTION_OPTIONS, 'new-password-env'],
  practice: ['data-dir', 'sftp-port', 'ftps-implicit-port', 'ftps-explicit-port', 'process-after', 'ready', 'json', 'help', 'version'],
  keygen: ['out', 'type', 'passphrase-env', 'save-passphrase', 'profile', 'data-dir', 'json', 'help', 'version'],
  diagnose: CONNECTION_OPTIONS,
  'send-new': [...CONNECTION_OPTIONS, 'replace', 'accept-warnings', 'pattern', 'move-to'],
  schedule: ['every', 'at', 'day', 'format', 'install', 'list', 'remove', 'name', 'data-dir', 'json', 'help', 'version'],
};

/** How many arguments besides options each command takes, and what to say when they are wrong. */
const POSITIONALS: Record<CommandName, { min: number; max: number; tooFew: string; tooMany: string }> = {
  profiles: { min: 0, max: 0, tooFew: '', tooMany: 'profiles takes no arguments besides its options.' },
  list: { min: 0, max: 1, tooFew: '', tooMany: 'list takes at most one folder.' },
  upload: { min: 1, max: Number.POSITIVE_INFINITY, tooFew: 'Say which files to send: registry-transfer upload FILE... (full paths are safest in a scheduled job).', tooMany: '' },
  download: {
    min: 1,
    max: Number.POSITIVE_INFINITY,
    tooFew: 'Say which folder to download from, e.g. registry-transfer download DQA-Report --to DIR.',
    tooMany: '',
  },
  report: {
    min: 2,
    max: 2,
    tooFew: 'Say which folder and which file to show, e.g. registry-transfer report DQA-Report NAME.',
    tooMany: 'report shows one file: registry-transfer report FOLDER NAME.',
  },
  submissions: { min: 0, max: 0, tooFew: '', tooMany: 'submissions takes no arguments besides its options (--from, --to, --state).' },
  'change-password': {
    min: 0,
    max: 0,
    tooFew: '',
    tooMany: 'change-password takes no arguments besides its options; the new password is never one of them (see --new-password-env).',
  },
  practice: { min: 0, max: 0, tooFew: '', tooMany: 'practice takes no arguments besides its options.' },
  keygen: { min: 0, max: 0, tooFew: '', tooMany: 'keygen takes no arguments besides its options: registry-transfer keygen --out FILE.' },
  diagnose: { min: 0, max: 0, tooFew: '', tooMany: 'diagnose takes no arguments besides its options: registry-transfer diagnose --profile ID.' },
  'send-new': {
    min: 1,
    max: 1,
    tooFew: 'Say which folder to send from: registry-transfer send-new DIR (the folder the EHR exports its files to).',
    tooMany: 'send-new takes one folder: registry-transfer send-new DIR. Choose files within it with --pattern.',
  },
  schedule: { min: 0, max: 0, tooFew: '', tooMany: 'schedule takes the command to run after --: registry-transfer schedule --every weekly -- send-new DIR ...' },
};

export interface CommandOptions {
  profile?: string;
  protocol?: Protocol;
  host?: string;
  port?: number;
  user?: string;
  /** The NAME of the environment variable that holds the password, never the password. */
  passwordEnv?: string;
  /** change-password: the NAME of the environment variable that holds the new password. */
  newPasswordEnv?: string;
  /** As the user typed it; checked to be a SHA-256 fingerprint in one of the accepted forms. */
  trust?: string;
  dataDir?: string;
  timeoutSeconds?: number;
  json: boolean;
  /** upload: replace a file of the same name still waiting in the dropoff folder. */
  replace?: true;
  /** upload: send files whose checks gave warnings (not errors). */
  acceptWarnings?: true;
  /** download: the folder on this computer to save into. */
  to?: string;
  /** submissions: sent on or after / on or before these days (YYYY-MM-DD), and in these states. */
  sentFrom?: string;
  sentTo?: string;
  states?: SubmissionState[];
  /** practice: the ports to listen on (absent: free ones). */
  sftpPort?: number;
  ftpsImplicitPort?: number;
  ftpsExplicitPort?: number;
  /** practice: seconds after a file lands in HL7-Dropoff before the registry processes it. */
  processAfterSeconds?: number;
  /** practice: an account whose first-login change is already done. */
  ready?: true;
  /** keygen: where to write the private key (the public key goes beside it, FILE.pub). */
  out?: string;
  /** keygen: ed25519 (the default) or rsa. */
  keyType?: 'ed25519' | 'rsa';
  /** keygen, and --key: the NAME of the environment variable that holds the passphrase, never the passphrase. */
  passphraseEnv?: string;
  /** A private key file for SFTP sign-in (with or without --password-env). */
  key?: string;
  /** keygen: keep the passphrase in the system keychain, so --key needs no --passphrase-env. */
  savePassphrase?: true;
  /** send-new: which files of the folder to send (`*.hl7`); without it, every file but temporary ones. */
  pattern?: string;
  /** send-new: move each delivered file into this folder (made when missing). */
  moveTo?: string;
  /** schedule: how often, when, and which day (weekly). */
  every?: 'daily' | 'weekly';
  at?: string;
  day?: string;
  /** schedule: the scheduler's format to print (default: this computer's). */
  format?: 'windows' | 'cron' | 'systemd' | 'launchd';
  install?: true;
  scheduleList?: true;
  scheduleRemove?: string;
  scheduleName?: string;
  /** schedule: the send-new command line to run, as given after `--`. */
  scheduled?: string[];
}

export type CommandLine =
  | { kind: 'version'; json: boolean }
  | { kind: 'help'; command: CommandName | null }
  | { kind: 'run'; command: CommandName; positionals: string[]; options: CommandOptions };

/** Whether the user asked for JSON, readable even from a command line that does not parse. */
export const wantsJson = (argv: readonly string[]) => argv.includes('--json');

const isCommand = (word: string): word is CommandName => (COMMANDS as readonly string[]).includes(word);

function parseError(error: unknown): Error {
  const code = (error as { code?: unknown }).code;
  const text = error instanceof Error ? error.message : String(error);
  const option = /'(-{1,2}[A-Za-z0-9-]+)/.exec(text)?.[1] ?? 'an option';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    if (/^(--password|-p|--pass|--pw)$/.test(option)) {
      return usageError(
        'A password is never given on the command line, where other programs on this computer could read it. ' +
          'Put it in an environment variable and name the variable with --password-env VAR, or save the password in the desktop app.',
      );
    }
    return usageError(`Unknown option ${option}. See registry-transfer --help.`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(text)) return usageError(`${option} does not take a value.`);
    return usageError(`${option} needs a value.`);
  }
  return usageError(`The command line could not be read. See registry-transfer --help.`);
}

const PORT_PATTERN = /^[0-9]{1,5}$/;
const HOST_PATTERN = /^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The words read against every option the command line knows: an unknown one is a usage error. */
function parseStrict(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    throw parseError(error);
  }
}

/** The options of `schedule` itself (before its `--`). */
function parseScheduleOptions(argv: readonly string[]): CommandLine {
  const { values, positionals, tokens } = parseStrict(argv);
  if (values.help) return { kind: 'help', command: 'schedule' };
  for (const token of tokens) {
    if (token.kind === 'option' && !COMMAND_OPTIONS.schedule.includes(token.name as OptionName)) {
      throw usageError(`schedule does not take --${token.name} before --: it belongs to the command after it. See registry-transfer schedule --help.`);
    }
  }
  if (positionals.length > 0) throw usageError(`${POSITIONALS.schedule.tooMany} See registry-transfer schedule --help.`);
  const options: CommandOptions = { json: values.json === true };
  if (typeof values['data-dir'] === 'string') options.dataDir = values['data-dir'];
  if (values.install === true) options.install = true;
  if (values.list === true) options.scheduleList = true;
  if (typeof values.remove === 'string') options.scheduleRemove = values.remove;
  const every = values.every;
  if (every !== undefined) {
    if (every !== 'daily' && every !== 'weekly') throw usageError('--every must be daily or weekly.');
    options.every = every;
  }
  if (values.at !== undefined) {
    const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(values.at);
    if (!match) throw usageError('--at must be a time of day as HH:MM, from 00:00 to 23:59.');
    options.at = `${match[1]?.padStart(2, '0')}:${match[2]}`;
  }
  if (values.day !== undefined) {
    const day = WEEKDAY_NAMES.find((d) => d === values.day?.toLowerCase() || d.slice(0, 3) === values.day?.toLowerCase());
    if (!day) throw usageError('--day must be a day of the week: monday, tuesday, ... (or mon, tue, ...).');
    if (options.every !== 'weekly') throw usageError('--day goes with --every weekly.');
    options.day = day;
  }
  if (values.format !== undefined) {
    if (!['windows', 'cron', 'systemd', 'launchd'].includes(values.format)) throw usageError('--format must be windows, cron, systemd or launchd.');
    options.format = values.format as NonNullable<CommandOptions['format']>;
  }
  if (values.name !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,60}$/.test(values.name)) throw usageError('--name takes letters, digits, - and _ only (up to 60).');
    options.scheduleName = values.name;
  }
  return { kind: 'run', command: 'schedule', positionals: [], options };
}

const WEEKDAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/**
 * `schedule [options] -- send-new ...`: the words after `--` are the scheduled command, checked as a
 * command line of their own (a send-new that would run), and never carrying a password.
 */
function parseSchedule(argv: readonly string[]): CommandLine {
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const scheduled = split === -1 ? [] : argv.slice(split + 1);
  const line = parseScheduleOptions(own);
  if (line.kind !== 'run') return line;
  const options = line.options;
  if (options.scheduleList || options.scheduleRemove !== undefined) {
    if (scheduled.length > 0 || options.install) throw usageError('--list and --remove take no command to schedule.');
    return { kind: 'run', command: 'schedule', positionals: [], options };
  }
  if (options.every === undefined) throw usageError('Say how often with --every daily or --every weekly. See registry-transfer schedule --help.');
  if (scheduled[0] !== 'send-new') throw usageError('Give the command to run after --: registry-transfer schedule --every weekly -- send-new DIR --profile ID --user NAME.');
  const inner = parseCommandLine(scheduled);
  if (inner.kind !== 'run' || inner.command !== 'send-new') throw usageError('The command after -- must be a send-new that runs (not --help).');
  if (inner.options.passwordEnv !== undefined || inner.options.passphraseEnv !== undefined) {
    throw usageError('A schedule never carries a password: leave out --password-env and --passphrase-env. Save the password in the system keychain first (sign in once in the app with "Remember on this computer"); the scheduled run takes it from there.');
  }
  return { kind: 'run', command: 'schedule', positionals: [], options: { ...options, scheduled: [...scheduled] } };
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  if (argv[0] === 'schedule') return parseSchedule(argv.slice(1));
  const { values, positionals, tokens } = parseStrict(argv);
  const [first, ...rest] = positionals;

  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help', command: null };
    if (!isCommand(topic)) throw usageError(`There is no command "${topic}". Commands: ${COMMANDS.join(', ')}.`);
    return { kind: 'help', command: topic };
  }
  if (first !== undefined && !isCommand(first)) {
    throw usageError(`Unknown command "${first}". Commands: ${COMMANDS.join(', ')}. See registry-transfer --help.`);
  }
  if (values.help) return { kind: 'help', command: first ?? null };
  if (values.version) return { kind: 'version', json: values.json === true };
  if (first === undefined) throw usageError(`Say what to do: registry-transfer ${COMMANDS.join(', ')}. See registry-transfer --help.`);

  const allowed = COMMAND_OPTIONS[first];
  for (const token of tokens) {
    if (token.kind === 'option' && !allowed.includes(token.name as OptionName)) {
      throw usageError(`${first} does not take --${token.name}. See registry-transfer ${first} --help.`);
    }
  }
  const counts = POSITIONALS[first];
  if (rest.length > counts.max) throw usageError(`${counts.tooMany} See registry-transfer ${first} --help.`);
  if (rest.length < counts.min) throw usageError(`${counts.tooFew} See registry-transfer ${first} --help.`);
  if (rest.some((word) => word.trim() === '')) throw usageError(`An empty argument was given to ${first}. See registry-transfer ${first} --help.`);

  const options: CommandOptions = { json: values.json === true };
  if (values.replace === true) options.replace = true;
  if (values.ready === true) options.ready = true;
  if (values['accept-warnings'] === true) options.acceptWarnings = true;
  if (values['save-passphrase'] === true) options.savePassphrase = true;
  const text = (name: OptionName): string | undefined => {
    const value = values[name];
    if (typeof value !== 'string') return undefined;
    if (value.trim() === '') throw usageError(`--${name} needs a value.`);
    return value.trim();
  };

  const profile = text('profile');
  if (profile !== undefined) options.profile = profile;

  const protocol = text('protocol');
  if (protocol !== undefined) {
    const lower = protocol.toLowerCase();
    if (!(PROTOCOLS as readonly string[]).includes(lower)) throw usageError(`--protocol must be ${PROTOCOLS.join(' or ')}.`);
    options.protocol = lower as Protocol;
  }

  const host = text('host');
  if (host !== undefined) {
    if (host.length > 253 || !HOST_PATTERN.test(host)) throw usageError('--host must be a host name or IP address, without a scheme, user or port.');
    options.host = host;
  }

  const portOption = (name: OptionName): number | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    const number = PORT_PATTERN.test(value) ? Number(value) : NaN;
    if (!(number >= 1 && number <= 65535)) throw usageError(`--${name} must be a whole number from 1 to 65535.`);
    return number;
  };
  const port = portOption('port');
  if (port !== undefined) options.port = port;

  const practicePorts: [OptionName, 'sftpPort' | 'ftpsImplicitPort' | 'ftpsExplicitPort'][] = [
    ['sftp-port', 'sftpPort'],
    ['ftps-implicit-port', 'ftpsImplicitPort'],
    ['ftps-explicit-port', 'ftpsExplicitPort'],
  ];
  for (const [name, key] of practicePorts) {
    const value = portOption(name);
    if (value !== undefined) options[key] = value;
  }
  const given = practicePorts.map(([, key]) => options[key]).filter((p): p is number => p !== undefined);
  if (new Set(given).size !== given.length) throw usageError('--sftp-port, --ftps-implicit-port and --ftps-explicit-port must be three different ports.');

  const processAfter = text('process-after');
  if (processAfter !== undefined) {
    const seconds = /^[0-9]+(\.[0-9]+)?$/.test(processAfter) ? Number(processAfter) : NaN;
    if (!(seconds >= 0 && seconds <= 3600)) throw usageError('--process-after must be a number of seconds from 0 to 3600.');
    options.processAfterSeconds = seconds;
  }

  const user = text('user');
  if (user !== undefined) options.user = user;

  const passwordEnv = text('password-env');
  if (passwordEnv !== undefined) {
    // Only a name is shown back, never what might be a password typed by mistake.
    if (!ENV_NAME_PATTERN.test(passwordEnv)) {
      throw usageError('--password-env takes the NAME of an environment variable (letters, digits and _), not the password itself.');
    }
    options.passwordEnv = passwordEnv;
  }

  const newPasswordEnv = text('new-password-env');
  if (newPasswordEnv !== undefined) {
    if (!ENV_NAME_PATTERN.test(newPasswordEnv)) {
      throw usageError('--new-password-env takes the NAME of an environment variable (letters, digits and _), not the new password itself.');
    }
    options.newPasswordEnv = newPasswordEnv;
  }

  const trust = text('trust');
  if (trust !== undefined) {
    if (fingerprintBytes(trust) === null) {
      throw usageError(
        '--trust must be a SHA-256 fingerprint: SHA256:<43 characters> as ssh-keygen -l prints it, or 32 bytes in hex (with or without colons).',
      );
    }
    options.trust = trust;
  }

  const to = text('to');
  if (first === 'submissions') {
    const day = (name: 'from' | 'to'): string | undefined => {
      const value = text(name);
      if (value === undefined) return undefined;
      // A real day of the calendar: 2026-02-30 is refused, not read as March 2.
      const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : null;
      if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
        throw usageError(`--${name} must be a day written YYYY-MM-DD, e.g. 2026-12-01.`);
      }
      return value;
    };
    const sentFrom = day('from');
    const sentTo = to === undefined ? undefined : day('to');
    if (sentFrom !== undefined) options.sentFrom = sentFrom;
    if (sentTo !== undefined) options.sentTo = sentTo;
    if (sentFrom !== undefined && sentTo !== undefined && sentFrom > sentTo) throw usageError('--from must be on or before --to.');
    const states = (values.state ?? []).flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase());
    for (const state of states) {
      if (!(SUBMISSION_STATES as readonly string[]).includes(state)) throw usageError(`--state must be one of ${SUBMISSION_STATES.join(', ')} (given: ${state || 'nothing'}).`);
    }
    if (states.length > 0) options.states = [...new Set(states)] as SubmissionState[];
  } else if (to !== undefined) options.to = to;
  if (first === 'download' && options.to === undefined) {
    throw usageError('Say where to save the files with --to DIR (a folder on this computer). See registry-transfer download --help.');
  }

  const pattern = text('pattern');
  if (pattern !== undefined) {
    if (pattern === '' || /[\\/]/.test(pattern)) throw usageError('--pattern matches file names within the folder (e.g. *.hl7), not paths.');
    options.pattern = pattern;
  }
  const moveTo = text('move-to');
  if (moveTo !== undefined) options.moveTo = moveTo;

  const dataDir = text('data-dir');
  if (dataDir !== undefined) options.dataDir = dataDir;

  const out = text('out');
  if (out !== undefined) options.out = out;
  if (first === 'keygen' && options.out === undefined) throw usageError('Say where to write the key with --out FILE (its public key goes beside it as FILE.pub). See registry-transfer keygen --help.');
  const keyType = text('type');
  if (keyType !== undefined) {
    const lower = keyType.toLowerCase();
    if (lower !== 'ed25519' && lower !== 'rsa') throw usageError('--type must be ed25519 (the default) or rsa (4096 bits, for servers that take no Ed25519 key).');
    options.keyType = lower;
  }
  const key = text('key');
  if (key !== undefined) options.key = key;
  const passphraseEnv = text('passphrase-env');
  if (passphraseEnv !== undefined) {
    if (!ENV_NAME_PATTERN.test(passphraseEnv)) throw usageError('--passphrase-env takes the NAME of an environment variable (letters, digits and _), not the passphrase itself.');
    options.passphraseEnv = passphraseEnv;
    if (first !== 'keygen' && options.key === undefined) throw usageError('--passphrase-env goes with --key FILE: it names the variable holding that key\'s passphrase.');
  }
  if (options.savePassphrase && options.passphraseEnv === undefined) throw usageError('--save-passphrase keeps the passphrase given with --passphrase-env VAR in the system keychain: give that too.');

  const timeout = text('timeout');
  if (timeout !== undefined) {
    const seconds = /^[0-9]+(\.[0-9]+)?$/.test(timeout) ? Number(timeout) : NaN;
    if (!(seconds >= 1 && seconds <= 600)) throw usageError('--timeout must be a number of seconds from 1 to 600.');
    options.timeoutSeconds = seconds;
  }

  return { kind: 'run', command: first, positionals: rest, options };
}
