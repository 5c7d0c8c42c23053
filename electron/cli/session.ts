// How every command that talks to a registry gets there: which registry and protocol, which login
// and password, and a connection opened only once the server's identity is trusted (or matches
// --trust). The commands differ only in what they do once connected.
import { calls, type Protocol } from '../../shared/contract';
import { KeytarVault } from '../engine/credentials/keytar-vault';
import type { Profile } from '../engine/profiles';
import { RemoteError, type RemoteFs } from '../engine/remote/remote-fs';
import { LeftoverJournal, type LeftoverAccount } from '../engine/transfers/leftover-journal';
import { openVerified, type OpenDeps, type OpenedConnection, type OpenRequest } from '../engine/session/open-verified';
import { sameFingerprint } from '../engine/trust/fingerprint';
import { TrustStore } from '../engine/trust/trust-store';
import { ServerClocks } from '../engine/remote/server-clocks';
import type { JsonFileSettings } from '../engine/settings/settings-store';
import type { CommandOptions } from './args';
import { catalogFor, openSettings, resolveDataDir, resolveProfile } from './engine-setup';
import { usageError } from './errors';
import type { CliIo, Output } from './output';
import { resolvePassword } from './password';
import { commandLineAsker, notTheGivenIdentity } from './trust';

export interface Registry {
  dataDir: string;
  settings: JsonFileSettings;
  profile: Profile;
  protocol: Protocol;
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
  const profile = await resolveProfile(options.profile, catalogFor(settings));
  return { dataDir: resolveDataDir(options.dataDir, io.env), settings, profile, protocol: chooseProtocol(profile, options.protocol) };
}

export function checkedUsername(user: string | undefined, profile: Profile): string {
  if (user === undefined) throw usageError(`Say which login with --user NAME (${profile.username.label.toLowerCase()}).`);
  const parsed = calls.connect.input.shape.username.safeParse(user);
  if (!parsed.success) throw usageError(`--user: ${parsed.error.issues[0]?.message ?? 'not a valid username.'}`);
  return parsed.data;
}

export interface Login {
  username: string;
  request: OpenRequest;
}

/** The login and its password (from --password-env or the keychain), hidden from every output. */
export async function prepareLogin(registry: Registry, options: CommandOptions, io: CliIo, out: Output): Promise<Login> {
  const { profile, protocol } = registry;
  const username = checkedUsername(options.user, profile);
  const password = await resolvePassword(
    { profileId: profile.id, username, ...(options.passwordEnv !== undefined ? { passwordEnv: options.passwordEnv } : {}) },
    io.env,
    () => new KeytarVault(),
  );
  out.hide(password);
  const request: OpenRequest = {
    profile,
    protocol,
    username,
    password,
    ...(options.host !== undefined || options.port !== undefined
      ? { endpointOverride: { ...(options.host !== undefined ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) } }
      : {}),
    ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
  };
  return { username, request };
}

/**
 * Opens connections for one run. A later `open()` (after an FTPS transfer failure closed the
 * connection) finds the server trusted by then, so it never needs to ask.
 */
export class Connector {
  private readonly deps: OpenDeps;
  /** Temporary upload files left behind, in the data folder the window uses too. */
  readonly leftovers: LeftoverJournal;

  constructor(
    private readonly registry: Registry,
    private readonly login: Login,
    private readonly trustGiven: string | undefined,
  ) {
    this.leftovers = LeftoverJournal.inDataDir(registry.dataDir);
    this.deps = {
      leftovers: this.leftovers,
      trust: new TrustStore(registry.settings),
      allowedOnce: new Set(),
      ask: commandLineAsker(trustGiven, registry.profile, registry.settings.file),
      clocks: new ServerClocks(registry.settings),
    };
  }

  leftoverAccount(opened: OpenedConnection): LeftoverAccount {
    return { profileId: this.registry.profile.id, host: opened.host, port: opened.port, username: this.login.username };
  }

  async open(): Promise<OpenedConnection> {
    const opened = await openVerified(this.login.request, this.deps);
    // A server the store already trusts never reaches the asker; a --trust naming another key is
    // still the user's expectation failing, and is reported the same way.
    if (this.trustGiven !== undefined && !sameFingerprint(this.trustGiven, opened.identity.fingerprint)) {
      await opened.fs.close();
      throw notTheGivenIdentity(opened.identity, this.trustGiven);
    }
    return opened;
  }
}

/** What a command's JSON says about where it was connected. */
export function connectionFacts(registry: Registry, login: Login, opened: OpenedConnection) {
  return {
    profile: { id: registry.profile.id, name: registry.profile.name },
    protocol: registry.protocol,
    host: opened.host,
    port: opened.port,
    username: login.username,
    fingerprint: opened.identity.fingerprint,
  };
}

/** A connection that is reopened for the next file when a failure closed it. */
export class RunConnection {
  private current: RemoteFs;
  private reopening: Promise<void> | undefined;

  constructor(
    private readonly connector: Connector,
    readonly opened: OpenedConnection,
  ) {
    this.current = opened.fs;
  }

  /** The connection, opened again if it closed; files sent at once share one reopening. */
  async fs(): Promise<RemoteFs> {
    if (this.current.usable) return this.current;
    this.reopening ??= (async () => {
      await this.current.close();
      this.current = (await this.connector.open()).fs;
    })().finally(() => (this.reopening = undefined));
    await this.reopening;
    return this.current;
  }

  /**
   * Remove a stopped upload's temporary file over the connection (reopened if the failure closed
   * it); one that cannot be removed now is written down for the next connection to this account,
   * from the window or the command line. True when it is gone.
   */
  async removeLeftover(path: string): Promise<boolean> {
    try {
      await (await this.fs()).remove(path);
      return true;
    } catch (error) {
      if (error instanceof RemoteError && error.code === 'not-found') return true;
    }
    this.rememberLeftover(path);
    return false;
  }

  /** Write down a hidden temporary file to be removed on the next connection to this account. */
  rememberLeftover(path: string): void {
    try {
      this.connector.leftovers.remember(this.connector.leftoverAccount(this.opened), path);
    } catch {
      // The data folder cannot be written: the file stays until someone removes it.
    }
  }

  close(): Promise<void> {
    return this.current.close();
  }
}
