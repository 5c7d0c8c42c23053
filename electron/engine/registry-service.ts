// The engine's face: one handler per call of the contract. The Electron main process, the e2e
// bridge and the tests all drive the app through these handlers, after `dispatchCall` has checked the
// payload against the contract.
import { join } from 'node:path';
import {
  failure,
  type CallHandlers,
  type ConnectionInfo,
  type Failure,
  type FolderRole,
  type LocalPlace,
  type Protocol,
  type RegistryEvent,
} from '../../shared/contract';
import { checkPasswordRules } from '../../shared/password-rules';
import { KeychainAccess } from './credentials/keychain';
import {
  changeMethodFor,
  changeOnConnection,
  demandedChangeProblem,
  FirstLoginRecord,
  forgotPasswordAdvice,
  markedChangedMessage,
  notAskedWebPageMessage,
  onlyWhenAskedFailure,
  siteCommandFor,
  storedChangeMessage,
  webPageChangeMessage,
} from './credentials/password-change';
import { signIn } from './credentials/sign-in';
import { vaultAccount, type CredentialVault } from './credentials/vault';
import { listLocalFolder, localPlaces } from './local/local-fs';
import { LocalPathGrants } from './local/path-grants';
import { TransferHistory } from './transfers/history';
import { LeftoverJournal, LEFTOVER_JOURNAL_FILE_NAME } from './transfers/leftover-journal';
import { isSafeRemoteName } from './transfers/safe-names';
import { TransferQueue, type QueueTarget } from './transfers/transfer-queue';
import { checkUpload, UploadBatch } from './transfers/upload';
import { parseProfile, ProfileCatalog, summarizeProfile, type Profile } from './profiles';
import { resolveRoleFolders } from './remote/folders';
import { isFtpsFs, type SiteChangeResult, type SitePasswordCommand } from './remote/ftps';
import { ServerClocks } from './remote/server-clocks';
import { joinRemote, RemoteError, type RemoteFs } from './remote/remote-fs';
import { RequestBroker } from './requests/request-broker';
import { openVerified, resolveEndpoint, type OpenRequest } from './session/open-verified';
import type { SettingsStore } from './settings/settings-store';
import { TrustStore } from './trust/trust-store';

export interface ServicePorts {
  settings: SettingsStore;
  emit: (event: RegistryEvent) => void;
  /** Open an https address in the system browser (Electron's shell in the app). */
  openExternal: (url: string) => Promise<void>;
  appInfo: { name: string; version: string };
  /** Seconds a trust prompt waits before it counts as "Do not allow". */
  requestTimeoutSeconds?: number;
  /** Close an idle connection after this long; the next action reopens it. */
  idleCloseSeconds?: number;
  /** Tests only: a shorter network timeout than the profile's. */
  timeoutSeconds?: number;
  /** Where the transfer history is kept (the app's data folder); none when absent. */
  dataDir?: string;
  /** The system's file picker (Electron's dialog); absent where there is none. */
  chooseFiles?: () => Promise<string[]>;
  /** The system's folder picker; null when the user cancelled. */
  chooseFolder?: () => Promise<string | null>;
  /** The OS keychain (keytar in the app). Without it nothing is saved, and the user types each time. */
  vault?: CredentialVault;
  /** Where the My Computer pane starts (tests give narrower ones); the computer's own places by default. */
  localPlaces?: () => LocalPlace[];
}

interface Session {
  request: OpenRequest;
  info: ConnectionInfo;
  fs: RemoteFs | null;
  idleTimer?: NodeJS.Timeout;
  /**
   * After a change whose outcome the app does not know (a drop, or a change made on the web page):
   * the passwords the next reopen tries, one attempt each, old first; the one that works is kept.
   */
  unsettled?: { candidates: string[]; remember: boolean };
}

export const CUSTOM_PROFILES_KEY = 'customProfiles';

export function toFailure(error: unknown): Failure {
  if (error instanceof RemoteError) return failure(error.code, error.message, error.detail);
  return failure('internal', 'Something went wrong inside the app. Nothing was changed. Please try again.');
}

export { KEYCHAIN_NOT_SAVED, notSavedNotice } from './credentials/keychain';
export { PENDING_PROMOTED } from './credentials/sign-in';

export interface RegistryService {
  handlers: CallHandlers;
  /**
   * Files or folders the user dropped on the window, as the preload read them from real File objects
   * (never from a path the page names): the window may use them as if picked. Not a call of the
   * contract, so the page cannot reach it.
   */
  grantDropped(paths: readonly string[]): void;
  /** Whether the window may open `url` in the system browser: only a registry's own https pages. */
  mayOpenExternally(url: string): boolean;
  /** Close the connection and deny any open prompt (the window closed, the app quits). */
  dispose(): Promise<void>;
}

/** An https address in one spelling (no fragment), or null for anything else. */
function normalizedHttps(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' || parsed.hostname === '' || parsed.username !== '' || parsed.password !== '') return null;
    parsed.hash = '';
    return parsed.href;
  } catch {
    return null;
  }
}

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

export function createRegistryService(ports: ServicePorts): RegistryService {
  const trust = new TrustStore(ports.settings);
  const clocks = new ServerClocks(ports.settings);
  const catalog = new ProfileCatalog(() => customProfiles(ports.settings));
  const broker = new RequestBroker(ports.emit, ports.requestTimeoutSeconds ?? 300);
  const allowedOnce = new Set<string>();
  const history = ports.dataDir ? new TransferHistory(ports.dataDir) : null;
  const startingPlaces = () => {
    const places = (ports.localPlaces ?? localPlaces)();
    for (const place of places) localGrants.grant(place.path, 'folder');
    return places;
  };
  const localGrants = new LocalPathGrants();
  /** Folders the user picked in the save dialog: the only places a download is written. */
  const saveFolders = new LocalPathGrants();
  startingPlaces();
  const leftovers = new LeftoverJournal(ports.dataDir ? join(ports.dataDir, LEFTOVER_JOURNAL_FILE_NAME) : null);
  /** Every keychain use goes through here: a keychain that fails is a plain message, never a crash. */
  const keychain = new KeychainAccess(ports.vault);
  const firstLogin = new FirstLoginRecord(ports.settings);
  const idleCloseSeconds = ports.idleCloseSeconds ?? 60;
  let session: Session | null = null;
  let connecting = false;
  // One control connection at a time: remote operations run one after another.
  let lastOperation: Promise<unknown> = Promise.resolve();
  /** Operations other than transfers queued behind the one running now. */
  let othersWaiting = 0;
  const serial = <T>(op: () => Promise<T>, isTransferTurn = false): Promise<T> => {
    if (!isTransferTurn) othersWaiting += 1;
    const start = () => {
      if (!isTransferTurn) othersWaiting -= 1;
      return op();
    };
    const next = lastOperation.then(start, start);
    lastOperation = next.catch(() => undefined);
    return next;
  };

  const emitState = (state: 'disconnected' | 'connecting' | 'connected' | 'failed', message: string, extra: Partial<Extract<RegistryEvent, { type: 'connection' }>> = {}) =>
    ports.emit({ type: 'connection', state, message, ...extra });

  const open = (request: OpenRequest) =>
    openVerified(request, {
      trust,
      allowedOnce,
      clocks,
      leftovers,
      ask: (seen, decision) =>
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
        }),
    });

  const closeConnection = async (s: Session) => {
    clearTimeout(s.idleTimer);
    const fs = s.fs;
    s.fs = null;
    await fs?.close();
  };

  const armIdle = (s: Session) => {
    clearTimeout(s.idleTimer);
    s.idleTimer = setTimeout(() => void serial(() => closeConnection(s)), idleCloseSeconds * 1000);
    s.idleTimer.unref?.();
  };

  /**
   * Open the session's connection again. After a change with an unknown outcome, the old password and
   * then the new one are tried once each, and the one the registry takes is kept.
   */
  const reopen = async (s: Session): Promise<RemoteFs> => {
    const unsettled = s.unsettled;
    if (!unsettled) return (await open(s.request)).fs;
    const account = vaultAccount(s.info.profileId, s.info.username);
    for (let i = 0; ; i++) {
      const password = unsettled.candidates[i] as string;
      try {
        const opened = await open({ ...s.request, password });
        s.request = { ...s.request, password };
        s.unsettled = undefined;
        await keychain.use((k) => k.settle(account, password, unsettled.remember));
        if (i > 0) {
          // The new password got in: the registry did take the change.
          firstLogin.markChanged(s.info.profileId, s.info.username);
          s.info = { ...s.info, passwordChangeDue: false };
        }
        return opened.fs;
      } catch (error) {
        if (!(error instanceof RemoteError && error.code === 'auth-failed' && i + 1 < unsettled.candidates.length)) throw error;
      }
    }
  };

  /** Run a remote operation on the session's connection, reopening it if it was closed while idle. */
  const withConnection = async <T>(op: (fs: RemoteFs) => Promise<T>): Promise<T> => {
    const s = session;
    if (!s) throw new RemoteError('not-connected', 'Not connected to a registry. Connect first.');
    return serial(async () => {
      // A connection that failed (a timeout, a cancelled FTPS transfer) is closed: open a new one.
      if (s.fs && !s.fs.usable) await closeConnection(s);
      const reused = s.fs !== null;
      if (!s.fs) s.fs = await reopen(s);
      try {
        return await op(s.fs);
      } catch (error) {
        // A connection that sat idle may have been dropped by the server: reopen it once.
        if (!(reused && error instanceof RemoteError && error.code === 'unreachable')) throw error;
        await closeConnection(s);
        s.fs = await reopen(s);
        return await op(s.fs);
      } finally {
        if (session === s) armIdle(s);
      }
    });
  };

  /**
   * Transfers share the connection while they run (an SFTP connection carries several at once): the
   * first takes a turn in `serial`, and holds it while any transfer uses the connection. A transfer
   * that starts meanwhile joins, unless another operation is waiting for its turn: then it waits
   * behind that one, so browsing is never shut out by a long batch. Transfers that cannot join wait
   * for one new turn together, never one turn each (that would send them one at a time).
   */
  interface TransferTurn {
    session: Session;
    fs: RemoteFs;
    users: number;
    open: boolean;
    end: () => void;
  }
  let transferTurn: TransferTurn | null = null;
  let turnBeingTaken: Promise<TransferTurn> | null = null;

  const takeTransferTurn = (s: Session): Promise<TransferTurn> =>
    new Promise<TransferTurn>((resolve, reject) => {
      serial(async () => {
        clearTimeout(s.idleTimer);
        if (!s.fs || !s.fs.usable) {
          await s.fs?.close();
          s.fs = await reopen(s);
        }
        let end = () => undefined as void;
        const ended = new Promise<void>((done) => (end = done));
        const turn: TransferTurn = { session: s, fs: s.fs, users: 0, open: true, end };
        transferTurn = turn;
        resolve(turn);
        await ended;
        if (transferTurn === turn) transferTurn = null;
      }, true).catch(reject);
    });

  /** For transfers: the session's connection, reopened if it closed; never re-run after a failure. */
  const withTransferConnection = async <T>(op: (fs: RemoteFs) => Promise<T>): Promise<T> => {
    const s = session;
    if (!s) throw new RemoteError('not-connected', 'Not connected to a registry any more. Connect, then try again.');
    const joinable = (turn: TransferTurn | null): turn is TransferTurn => turn !== null && turn.open && turn.session === s && turn.fs.usable;
    let turn = transferTurn;
    if (!joinable(turn) || othersWaiting > 0) {
      turnBeingTaken ??= takeTransferTurn(s).finally(() => (turnBeingTaken = null));
      turn = await turnBeingTaken;
    }
    turn.users += 1;
    try {
      return await op(turn.fs);
    } finally {
      turn.users -= 1;
      if (turn.users === 0) {
        turn.open = false;
        turn.end();
      }
    }
  };

  const transfers = new TransferQueue({
    emit: ports.emit,
    history,
    leftovers,
    leftoverAccount: (target) => {
      // The server the transfer was queued for: the session may have ended since (a disconnect
      // while a file was on its way), and its temporary file must still be found next time.
      const endpoint = target.server ?? (session ? resolveEndpoint(session.request) : null);
      return { profileId: target.profileId, username: target.username, host: endpoint?.host ?? '', port: endpoint?.port ?? 0 };
    },
    withFs: withTransferConnection,
    onDrained: async () => {
      const s = session;
      if (!s) return;
      // "Once the file transfer(s) have completed, configure your FTP client software to disconnect."
      if (s.request.profile.network.disconnectAfterTransfers) await serial(() => closeConnection(s));
      else armIdle(s);
    },
  });

  /**
   * The folder listings behind the checks the window makes before sending, kept while it checks one
   * file after another: 300 files are then two listings, not 600 (each a few round trips to a
   * registry across the state). They are advice only, as the queue checks every file again against
   * fresh listings right before sending it; dropped after a pause, and whenever the folders may have
   * changed (a refresh, an upload, a delete).
   */
  let prechecks: { session: Session; batch: UploadBatch; lastUsed: number } | null = null;
  const PRECHECK_REUSE_MS = 10_000;
  const precheckBatch = (s: Session): UploadBatch => {
    const now = Date.now();
    if (!prechecks || prechecks.session !== s || now - prechecks.lastUsed > PRECHECK_REUSE_MS) {
      prechecks = { session: s, batch: new UploadBatch(), lastUsed: now };
    }
    prechecks.lastUsed = now;
    return prechecks.batch;
  };

  const transferTarget = (s: Session): QueueTarget => {
    const { host, port } = resolveEndpoint(s.request);
    return { profile: s.request.profile, profileId: s.info.profileId, username: s.info.username, folders: s.info.folders, server: { host, port } };
  };

  const disconnect = async () => {
    const s = session;
    session = null;
    transfers.cancelAll();
    if (s) await serial(() => closeConnection(s));
  };

  const handlers: CallHandlers = {
    async getAppInfo() {
      return { ok: true, name: ports.appInfo.name, version: ports.appInfo.version, platform: process.platform };
    },

    async listProfiles() {
      return { ok: true, profiles: catalog.all().map((e) => summarizeProfile(e.profile, e.builtIn)) };
    },

    async listLocalPlaces() {
      return { ok: true, places: startingPlaces() };
    },

    async listLocalFolder({ path }) {
      try {
        localGrants.check(path, 'folder');
        return { ok: true, ...(await listLocalFolder(path)) };
      } catch (error) {
        return toFailure(error);
      }
    },

    async connect({ profileId, protocol, username, password: typed, rememberPassword = false, newPassword }) {
      const profile = catalog.get(profileId);
      if (!profile) return failure('unknown-profile', 'That registry profile does not exist (any more). Choose another.');
      if (!profile.endpoints.some((e) => e.protocol === protocol)) {
        return failure('invalid-input', `${profile.name} does not offer ${protocol.toUpperCase()}.`);
      }
      if (newPassword !== undefined) {
        // Checked again with the saved passwords in sign-in; this is what needs no keychain.
        const problem = demandedChangeProblem(profile, protocol as Protocol, typed === undefined ? [] : [typed], newPassword);
        if (problem !== null) return failure('invalid-input', `${problem} Nothing was sent.`);
      }
      if (connecting) return failure('busy', 'Already connecting. Wait for that to finish, or cancel it.');
      connecting = true;
      try {
        await disconnect();
        // "Allow this connection only" lasts while the user stays connected (the app may reopen an
        // idle connection without asking); a new Connect asks again.
        allowedOnce.clear();
        emitState('connecting', `Connecting to ${profile.name}…`);
        const base: Omit<OpenRequest, 'password'> = {
          profile,
          protocol: protocol as Protocol,
          username,
          ...(ports.timeoutSeconds !== undefined ? { timeoutSeconds: ports.timeoutSeconds } : {}),
        };
        const signedIn = await signIn({ profile, base, typed, rememberPassword, newPassword }, { keychain, open: (request) => serial(() => open(request)) });
        const { opened, request, notices, account } = signedIn;
        if (signedIn.changeConfirmed) firstLogin.markChanged(profile.id, username);
        try {
          const folders = await serial(() => resolveRoleFolders(opened.fs, profile, username));
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
          };
          session = { request, info, fs: opened.fs };
          armIdle(session);
          emitState('connected', [`Connected to ${profile.name} as ${username}.`, ...notices].join(' '), { connection: info });
          return { ok: true, connection: info, notices };
        } catch (error) {
          await opened.fs.close();
          throw error;
        }
      } catch (error) {
        const f = toFailure(error);
        emitState('failed', f.message, { failure: f });
        return f;
      } finally {
        connecting = false;
      }
    },

    async getSavedPassword({ profileId, username }) {
      if (!catalog.get(profileId)) return failure('unknown-profile', 'That registry profile does not exist (any more).');
      const saved = await keychain.hasSaved(vaultAccount(profileId, username));
      return saved.ok ? { ok: true, hasSavedPassword: saved.value } : failure('keychain-unavailable', saved.error.message, saved.error.detail);
    },

    async forgetPassword({ profileId, username }) {
      const forgotten = await keychain.use((k) => k.forget(vaultAccount(profileId, username)));
      if (!forgotten.ok) return failure('keychain-unavailable', forgotten.error.message, forgotten.error.detail);
      const s = session;
      if (s && s.info.profileId === profileId && s.info.username === username) s.info = { ...s.info, hasSavedPassword: false };
      return { ok: true, forgotten: forgotten.value };
    },

    async changePassword({ newPassword, account: named }) {
      const s = session;
      const target = named ?? (s ? { profileId: s.info.profileId, protocol: s.info.protocol, username: s.info.username } : null);
      if (!target) return failure('not-connected', 'Connect to the registry first: the password is changed for the account you are signed in with.');
      const profile = catalog.get(target.profileId);
      if (!profile) return failure('unknown-profile', 'That registry profile does not exist (any more). Choose another.');
      const protocol = target.protocol as Protocol;
      if (!profile.endpoints.some((e) => e.protocol === protocol)) return failure('invalid-input', `${profile.name} does not offer ${protocol.toUpperCase()}.`);

      const method = changeMethodFor(profile, protocol);
      if (method === 'web-page') {
        // The schema makes a web-page method come with its page.
        const url = profile.passwordChange.webPageUrl as string;
        await ports.openExternal(url);
        return { ok: true, method, changed: false, url, message: webPageChangeMessage(profile, url), notices: [] };
      }
      const command = siteCommandFor(profile, method);
      if (command === null) {
        // A change the server demands is answered at sign-in (connect's newPassword); without a
        // demand the registry's web page is the way left, when it has one.
        const url = profile.passwordChange.webPageUrl;
        if (url === null) return onlyWhenAskedFailure(profile);
        await ports.openExternal(url);
        return { ok: true, method: 'web-page', changed: false, url, message: notAskedWebPageMessage(profile, url), notices: [] };
      }
      const connected = s && s.info.profileId === profile.id && s.info.username === target.username && s.info.protocol === protocol ? s : null;
      if (!connected) return failure('not-connected', `Sign in to ${profile.name} as ${target.username} first: the registry changes the password of a signed-in account.`);
      if (newPassword === undefined) return failure('invalid-input', 'Enter the new password (twice), then try again.');

      if (connected.unsettled) {
        // Which password the registry has is not known yet: find out before sending the old one.
        try {
          await serial(async () => {
            await closeConnection(connected);
            connected.fs = await reopen(connected);
          });
        } catch (error) {
          return toFailure(error);
        } finally {
          if (session === connected) armIdle(connected);
        }
      }
      const oldPassword = connected.request.password;
      const sendOn = (fs: RemoteFs, c: SitePasswordCommand, o: string, n: string): Promise<SiteChangeResult> =>
        isFtpsFs(fs) ? fs.changePassword(c, o, n) : Promise.resolve({ outcome: 'unsupported' });
      const account = vaultAccount(profile.id, target.username);
      const done = await changeOnConnection({
        profile,
        account,
        command,
        oldPassword,
        newPassword,
        remember: connected.info.hasSavedPassword,
        keychain,
        send: (c, o, n) =>
          serial(async (): Promise<SiteChangeResult> => {
            clearTimeout(connected.idleTimer);
            try {
              if (!connected.fs || !connected.fs.usable) {
                await connected.fs?.close();
                connected.fs = await reopen(connected);
              }
              let result = await sendOn(connected.fs, c, o, n);
              if (result.outcome === 'not-sent') {
                // The connection had died while idle; nothing left this computer, so a new one may send it.
                await closeConnection(connected);
                connected.fs = await reopen(connected);
                result = await sendOn(connected.fs, c, o, n);
              }
              return result;
            } catch (error) {
              return { outcome: 'not-sent', detail: toFailure(error).message };
            } finally {
              if (session === connected) armIdle(connected);
            }
          }),
      });
      if (done.outcome === 'accepted') {
        connected.request = { ...connected.request, password: newPassword };
        firstLogin.markChanged(profile.id, target.username);
        const saved = await keychain.hasSaved(account);
        connected.info = { ...connected.info, passwordChangeDue: false, hasSavedPassword: saved.ok && saved.value };
      } else if (done.outcome === 'unknown') {
        connected.unsettled = { candidates: [oldPassword, newPassword], remember: connected.info.hasSavedPassword };
      }
      return done.result;
    },

    async storeChangedPassword({ newPassword, profileId, username }) {
      const s = session;
      const target = profileId !== undefined && username !== undefined ? { profileId, username } : s ? { profileId: s.info.profileId, username: s.info.username } : null;
      if (!target) return failure('not-connected', 'Say which registry account the new password is for, or connect first.');
      const profile = catalog.get(target.profileId);
      if (!profile) return failure('unknown-profile', 'That registry profile does not exist (any more). Choose another.');
      const connected = s && s.info.profileId === profile.id && s.info.username === target.username ? s : null;
      const problems = checkPasswordRules(profile.passwordChange.rules, newPassword, connected?.request.password);
      if (problems.length > 0) {
        return failure('invalid-input', `That is not a password ${profile.name} would have taken. ${problems.join(' ')} Nothing was saved.`);
      }
      // Pending, not current: the app has not seen the registry take it. The next sign-in proves it.
      const kept = await keychain.use((k) => k.beginChange(vaultAccount(profile.id, target.username), newPassword));
      firstLogin.markChanged(profile.id, target.username);
      if (connected) {
        connected.info = { ...connected.info, passwordChangeDue: false };
        if (connected.request.password !== newPassword) connected.unsettled = { candidates: [connected.request.password, newPassword], remember: true };
      }
      return { ok: true, saved: kept.ok, message: storedChangeMessage(profile, kept.ok) };
    },

    async markPasswordChanged() {
      const s = session;
      if (!s) return failure('not-connected', 'Connect to the registry first: this is noted for the account you are signed in with.');
      const profile = catalog.get(s.info.profileId);
      if (!profile) return failure('unknown-profile', 'That registry profile does not exist (any more). Choose another.');
      firstLogin.markChanged(profile.id, s.info.username);
      s.info = { ...s.info, passwordChangeDue: false };
      return { ok: true, connection: s.info, message: markedChangedMessage(profile, s.info.username) };
    },

    async forgotPassword({ profileId }) {
      const profile = catalog.get(profileId);
      if (!profile) return failure('unknown-profile', 'That registry profile does not exist (any more). Choose another.');
      return forgotPasswordAdvice(profile);
    },

    async disconnect() {
      const was = session;
      await disconnect();
      if (was) emitState('disconnected', `Disconnected from ${was.info.profileName}.`);
      return { ok: true };
    },

    async listRemoteFolder({ role }) {
      const s = session;
      if (!s) return failure('not-connected', 'Not connected to a registry. Connect first.');
      const folder = s.info.folders.find((f) => f.role === (role as FolderRole));
      if (!folder) return failure('not-found', `${s.info.profileName} has no such folder.`);
      prechecks = null;
      try {
        const entries = await withConnection((fs) => fs.list(folder.path));
        return { ok: true, role: folder.role, path: folder.path, entries: entries.filter((e) => e.name !== '.' && e.name !== '..') };
      } catch (error) {
        return toFailure(error);
      }
    },

    async answerRequest({ id, answer }) {
      const answered = broker.answer(id, answer);
      if (answered === 'answered') return { ok: true };
      if (answered === 'wrong-answer') return failure('invalid-input', 'That is not an answer to this question.');
      return failure('not-found', 'That question was already answered or has expired.');
    },

    async listTrusted() {
      return { ok: true, identities: trust.list() };
    },

    async removeTrusted({ id }) {
      return trust.remove(id) ? { ok: true } : failure('not-found', 'That server is not in the trusted list (any more).');
    },

    async checkUpload({ localPath }) {
      const refused = localGrants.refusal(localPath, 'file');
      if (refused) return toFailure(refused);
      const s = session;
      if (!s) return failure('not-connected', 'Connect to the registry first: the checks look at its folders too.');
      try {
        const batch = precheckBatch(s);
        return { ok: true, check: await withConnection((fs) => checkUpload(fs, transferTarget(s), localPath, batch)) };
      } catch (error) {
        return toFailure(error);
      }
    },

    async upload({ localPath, acceptWarnings }) {
      const refused = localGrants.refusal(localPath, 'file');
      if (refused) return toFailure(refused);
      const s = session;
      if (!s) return failure('not-connected', 'Connect to the registry first.');
      prechecks = null;
      return { ok: true, transfer: transfers.enqueueUpload(transferTarget(s), localPath, acceptWarnings) };
    },

    async cancelTransfer({ transferId }) {
      return transfers.cancel(transferId) ? { ok: true } : failure('not-found', 'That transfer has already finished.');
    },

    async retryTransfer({ transferId }) {
      const s = session;
      if (!s) return failure('not-connected', 'Connect to the registry first.');
      prechecks = null;
      const transfer = transfers.retry(transferId, transferTarget(s));
      if (transfer === 'other-account') {
        return failure('invalid-input', 'That transfer was made with another registry account. Connect with that account to try it again.');
      }
      return transfer ? { ok: true, transfer } : failure('not-found', 'Only a failed or cancelled transfer can be tried again.');
    },

    async download({ role, names, toFolder }) {
      const refused = saveFolders.refusal(toFolder, 'save-folder');
      if (refused) return toFailure(refused);
      const s = session;
      if (!s) return failure('not-connected', 'Connect to the registry first.');
      const folder = s.info.folders.find((f) => f.role === role);
      if (!folder) return failure('not-found', `${s.info.profileName} has no such folder.`);
      if (!folder.rights.includes('read')) return failure('permission-denied', `The registry does not let this account read files in ${folder.name}.`);
      // Only names of files in the folder itself: a path could reach another folder on the server.
      const notAName = names.find((name) => name === '.' || name === '..' || name.includes('/') || name.includes('\0'));
      if (notAName !== undefined) return failure('invalid-input', `${JSON.stringify(notAName)} is not the name of a file in ${folder.name}. Nothing was downloaded.`);
      return { ok: true, transfers: names.map((name) => transfers.enqueueDownload(transferTarget(s), folder, name, toFolder)) };
    },

    async deleteRemoteFile({ name }) {
      const s = session;
      if (!s) return failure('not-connected', 'Connect to the registry first.');
      const dropoff = s.info.folders.find((f) => f.role === 'dropoff');
      if (!dropoff || !dropoff.rights.includes('delete')) {
        return failure('permission-denied', 'The registry only lets this account delete files it has sent and that are still waiting in the dropoff folder.');
      }
      if (!isSafeRemoteName(name)) return failure('invalid-input', 'That is not a file name in the dropoff folder.');
      prechecks = null;
      try {
        await withTransferConnection((fs) => fs.remove(joinRemote(dropoff.path, name))).finally(() => {
          // A transfer's connection has no idle timer while it works; this one was used and is idle now.
          if (session === s) armIdle(s);
        });
        await history
          ?.append({
            time: new Date().toISOString(),
            profileId: s.info.profileId,
            account: s.info.username,
            direction: 'delete',
            localName: '',
            remoteName: name,
            folder: 'dropoff',
            size: 0,
            sha256: null,
            result: 'done',
          })
          .catch(() => undefined);
        return { ok: true };
      } catch (error) {
        return toFailure(error);
      }
    },

    async listHistory({ limit }) {
      if (!history) return { ok: true, entries: [] };
      try {
        return { ok: true, entries: await history.list({ limit }) };
      } catch {
        return failure('internal', 'The transfer history could not be read.');
      }
    },

    async chooseFilesToUpload() {
      if (!ports.chooseFiles) return failure('internal', 'This window cannot open the file picker; drag files in instead.');
      const paths = await ports.chooseFiles();
      for (const path of paths) localGrants.grant(path, 'file');
      return { ok: true, paths };
    },

    async chooseDownloadFolder() {
      if (!ports.chooseFolder) return failure('internal', 'This window cannot open the folder picker.');
      const path = await ports.chooseFolder();
      if (path !== null) {
        localGrants.grant(path, 'folder');
        saveFolders.grant(path, 'folder');
      }
      return { ok: true, path };
    },

    async openWebClient({ profileId }) {
      const profile = catalog.get(profileId);
      if (!profile) return failure('unknown-profile', 'That registry profile does not exist (any more).');
      if (!profile.webClientUrl) return failure('not-found', `${profile.name} has no web page for file transfer.`);
      await ports.openExternal(profile.webClientUrl);
      return { ok: true, url: profile.webClientUrl };
    },
  };

  return {
    handlers,
    grantDropped(paths) {
      // Only files can be sent; a dropped folder is refused by the checks, so its path alone is granted.
      for (const path of paths) if (typeof path === 'string' && path !== '') localGrants.grant(path, 'file');
    },
    mayOpenExternally(url) {
      const wanted = normalizedHttps(url);
      if (wanted === null) return false;
      return catalog.all().some(({ profile }) =>
        [profile.webClientUrl, profile.passwordChange.webPageUrl].some((own) => own !== null && normalizedHttps(own) === wanted),
      );
    },
    async dispose() {
      broker.denyAll();
      await disconnect();
    },
  };
}
