// The engine's face: one handler per call of the contract. The Electron main process, the e2e
// bridge and the tests all drive the app through these handlers, after `dispatchCall` has checked the
// payload against the contract.
import {
  failure,
  type CallHandlers,
  type ConnectionInfo,
  type Failure,
  type FolderRole,
  type Protocol,
  type RegistryEvent,
} from '../../shared/contract';
import { checkPasswordRules } from '../../shared/password-rules';
import { PasswordKeeper } from './credentials/password-keeper';
import { VaultError, vaultAccount, type CredentialVault } from './credentials/vault';
import { listLocalFolder, localPlaces } from './local/local-fs';
import { TransferHistory } from './transfers/history';
import { isSafeRemoteName } from './transfers/safe-names';
import { TransferQueue, type QueueTarget } from './transfers/transfer-queue';
import { checkUpload } from './transfers/upload';
import { parseProfile, ProfileCatalog, summarizeProfile, type Profile } from './profiles';
import { resolveRoleFolders } from './remote/folders';
import { joinRemote, RemoteError, type RemoteFs } from './remote/remote-fs';
import { RequestBroker } from './requests/request-broker';
import type { PasswordChangeStep } from './remote/sftp';
import { openVerified, type OpenedConnection, type OpenRequest } from './session/open-verified';
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
}

interface Session {
  request: OpenRequest;
  info: ConnectionInfo;
  fs: RemoteFs | null;
  idleTimer?: NodeJS.Timeout;
}

export const CUSTOM_PROFILES_KEY = 'customProfiles';

export function toFailure(error: unknown): Failure {
  if (error instanceof RemoteError) return failure(error.code, error.message, error.detail);
  return failure('internal', 'Something went wrong inside the app. Nothing was changed. Please try again.');
}

/** Said whenever a password could not be saved: the login itself goes on with the typed password. */
export const KEYCHAIN_NOT_SAVED = 'The system keychain is not available, so the password was not saved. You will be asked for it each time.';
export const PENDING_PROMOTED = 'The registry accepted the new password you set last time; it is now the saved password.';

const NO_VAULT = new VaultError('The system keychain is not available: this window has no access to it.');

/** The keychain's own reason (locked, no session bus, ...) as a sentence of its own. */
function keychainReason(error: VaultError): string {
  const reason = error.message.replace(/^The system keychain is not available[:,.]?\s*/, '').trim();
  return reason === '' ? '' : reason.charAt(0).toUpperCase() + reason.slice(1);
}

export function notSavedNotice(error: VaultError): string {
  const reason = keychainReason(error);
  return reason === '' ? KEYCHAIN_NOT_SAVED : `${KEYCHAIN_NOT_SAVED} ${reason}`;
}

type Keychain<T> = { ok: true; value: T } | { ok: false; error: VaultError };

export interface RegistryService {
  handlers: CallHandlers;
  /** Close the connection and deny any open prompt (the window closed, the app quits). */
  dispose(): Promise<void>;
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
  const catalog = new ProfileCatalog(() => customProfiles(ports.settings));
  const broker = new RequestBroker(ports.emit, ports.requestTimeoutSeconds ?? 300);
  const allowedOnce = new Set<string>();
  const history = ports.dataDir ? new TransferHistory(ports.dataDir) : null;
  const keeper = ports.vault ? new PasswordKeeper(ports.vault) : null;
  /** Every keychain use goes through here: a keychain that fails is a plain message, never a crash. */
  const keychain = async <T>(op: (k: PasswordKeeper) => Promise<T>): Promise<Keychain<T>> => {
    if (!keeper) return { ok: false, error: NO_VAULT };
    try {
      return { ok: true, value: await op(keeper) };
    } catch (error) {
      if (error instanceof VaultError) return { ok: false, error };
      return { ok: false, error: new VaultError('The system keychain is not available: it did not answer as expected.') };
    }
  };
  const hasSaved = async (account: string): Promise<Keychain<boolean>> => {
    const saved = await keychain((k) => k.saved(account));
    return saved.ok ? { ok: true, value: saved.value.current !== null || saved.value.pending !== null } : saved;
  };
  const idleCloseSeconds = ports.idleCloseSeconds ?? 60;
  let session: Session | null = null;
  let connecting = false;
  // One control connection at a time: remote operations run one after another.
  let lastOperation: Promise<unknown> = Promise.resolve();
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const next = lastOperation.then(op, op);
    lastOperation = next.catch(() => undefined);
    return next;
  };

  const emitState = (state: 'disconnected' | 'connecting' | 'connected' | 'failed', message: string, extra: Partial<Extract<RegistryEvent, { type: 'connection' }>> = {}) =>
    ports.emit({ type: 'connection', state, message, ...extra });

  const open = (request: OpenRequest) =>
    openVerified(request, {
      trust,
      allowedOnce,
      ask: (seen, decision) =>
        broker.ask({
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

  /** Run a remote operation on the session's connection, reopening it if it was closed while idle. */
  const withConnection = async <T>(op: (fs: RemoteFs) => Promise<T>): Promise<T> => {
    const s = session;
    if (!s) throw new RemoteError('not-connected', 'Not connected to a registry. Connect first.');
    return serial(async () => {
      // A connection that failed (a timeout, a cancelled FTPS transfer) is closed: open a new one.
      if (s.fs && !s.fs.usable) await closeConnection(s);
      const reused = s.fs !== null;
      if (!s.fs) s.fs = (await open(s.request)).fs;
      try {
        return await op(s.fs);
      } catch (error) {
        // A connection that sat idle may have been dropped by the server: reopen it once.
        if (!(reused && error instanceof RemoteError && error.code === 'unreachable')) throw error;
        await closeConnection(s);
        s.fs = (await open(s.request)).fs;
        return await op(s.fs);
      } finally {
        if (session === s) armIdle(s);
      }
    });
  };

  /** For transfers: the session's connection, reopened if it closed; never re-run after a failure. */
  const withTransferConnection = async <T>(op: (fs: RemoteFs) => Promise<T>): Promise<T> => {
    const s = session;
    if (!s) throw new RemoteError('not-connected', 'Not connected to a registry any more. Connect, then try again.');
    return serial(async () => {
      clearTimeout(s.idleTimer);
      if (!s.fs || !s.fs.usable) {
        await s.fs?.close();
        s.fs = (await open(s.request)).fs;
      }
      return op(s.fs);
    });
  };

  const transfers = new TransferQueue({
    emit: ports.emit,
    history,
    withFs: withTransferConnection,
    onDrained: async () => {
      const s = session;
      if (!s) return;
      // "Once the file transfer(s) have completed, configure your FTP client software to disconnect."
      if (s.request.profile.network.disconnectAfterTransfers) await serial(() => closeConnection(s));
      else armIdle(s);
    },
  });

  const transferTarget = (s: Session): QueueTarget => ({
    profile: s.request.profile,
    profileId: s.info.profileId,
    username: s.info.username,
    folders: s.info.folders,
  });

  const disconnect = async () => {
    const s = session;
    session = null;
    transfers.cancelAll();
    if (s) await serial(() => closeConnection(s));
  };

  interface SignInRequest {
    profile: Profile;
    protocol: Protocol;
    username: string;
    typed: string | undefined;
    rememberPassword: boolean;
    newPassword: string | undefined;
  }

  /**
   * Log in with the typed password, or the saved ones (current, then pending: never more than two
   * attempts), answering a demanded password change when a new password is given, and leave the
   * keychain holding the password the registry now has.
   */
  const signIn = async ({ profile, protocol, username, typed, rememberPassword, newPassword }: SignInRequest) => {
    const account = vaultAccount(profile.id, username);
    const notices: string[] = [];
    const saved = await keychain((k) => k.loginCandidates(account));
    if (typed === undefined) {
      if (!saved.ok) throw new RemoteError('keychain-unavailable', `${saved.error.message} Enter the password to sign in.`, saved.error.detail);
      if (saved.value.length === 0) {
        throw new RemoteError(
          'no-password',
          `No password is saved for ${username} at ${profile.name}. Enter the password to sign in. (A locked system keychain also shows none saved.)`,
        );
      }
    }
    const savedCandidates = saved.ok ? saved.value : [];
    const current = savedCandidates.find((c) => c.source === 'current')?.password ?? null;
    // A typed password stands in for the saved current one; a pending one is still tried after it.
    const candidates =
      typed === undefined
        ? savedCandidates.map((c) => c.password)
        : [typed, ...savedCandidates.filter((c) => c.source === 'pending' && c.password !== typed).map((c) => c.password)];
    // A password from the keychain stays there; a typed one is saved only when the user asks.
    const remember = typed === undefined || rememberPassword;

    let changeKept = false;
    if (newPassword !== undefined) {
      const problems = checkPasswordRules(profile.passwordChange.rules, newPassword, candidates[0]);
      if (problems.length > 0) {
        throw new RemoteError('invalid-input', `The new password does not meet ${profile.name}'s rules. ${problems.join(' ')} Nothing was sent.`);
      }
      // Pending before anything is sent: whatever happens next, the new password is not lost.
      const kept = await keychain((k) => k.beginChange(account, newPassword));
      changeKept = kept.ok;
      if (!kept.ok) {
        notices.push(`The system keychain is not available, so the new password is not kept by the app: remember it. ${keychainReason(kept.error)}`.trim());
      }
    }

    const base: OpenRequest = {
      profile,
      protocol,
      username,
      password: '',
      ...(ports.timeoutSeconds !== undefined ? { timeoutSeconds: ports.timeoutSeconds } : {}),
    };
    let opened: OpenedConnection | null = null;
    let accepted: string | null = null;
    let step: PasswordChangeStep | null = null;
    let failed: unknown = null;
    for (let i = 0; i < candidates.length; i++) {
      const password = candidates[i] as string;
      const progress: { step: PasswordChangeStep | null } = { step: null };
      try {
        opened = await serial(() =>
          open({
            ...base,
            password,
            ...(newPassword !== undefined ? { newPassword } : {}),
            onPasswordChange: (s) => {
              progress.step = s;
            },
          }),
        );
        accepted = password;
        step = progress.step;
        failed = null;
        break;
      } catch (error) {
        step = progress.step;
        // Any change prompt means the server took this password as the login.
        if (step !== null) accepted = password;
        failed = error;
        const refusedLogin = error instanceof RemoteError && error.code === 'auth-failed' && step === null;
        if (!(refusedLogin && i + 1 < candidates.length)) break;
      }
    }

    const save = async <T>(op: (k: PasswordKeeper) => Promise<T>): Promise<Keychain<T>> => {
      const done = await keychain(op);
      if (!done.ok && remember && !notices.some((n) => n.startsWith(KEYCHAIN_NOT_SAVED))) notices.push(notSavedNotice(done.error));
      return done;
    };
    let workingPassword = accepted;
    if (newPassword !== undefined && step === 'accepted') {
      // The server has the new password now: it is the one to keep (a saved old one is stale).
      workingPassword = newPassword;
      const settled = await save((k) => k.settle(account, newPassword, remember || current !== null));
      const savedNow = settled.ok && settled.value.saved;
      notices.unshift(`The registry accepted your new password.${savedNow ? ' It is saved in the system keychain.' : ''}`);
    } else if (newPassword !== undefined && step === 'sent') {
      // No answer after the new password left: the server may or may not have it. Keep both.
      if (accepted !== null && remember && accepted !== current) await save((k) => k.keepCurrent(account, accepted as string));
    } else {
      // Refused, or never asked for: the new password did not change anything on the server.
      if (newPassword !== undefined && changeKept) await keychain((k) => k.abandonChange(account));
      if (accepted !== null) {
        const settled = await save((k) => k.settle(account, accepted as string, remember));
        if (settled.ok && settled.value.source === 'pending') {
          notices.push(settled.value.saved ? PENDING_PROMOTED : 'The registry accepted the new password you set last time.');
        } else if (settled.ok && settled.value.source === 'typed' && settled.value.saved) {
          notices.push('The password is now saved in the system keychain.');
        }
      }
    }

    if (failed !== null || opened === null) {
      let error = failed;
      if (newPassword !== undefined && step === 'sent' && error instanceof RemoteError) {
        const kept = changeKept
          ? 'The app keeps both the old and the new password, and next time tries each once.'
          : 'If the old password is refused next time, sign in with the new one.';
        error = new RemoteError(
          // The library may not know what to call a connection that simply ended: it is a drop.
          error.code === 'internal' ? 'unreachable' : error.code,
          `The connection to ${profile.name} ended before it confirmed the new password, so the password may or may not have been changed. ${kept}`,
          error.detail,
        );
      } else if (error instanceof RemoteError && error.code === 'auth-failed' && candidates.length === 2 && step === null) {
        error = new RemoteError(
          'auth-failed',
          `The registry accepted neither the ${typed === undefined ? 'saved password' : 'password you typed'} nor the new password from the last password change. The app tried each once, so the account is not locked by repeated attempts. If the password is forgotten, only the registry can reset it (${profile.support.team}).`,
          error.detail,
        );
      }
      throw error ?? new RemoteError('internal', 'Something went wrong inside the app. Nothing was changed. Please try again.');
    }
    const request: OpenRequest = { ...base, password: workingPassword as string };
    return { opened, request, notices, account };
  };

  const handlers: CallHandlers = {
    async getAppInfo() {
      return { ok: true, name: ports.appInfo.name, version: ports.appInfo.version, platform: process.platform };
    },

    async listProfiles() {
      return { ok: true, profiles: catalog.all().map((e) => summarizeProfile(e.profile, e.builtIn)) };
    },

    async listLocalPlaces() {
      return { ok: true, places: localPlaces() };
    },

    async listLocalFolder({ path }) {
      try {
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
      if (newPassword !== undefined && protocol !== 'sftp') {
        const page = profile.passwordChange.webPageUrl;
        return failure(
          'invalid-input',
          `The app can change the password only over SFTP. Change it on ${profile.name}'s web page${page ? ` (${page})` : ''}, then sign in with the new one. Nothing was sent.`,
        );
      }
      if (connecting) return failure('busy', 'Already connecting. Wait for that to finish, or cancel it.');
      connecting = true;
      try {
        await disconnect();
        // "Allow this connection only" lasts while the user stays connected (the app may reopen an
        // idle connection without asking); a new Connect asks again.
        allowedOnce.clear();
        emitState('connecting', `Connecting to ${profile.name}…`);
        const signedIn = await signIn({ profile, protocol: protocol as Protocol, username, typed, rememberPassword, newPassword });
        const { opened, request, notices, account } = signedIn;
        try {
          const folders = await serial(() => resolveRoleFolders(opened.fs, profile, username));
          const saved = await hasSaved(account);
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
      const saved = await hasSaved(vaultAccount(profileId, username));
      return saved.ok ? { ok: true, hasSavedPassword: saved.value } : failure('keychain-unavailable', saved.error.message, saved.error.detail);
    },

    async forgetPassword({ profileId, username }) {
      const forgotten = await keychain((k) => k.forget(vaultAccount(profileId, username)));
      if (!forgotten.ok) return failure('keychain-unavailable', forgotten.error.message, forgotten.error.detail);
      const s = session;
      if (s && s.info.profileId === profileId && s.info.username === username) s.info = { ...s.info, hasSavedPassword: false };
      return { ok: true, forgotten: forgotten.value };
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
      try {
        const entries = await withConnection((fs) => fs.list(folder.path));
        return { ok: true, role: folder.role, path: folder.path, entries: entries.filter((e) => e.name !== '.' && e.name !== '..') };
      } catch (error) {
        return toFailure(error);
      }
    },

    async answerRequest({ id, answer }) {
      return broker.answer(id, answer)
        ? { ok: true }
        : failure('not-found', 'That question was already answered or has expired.');
    },

    async listTrusted() {
      return { ok: true, identities: trust.list() };
    },

    async removeTrusted({ id }) {
      return trust.remove(id) ? { ok: true } : failure('not-found', 'That server is not in the trusted list (any more).');
    },

    async checkUpload({ localPath }) {
      const s = session;
      if (!s) return failure('not-connected', 'Connect to the registry first: the checks look at its folders too.');
      try {
        return { ok: true, check: await withConnection((fs) => checkUpload(fs, transferTarget(s), localPath)) };
      } catch (error) {
        return toFailure(error);
      }
    },

    async upload({ localPath, acceptWarnings }) {
      const s = session;
      if (!s) return failure('not-connected', 'Connect to the registry first.');
      return { ok: true, transfer: transfers.enqueueUpload(transferTarget(s), localPath, acceptWarnings) };
    },

    async cancelTransfer({ transferId }) {
      return transfers.cancel(transferId) ? { ok: true } : failure('not-found', 'That transfer has already finished.');
    },

    async retryTransfer({ transferId }) {
      const s = session;
      if (!s) return failure('not-connected', 'Connect to the registry first.');
      const transfer = transfers.retry(transferId, transferTarget(s));
      if (transfer === 'other-account') {
        return failure('invalid-input', 'That transfer was made with another registry account. Connect with that account to try it again.');
      }
      return transfer ? { ok: true, transfer } : failure('not-found', 'Only a failed or cancelled transfer can be tried again.');
    },

    async download({ role, names, toFolder }) {
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
      return { ok: true, paths: await ports.chooseFiles() };
    },

    async chooseDownloadFolder() {
      if (!ports.chooseFolder) return failure('internal', 'This window cannot open the folder picker.');
      return { ok: true, path: await ports.chooseFolder() };
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
    async dispose() {
      broker.denyAll();
      await disconnect();
    },
  };
}
