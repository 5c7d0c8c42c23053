// How every command that talks to a registry gets there: which registry and protocol, which login,
// and then the engine's own sign-in and session (the ones the desktop app uses): the password from
// --password-env or the keychain (current, then a pending one after a change, once each), a server
// whose identity is trusted (or matches --trust), and a connection reopened when one fails. The
// commands differ only in what they do once signed in.
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { ParsedKey } from 'ssh2';
import packageJson from '../../package.json';
import { calls, type Protocol, type RegistryEvent } from '../../shared/contract';
import { KeytarVault } from '../engine/credentials/keytar-vault';
import { vaultAccount } from '../engine/credentials/vault';
import { createEngine, type Engine } from '../engine/engine';
import { KeyProblem, openPrivateKey, passphraseVaultAccount } from '../engine/keys/ssh-keys';
import type { Profile } from '../engine/profiles';
import { RemoteError } from '../engine/remote/remote-fs';
import type { OpenedConnection } from '../engine/session/open-verified';
import type { RegistrySession } from '../engine/session/registry-session';
import { sameFingerprint } from '../engine/trust/fingerprint';
import type { JsonFileSettings } from '../engine/settings/settings-store';
import type { CommandOptions } from './args';
import { practicePort } from '../engine/practice-port';
import type { PracticeListening } from '../practice/practice-registry';
import { PRACTICE_PROFILE_ID, PRACTICE_USERNAME } from '../practice/practice-profile';
import { catalogFor, openSettings, resolveDataDir, resolveProfile, runningPractice } from './engine-setup';
import { CliError, toCliError, usageError } from './errors';
import type { CliIo, Output } from './output';
import { NO_PASSWORD, passwordFromEnv } from './password';
import { commandLineAnswer, notTheGivenIdentity } from './trust';

export interface Registry {
  dataDir: string;
  settings: JsonFileSettings;
  profile: Profile;
  protocol: Protocol;
  /** `--profile practice`: the practice registry running on this data folder (its key and certificate are vouched for). */
  practice?: PracticeListening & { processAfterSeconds: number };
}

export function chooseProtocol(profile: Profile, wanted: Protocol | undefined): Protocol {
  const offered = profile.endpoints.map((e) => e.protocol);
  if (wanted !== undefined) {
    if (!offered.includes(wanted)) throw usageError(`${profile.name} does not offer ${wanted.toUpperCase()}; it offers ${offered.join(', ').toUpperCase()}.`);
    return wanted;
  }
  return offered.includes('sftp') ? 'sftp' : (offered[0] as Protocol);
}

/** The registry and protocol the options name; nothing is opened yet. */
export async function chooseRegistry(options: CommandOptions, io: CliIo): Promise<Registry> {
  const settings = openSettings(options.dataDir, io.env);
  const dataDir = resolveDataDir(options.dataDir, io.env);
  const profile = await resolveProfile(options.profile, catalogFor(settings, dataDir), dataDir);
  const practice = profile.id === PRACTICE_PROFILE_ID ? runningPractice(dataDir) : null;
  return { dataDir, settings, profile, protocol: chooseProtocol(profile, options.protocol), ...(practice ? { practice } : {}) };
}

export function checkedUsername(user: string | undefined, profile: Profile): string {
  // The practice registry has one account, so --user may be left out there.
  if (user === undefined && profile.id === PRACTICE_PROFILE_ID) return PRACTICE_USERNAME;
  if (user === undefined) throw usageError(`Say which login with --user NAME (${profile.username.label.toLowerCase()}).`);
  const parsed = calls.connect.input.shape.username.safeParse(user);
  if (!parsed.success) throw usageError(`--user: ${parsed.error.issues[0]?.message ?? 'not a valid username.'}`);
  return parsed.data;
}

/** A command's run on the engine: its session once signed in, and the events it listens to. */
export interface RunEngine {
  engine: Engine;
  /** Listen to the engine's events (a transfer's progress); returns the unsubscribe function. */
  onEvent(listener: (event: RegistryEvent) => void): () => void;
}

/**
 * The engine for one run, over the desktop app's data folder and keychain. The command line asks
 * nobody: it answers the engine's trust requests from --trust, or the run stops before any password
 * is sent; a --trust naming another identity than a trusted server shows is refused the same way.
 */
export function engineForRun(registry: Registry, options: CommandOptions, out: Output): RunEngine & { refusal(): CliError | null } {
  const listeners = new Set<(event: RegistryEvent) => void>();
  let historyWarned = false;
  /** Why the run refused a server's identity, in the command line's words (reported instead of the engine's). */
  let refused: CliError | null = null;
  const engine: Engine = createEngine({
    settings: registry.settings,
    emit: (event) => {
      // Requests are answered from the flags; a demand for a new password never comes (the run does not ask).
      if (event.type === 'request') {
        const { request } = event;
        if (request.kind === 'new-password') {
          engine.broker.answer(request.id, 'deny');
        } else {
          const { answer, refusal } = commandLineAnswer(request, options.trust, registry.profile, registry.settings.file);
          if (refusal) refused = refusal;
          engine.broker.answer(request.id, answer);
        }
      }
      for (const listener of listeners) listener(event);
    },
    openExternal: async () => undefined,
    appInfo: { name: 'registry-transfer', version: packageJson.version },
    dataDir: registry.dataDir,
    vault: new KeytarVault(),
    // The practice registry running on this data folder: its key and certificate vouched for where it
    // listens (running.json is the data folder's, written only by its owner, as trusted servers are).
    ...(registry.practice
      ? { practice: practicePort({ listening: registry.practice, profile: registry.profile, issuedPassword: () => null, processAfterSeconds: registry.practice.processAfterSeconds, samplesFolder: null }) }
      : {}),
    ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
    acceptOpened: (opened) => {
      if (options.trust !== undefined && !sameFingerprint(options.trust, opened.identity.fingerprint)) throw notTheGivenIdentity(opened.identity, options.trust);
    },
    historyUnwritable: (error) => {
      if (historyWarned) return;
      historyWarned = true;
      const code = (error as { code?: unknown }).code;
      out.err(`registry-transfer: the transfer history in ${registry.dataDir} could not be written${code ? ` (${String(code)})` : ''}; the transfers themselves are not affected.`);
    },
  });
  return {
    engine,
    refusal: () => refused,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export interface SignedInRun extends RunEngine {
  session: RegistrySession;
  opened: OpenedConnection;
  username: string;
  notices: string[];
}

/**
 * What a run signs in with: --key (its passphrase from --passphrase-env or the keychain), else the
 * account's key when it signs in by key in the app on this data folder; --password-env's password,
 * else '' when the key is the only way in, else undefined (the keychain's saved password).
 */
export async function credentialsForRun(
  registry: Registry,
  username: string,
  engine: Engine,
  options: CommandOptions,
  io: CliIo,
  out: Output,
): Promise<{ key: ParsedKey | undefined; typed: string | undefined }> {
  const { profile, protocol } = registry;
  let key = options.key !== undefined ? await openKeyFile(options.key, options.passphraseEnv, io.env, out) : undefined;
  const saved = engine.accountKeys.get(profile.id, username);
  const savedKeyOnly = key === undefined && protocol === 'sftp' && saved.method === 'key';
  if (key === undefined && protocol === 'sftp' && saved.method !== 'password' && saved.keyPath !== null) {
    try {
      key = await engine.accountKeys.open(saved.keyPath);
    } catch (error) {
      throw toCliError(error);
    }
  }
  // With a key and no --password-env, the key is the only way in (no saved password is looked up),
  // unless the account signs in by key and password.
  const typed = passwordFromEnv(options.passwordEnv, io.env) ?? (key && (options.key !== undefined || savedKeyOnly) ? '' : undefined);
  if (typed) out.hide(typed);
  return { key, typed };
}

/**
 * Sign in through the engine: --password-env's password (then a pending one from the keychain), or
 * the keychain's current and pending ones, once each; the one the registry takes is kept. A password
 * the registry demands be changed stops the run (change-password answers it with `newPassword`).
 */
export async function signInForRun(
  registry: Registry,
  options: CommandOptions,
  io: CliIo,
  out: Output,
  change: { newPassword?: string; rememberPassword?: boolean } = {},
): Promise<SignedInRun> {
  const { profile, protocol } = registry;
  const username = checkedUsername(options.user, profile);
  const run = engineForRun(registry, options, out);
  const { key, typed } = await credentialsForRun(registry, username, run.engine, options, io, out);
  try {
    const { session, opened, notices } = await run.engine.signIn({
      profile,
      protocol,
      username,
      typed,
      rememberPassword: change.rememberPassword ?? false,
      ...(change.newPassword !== undefined ? { newPassword: change.newPassword } : {}),
      ...(key ? { key } : {}),
      ...(options.host !== undefined || options.port !== undefined
        ? { endpointOverride: { ...(options.host !== undefined ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) } }
        : {}),
      askForNewPassword: false,
    });
    return { ...run, session, opened, username, notices };
  } catch (error) {
    throw run.refusal() ?? noPasswordInCliWords(error, vaultAccount(profile.id, username));
  }
}

/** No password to sign in with: said as the command line says it (where it could have come from). */
function noPasswordInCliWords(error: unknown, account: string): unknown {
  if (!(error instanceof RemoteError)) return error;
  if (error.code === 'no-password') return new CliError('no-password', `${NO_PASSWORD} The system keychain has none saved for ${account} (a locked keychain also shows none).`);
  if (error.code === 'keychain-unavailable') return new CliError('keychain-unavailable', `${NO_PASSWORD} ${error.message.replace(/ Enter the password to sign in\..*$/, '')}`, error.detail);
  return toCliError(error);
}

/** What a command's JSON says about where it was connected. */
export function connectionFacts(registry: Registry, run: SignedInRun) {
  return {
    profile: { id: registry.profile.id, name: registry.profile.name },
    protocol: registry.protocol,
    host: run.opened.host,
    port: run.opened.port,
    username: run.username,
    fingerprint: run.opened.identity.fingerprint,
  };
}

/**
 * --key FILE (and its passphrase from --passphrase-env VAR, or else the one `keygen --save-passphrase`
 * kept in the system keychain), opened before anything is sent: a key that cannot be opened stops the
 * run here, and no server hears of it (nor of the password).
 */
async function openKeyFile(given: string, passphraseEnv: string | undefined, env: NodeJS.ProcessEnv, out: Output): Promise<ParsedKey> {
  const path = resolvePath(given);
  let passphrase: string | null = null;
  if (passphraseEnv !== undefined) {
    const value = env[passphraseEnv];
    if (value === undefined || value === '') throw new CliError('invalid-input', `No passphrase: the environment variable ${passphraseEnv} named by --passphrase-env is not set or is empty. Nothing was sent.`);
    passphrase = value;
  }
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch {
    throw new CliError('invalid-input', `The key file ${path} could not be read. Give the path of the private key (not the .pub file). Nothing was sent.`);
  }
  const open = (withPassphrase: string | null) => {
    try {
      return openPrivateKey(text, withPassphrase, `The key file ${path}`);
    } catch (error) {
      if (error instanceof KeyProblem) return error;
      throw error;
    }
  };
  let opened = open(passphrase);
  if (opened instanceof KeyProblem && opened.kind === 'passphrase-needed' && passphrase === null) {
    // A key whose passphrase keygen kept in the keychain; a keychain that cannot be read is the same
    // as none kept (the message below says how to give it).
    passphrase = await new KeytarVault().get(passphraseVaultAccount(path)).catch(() => null);
    if (passphrase !== null) opened = open(passphrase);
  }
  if (passphrase !== null) out.hide(passphrase);
  if (opened instanceof KeyProblem) {
    if (opened.kind === 'passphrase-needed') {
      throw new CliError('invalid-input', `The key file ${path} is protected by a passphrase: give it with --passphrase-env VAR (none is kept in the system keychain for this file). Nothing was sent.`);
    }
    throw new CliError('invalid-input', `${opened.message}${/Nothing was sent/.test(opened.message) ? '' : ' Nothing was sent.'}`);
  }
  return opened;
}
