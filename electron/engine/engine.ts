// The application layer: everything the window and the command line share. One sign-in (the saved
// passwords, a demanded change asked for as a request), one session per signed-in account, one
// transfer queue, one set of stores (trust, history, leftovers, keychain). The window reaches it
// through the contract's handlers (handlers/), the command line through its commands; neither opens
// a connection or runs a transfer any other way.
import type { ParsedKey } from 'ssh2';
import { join } from 'node:path';
import type { ConnectionInfo, LocalPlace, PracticeAccountSummary, Protocol, RegistryEvent } from '../../shared/contract';
import { KeychainAccess } from './credentials/keychain';
import { AccountBusy, lockAccount, type HeldLock } from './auto-send/account-lock';
import { AutoSender } from './auto-send/auto-sender';
import { SendLedger } from './auto-send/send-ledger';
import { AccountKeys } from './keys/account-keys';
import { changeOnConnection, FirstLoginRecord, type SiteChangeDone } from './credentials/password-change';
import { signIn } from './credentials/sign-in';
import { vaultAccount, type CredentialVault } from './credentials/vault';
import { localPlaces } from './local/local-fs';
import { LocalPathGrants } from './local/path-grants';
import { parseProfile, ProfileCatalog, type Profile } from './profiles';
import { resolveRoleFolders } from './remote/folders';
import { RemoteError, type RemoteFs, type SiteChangeResult, type SitePasswordCommand } from './remote/remote-fs';
import { ServerClocks } from './remote/server-clocks';
import { RequestBroker } from './requests/request-broker';
import { openVerified, resolveEndpoint, type IdentityAsker, type OpenedConnection, type OpenRequest } from './session/open-verified';
import { busyConnecting, notConnected, requireProfile } from './session/preconditions';
import { RegistrySession } from './session/registry-session';
import type { SettingsStore } from './settings/settings-store';
import { TransferHistory } from './transfers/history';
import { LeftoverJournal, LEFTOVER_JOURNAL_FILE_NAME } from './transfers/leftover-journal';
import { TransferQueue, type QueueTarget } from './transfers/transfer-queue';
import { UploadBatch } from './transfers/upload';
import { TrustStore, type SeenIdentity } from './trust/trust-store';

export interface EnginePorts {
  settings: SettingsStore;
  emit: (event: RegistryEvent) => void;
  /** Open an https address in the system browser (Electron's shell in the app). */
  openExternal: (url: string) => Promise<void>;
  appInfo: { name: string; version: string };
  /** Seconds a request (trust, new password) waits before it counts as "deny". */
  requestTimeoutSeconds?: number;
  /** Close an idle connection after this long; the next action reopens it. */
  idleCloseSeconds?: number;
  /** Tests and the command line's --timeout: a shorter network timeout than the profile's. */
  timeoutSeconds?: number;
  /** Where the transfer history and the leftover journal are kept (the app's data folder); none when absent. */
  dataDir?: string;
  /** The system's file picker (Electron's dialog); absent where there is none. */
  chooseFiles?: () => Promise<string[]>;
  /** The system's folder picker; null when the user cancelled. */
  chooseFolder?: (title?: string) => Promise<string | null>;
  /** A system notification (Electron's Notification in the app): a file sent from the export folder, or not. */
  notify?: (note: { title: string; body: string }) => void;
  /** Tests: how long a new file in the export folder must keep its size before it is sent. */
  autoSendStableMs?: number;
  /** The system's file picker for one private key file; null when the user cancelled. */
  chooseKeyFile?: () => Promise<string | null>;
  /** The OS keychain (keytar in the app). Without it nothing is saved, and the user types each time. */
  vault?: CredentialVault;
  /** Where the My Computer pane starts (tests give narrower ones); the computer's own places by default. */
  localPlaces?: () => LocalPlace[];
  /**
   * A last look at each connection once open, before anything is sent on it beyond the sign-in (the
   * command line's --trust names the one identity it expects); throwing refuses it.
   */
  acceptOpened?: (opened: OpenedConnection) => void;
  /** The transfer history could not be written (the transfers are not affected): the command line says so once. */
  historyUnwritable?: (error: unknown) => void;
  /** The practice registry running beside the app, when there is one (the window starts it). */
  practice?: PracticePort;
  /**
   * The time now, for what follows from how old a file is (a late submission's hint, one purged
   * past the registry's retention); the system's clock by default. Tests move it together with the
   * practice registry's clock.
   */
  now?: () => Date;
}

/** What the engine knows of the practice registry the app runs: never a module of it (the engine stays below it). */
export interface PracticePort {
  /** Its profile, with the ports it listens on now. */
  profile(): Profile;
  /** Its account, for the window's banner and sign-in form. */
  account(): Omit<PracticeAccountSummary, 'samplesFolder'>;
  /** Whether `seen` is the practice registry's own key or certificate (the app made them: nothing to ask). */
  vouches(seen: SeenIdentity): boolean;
  /** The folder of sample HL7 files shipped with the app ("Try with a sample file"); null when not installed. */
  samplesFolder(): string | null;
}

/** The My Computer pane's place for the sample files shipped with the app. */
export const SAMPLE_FILES_PLACE_LABEL = 'Sample files (practice)';

/** Settings key: the registry the user last signed in to; the window opens on it next time. */
export const LAST_REGISTRY_KEY = 'lastRegistry';

export interface SignInParams {
  profile: Profile;
  protocol: Protocol;
  username: string;
  /** Absent: the saved passwords (current, then pending) are tried. */
  typed: string | undefined;
  rememberPassword: boolean;
  /** A new password known before signing in (the command line's change-password). */
  newPassword?: string;
  /** Point the profile at another server (the command line's --host/--port). */
  endpointOverride?: { host?: string; port?: number };
  /** A private key for SFTP, opened before signing in; with `typed` '' the key is the only way in. */
  key?: ParsedKey;
  /**
   * When the registry demands a new password and none was given: ask with a new-password request (the
   * window), or fail with the registry's demand (the command line, which cannot ask mid-run).
   */
  askForNewPassword: boolean;
}

export interface SignedInSession {
  session: RegistrySession;
  notices: string[];
  /** The identity the connection showed (for the command line's JSON). */
  opened: OpenedConnection;
}

export const CUSTOM_PROFILES_KEY = 'customProfiles';

export function customProfiles(settings: SettingsStore): Profile[] {
  const raw = settings.get(CUSTOM_PROFILES_KEY);
  if (!Array.isArray(raw)) return [];
  const valid: Profile[] = [];
  for (const entry of raw) {
    try {
      valid.push(parseProfile(entry));
    } catch {
      // A damaged custom profile is left out of the list rather than breaking the app.
    }
  }
  return valid;
}

export const NOT_SIGNED_IN_NO_NEW_PASSWORD = 'Not signed in: the registry needs a new password first. Nothing was changed.';

export type Engine = ReturnType<typeof createEngine>;

export function createEngine(ports: EnginePorts) {
  const trust = new TrustStore(ports.settings);
  const clocks = new ServerClocks(ports.settings);
  const catalog = new ProfileCatalog(
    () => customProfiles(ports.settings),
    () => (ports.practice ? [ports.practice.profile()] : []),
  );
  const broker = new RequestBroker(ports.emit, ports.requestTimeoutSeconds ?? 300);
  /** "Allow this connection only": lasts while the user stays signed in; a new sign-in asks again. */
  const allowedOnce = new Set<string>();
  const history = ports.dataDir ? new TransferHistory(ports.dataDir) : null;
  const leftovers = new LeftoverJournal(ports.dataDir ? join(ports.dataDir, LEFTOVER_JOURNAL_FILE_NAME) : null);
  /** Every keychain use goes through here: a keychain that fails is a plain message, never a crash. */
  const keychain = new KeychainAccess(ports.vault);
  const firstLogin = new FirstLoginRecord(ports.settings);
  /** How each account signs in, and its key. */
  const accountKeys = new AccountKeys(ports.settings, ports.vault, ports.dataDir);
  /** Key files the user picked in the system's dialog: the only paths useKeyFile takes. */
  const keyFileChoices = new Set<string>();
  const localGrants = new LocalPathGrants();
  /** Folders the user picked in the save dialog: the only places a download is written. */
  const saveFolders = new LocalPathGrants();
  const startingPlaces = () => {
    const samples = ports.practice?.samplesFolder() ?? null;
    const places: LocalPlace[] = [...(ports.localPlaces ?? localPlaces)(), ...(samples ? [{ label: SAMPLE_FILES_PLACE_LABEL, path: samples, kind: 'folder' as const }] : [])];
    for (const place of places) localGrants.grant(place.path, 'folder');
    return places;
  };
  startingPlaces();

  /** An identity the trust store does not vouch for is a question to the user: a request (the window shows it, the command line answers from --trust). */
  const askIdentityFor =
    (request: OpenRequest): IdentityAsker =>
    (seen, decision) =>
      broker.askTrust({
        kind: seen.kind === 'tls-certificate' ? 'certificate' : 'host-key',
        profileId: request.profile.id,
        ...(seen.certificate ? { certificate: seen.certificate } : {}),
        profileName: request.profile.name,
        host: seen.host,
        port: seen.port,
        algorithm: seen.description,
        fingerprint: seen.fingerprint,
        ...(decision.status === 'changed'
          ? { previous: { fingerprint: decision.previous.fingerprint, algorithm: decision.previous.description, firstTrusted: decision.previous.firstTrusted } }
          : {}),
      });

  /** The one way a connection is opened: the identity checked (and asked about) before the password goes. */
  const open = async (request: OpenRequest): Promise<OpenedConnection> => {
    const opened = await openVerified(request, {
      trust,
      allowedOnce,
      clocks,
      leftovers,
      ask: askIdentityFor(request),
      ...(ports.practice ? { vouched: (seen: SeenIdentity) => request.profile.id === ports.practice?.profile().id && ports.practice.vouches(seen) } : {}),
    });
    try {
      ports.acceptOpened?.(opened);
    } catch (error) {
      await opened.fs.close();
      throw error;
    }
    return opened;
  };

  let current: RegistrySession | null = null;
  let connecting = false;

  const transferTarget = (s: RegistrySession): QueueTarget => {
    const { host, port } = resolveEndpoint(s.request);
    return { profile: s.request.profile, profileId: s.info.profileId, username: s.info.username, folders: s.info.folders, server: { host, port } };
  };

  const ledger = ports.dataDir ? new SendLedger(ports.dataDir) : null;
  /**
   * The account's lock while the queue sends (shared with the folder watcher): a scheduled send-new
   * for the same account waits for the next run rather than send beside it, and the other way round.
   */
  let queueLock: { account: string; held: Promise<HeldLock> } | null = null;
  const holdQueueLock = async (s: RegistrySession): Promise<void> => {
    if (!ports.dataDir) return;
    const account = vaultAccount(s.info.profileId, s.info.username);
    if (!queueLock || queueLock.account !== account) {
      await releaseQueueLock();
      const held = lockAccount(ports.dataDir, account, 'the Registry Transfer app');
      queueLock = { account, held };
      held.catch(() => {
        if (queueLock?.held === held) queueLock = null;
      });
    }
    try {
      await queueLock.held;
    } catch (error) {
      if (!(error instanceof AccountBusy)) throw error;
      throw new RemoteError('busy', `Another run is sending for ${s.info.username} right now (${error.owner?.what ?? 'a scheduled send-new'}). Nothing was sent: send it again in a minute.`);
    }
  };
  const releaseQueueLock = async (): Promise<void> => {
    const was = queueLock;
    queueLock = null;
    const lock = was ? await was.held.catch(() => null) : null;
    await lock?.release();
  };

  const transfers = new TransferQueue({
    emit: ports.emit,
    history,
    ...(ports.historyUnwritable ? { historyUnwritable: ports.historyUnwritable } : {}),
    leftovers,
    leftoverAccount: (target) => {
      // The server the transfer was queued for: the session may have ended since (a disconnect
      // while a file was on its way), and its temporary file must still be found next time.
      const endpoint = target.server ?? (current ? resolveEndpoint(current.request) : null);
      return { profileId: target.profileId, username: target.username, host: endpoint?.host ?? '', port: endpoint?.port ?? 0 };
    },
    withFs: (op) => {
      const s = session();
      // The lease first, at once, as before: a listing asked for meanwhile still waits behind the
      // transfer; the account's lock is taken inside it.
      return s.withTransferLease(async (fs) => {
        await holdQueueLock(s);
        return op(fs);
      });
    },
    onDrained: async () => {
      await releaseQueueLock();
      // "Once the file transfer(s) have completed, configure your FTP client software to disconnect."
      await current?.transfersDrained();
    },
    // Every file this computer delivers is in the send ledger, by hand or from the export folder: a
    // scheduled send-new never sends it again.
    ...(ledger ? { onDelivered: (target, file) => ledger.record(target.profileId, target.username, file.name, { ...file, outcome: 'delivered', at: new Date().toISOString() }) } : {}),
  });

  /** The signed-in account's export folder, watched and sent from (the window's "Send automatically"). */
  const autoSender = new AutoSender({
    settings: ports.settings,
    dataDir: ports.dataDir,
    emit: ports.emit,
    ...(ports.notify ? { notify: ports.notify } : {}),
    ...(ports.autoSendStableMs !== undefined ? { stableMs: ports.autoSendStableMs } : {}),
    transfers,
    signedIn: () => (current && current.active ? { ...transferTarget(current), profileName: current.info.profileName } : null),
  });

  /**
   * The folder listings behind the checks the window makes before sending, kept while it checks one
   * file after another: 300 files are then two listings, not 600 (each a few round trips to a
   * registry across the state). They are advice only, as the queue checks every file again against
   * fresh listings right before sending it; dropped after a pause, and whenever the folders may have
   * changed (a refresh, an upload, a delete).
   */
  let prechecks: { session: RegistrySession; batch: UploadBatch; lastUsed: number } | null = null;
  const PRECHECK_REUSE_MS = 10_000;
  const precheckBatch = (s: RegistrySession): UploadBatch => {
    const now = Date.now();
    if (!prechecks || prechecks.session !== s || now - prechecks.lastUsed > PRECHECK_REUSE_MS) {
      prechecks = { session: s, batch: new UploadBatch(), lastUsed: now };
    }
    prechecks.lastUsed = now;
    return prechecks.batch;
  };

  /** The signed-in session; not connected is said in one wording, wherever the call came from. */
  function session(): RegistrySession {
    if (!current || !current.active) throw notConnected();
    return current;
  }

  /** Sign out: cancel what is queued and close the connection once the operation running now ends. */
  const disconnect = async (): Promise<RegistrySession | null> => {
    const was = current;
    current = null;
    await autoSender.stop();
    transfers.cancelAll();
    await releaseQueueLock();
    await was?.end();
    return was;
  };

  const emitState = (state: 'connecting' | 'connected' | 'failed' | 'disconnected', message: string, extra: Partial<Extract<RegistryEvent, { type: 'connection' }>> = {}) =>
    ports.emit({ type: 'connection', state, message, ...extra });

  /**
   * Sign in and start a session (ending the one before). Saved passwords are tried current then
   * pending, once each; a change the registry demands is answered with the new password given, or
   * asked for with a request (the password the user signed in with stays here meanwhile).
   */
  const signInSession = async (params: SignInParams): Promise<SignedInSession> => {
    const { profile, protocol, username } = params;
    if (connecting) throw busyConnecting();
    connecting = true;
    try {
      await disconnect();
      allowedOnce.clear();
      emitState('connecting', `Connecting to ${profile.name}…`);
      const base: Omit<OpenRequest, 'password'> = {
        profile,
        protocol,
        username,
        ...(params.endpointOverride ? { endpointOverride: params.endpointOverride } : {}),
        ...(params.key ? { key: params.key } : {}),
        ...(ports.timeoutSeconds !== undefined ? { timeoutSeconds: ports.timeoutSeconds } : {}),
      };
      let newPassword = params.newPassword;
      /** The new password came from the user's answer to a request (not given up front). */
      let answered = false;
      let signedIn: Awaited<ReturnType<typeof signIn>>;
      for (;;) {
        try {
          signedIn = await signIn({ profile, base, typed: params.typed, rememberPassword: params.rememberPassword, newPassword }, { keychain, open });
          break;
        } catch (error) {
          // The registry demands a new password, or refused the one the user answered with (its
          // rules, or the app's checks before anything was sent): ask again, saying why. The sign-in
          // waits here, with the password it signed in with; the window never holds that one.
          const code = error instanceof RemoteError ? error.code : null;
          const demanded = code === 'password-change-required' && (newPassword === undefined || answered);
          const refusedAnswer = code === 'invalid-input' && answered;
          if (!params.askForNewPassword || !(demanded || refusedAnswer)) throw error;
          const answer = await broker.askNewPassword({
            kind: 'new-password',
            profileId: profile.id,
            profileName: profile.name,
            protocol,
            username,
            ...(answered ? { problem: (error as RemoteError).message } : {}),
          });
          if (answer === 'deny') throw new RemoteError('password-change-required', NOT_SIGNED_IN_NO_NEW_PASSWORD);
          newPassword = answer.newPassword;
          answered = true;
        }
      }
      const { opened, request, notices, account } = signedIn;
      if (signedIn.changeConfirmed) firstLogin.markChanged(profile.id, username);
      try {
        const folders = await resolveRoleFolders(opened.fs, profile, username);
        const saved = await keychain.hasSaved(account);
        const info: ConnectionInfo = {
          profileId: profile.id,
          profileName: profile.name,
          protocol: request.protocol,
          host: opened.host,
          port: opened.port,
          username,
          folders,
          fingerprint: opened.identity.fingerprint,
          hasSavedPassword: saved.ok && saved.value,
          passwordChangeDue: firstLogin.isDue(profile, username),
          signInMethod: params.key ? (params.typed === '' ? 'key' : 'key+password') : 'password',
        };
        current = new RegistrySession(request, info, opened.fs, { open, keychain, firstLogin, idleCloseSeconds: ports.idleCloseSeconds ?? 60 });
        ports.settings.set(LAST_REGISTRY_KEY, profile.id);
        emitState('connected', [`Connected to ${profile.name} as ${username}.`, ...notices].join(' '), { connection: info });
        // The account's export folder, if it has one, is watched from now on.
        await autoSender.refresh();
        return { session: current, notices, opened };
      } catch (error) {
        await opened.fs.close();
        throw error;
      }
    } catch (error) {
      const reported = error instanceof RemoteError ? error : new RemoteError('internal', 'Something went wrong inside the app. Nothing was changed. Please try again.');
      emitState('failed', reported.message, { failure: { ok: false, code: reported.code, message: reported.message, ...(reported.detail ? { detail: reported.detail } : {}) } });
      throw error;
    } finally {
      connecting = false;
    }
  };

  /**
   * Send the profile's password command on the session's connection (FTPS `SITE PSWD`/`SITE CPWD`):
   * kept as pending first, sent once (again on a new connection only if nothing left this computer),
   * and the session and keychain left with the password the registry has, or both when unknown.
   */
  const changePasswordOn = async (s: RegistrySession, command: SitePasswordCommand, newPassword: string, remember: boolean): Promise<SiteChangeDone> => {
    // Which password the registry has is not known yet: find out before sending the old one.
    if (s.passwordUnsettled) await s.reconnect();
    const oldPassword = s.request.password;
    const notSent = (error: unknown): SiteChangeResult => ({ outcome: 'not-sent', detail: error instanceof RemoteError ? error.message : 'The connection failed.' });
    const done = await changeOnConnection({
      profile: s.request.profile,
      account: vaultAccount(s.info.profileId, s.info.username),
      command,
      oldPassword,
      newPassword,
      remember,
      keychain,
      send: async (c, o, n) => {
        // A server without password commands is asked by its capability, never by its kind.
        const sendOn = (fs: RemoteFs): Promise<SiteChangeResult> => (fs.passwordCommands ? fs.passwordCommands.change(c, o, n) : Promise.resolve({ outcome: 'unsupported' }));
        const result = await s.once(sendOn).catch(notSent);
        if (result.outcome !== 'not-sent') return result;
        // The connection had died while idle; nothing left this computer, so a new one may send it.
        try {
          await s.reconnect();
        } catch {
          return result;
        }
        return s.once(sendOn).catch(notSent);
      },
    });
    if (done.outcome === 'accepted') {
      s.passwordIs(newPassword);
      firstLogin.markChanged(s.info.profileId, s.info.username);
      const saved = await keychain.hasSaved(vaultAccount(s.info.profileId, s.info.username));
      s.update({ passwordChangeDue: false, hasSavedPassword: saved.ok && saved.value });
    } else if (done.outcome === 'unknown') {
      s.passwordInDoubt(oldPassword, newPassword, remember);
    }
    return done;
  };

  /** The profile the window opens on: the last one signed in to, else the practice registry, else the first. */
  const startWith = (): string | null => {
    const last = ports.settings.get(LAST_REGISTRY_KEY);
    if (typeof last === 'string' && catalog.get(last)) return last;
    return ports.practice?.profile().id ?? catalog.all()[0]?.profile.id ?? null;
  };

  return {
    ports,
    startWith,
    changePasswordOn,
    trust,
    catalog,
    broker,
    history,
    leftovers,
    keychain,
    firstLogin,
    accountKeys,
    keyFileChoices,
    autoSender,
    localGrants,
    saveFolders,
    transfers,
    startingPlaces,
    open,
    session,
    /** The session if one is signed in (for calls that also work without one). */
    currentSession: (): RegistrySession | null => (current && current.active ? current : null),
    signIn: signInSession,
    disconnect,
    emitState,
    transferTarget,
    precheckBatch,
    /** The folders may have changed (a refresh, an upload, a delete): the checks look again. */
    forgetPrechecks: () => {
      prechecks = null;
    },
    requireProfile: (profileId: string) => requireProfile(catalog, profileId),
    accountOf: (s: RegistrySession) => vaultAccount(s.info.profileId, s.info.username),
  };
}
