// The window: a slim toolbar, "My Computer" on the left, the registry on the right, the transfers and
// a status line at the bottom, and the prompts the engine sends (one at a time). Uploads go through
// the checks first (UploadCheckDialog), then the engine's queue; every transfer's progress comes back
// as events and is shown in the transfer list.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  CallResults,
  ConnectionInfo,
  FolderRole,
  IdentityRequest,
  ProfileSummary,
  Protocol,
  RegistryEvent,
  RemoteEntry,
  RoleFolder,
  TransferStatus,
  TrustAnswer,
} from '../../shared/contract';
import { ChangePasswordDialog, type ChangeOutcome, type ChangeReason, type PageOutcome } from './components/ChangePasswordDialog';
import { ConnectForm, type ConnectOutcome, type ConnectRequest } from './components/ConnectForm';
import { DeleteDialog } from './components/DeleteDialog';
import { HistoryDialog } from './components/HistoryDialog';
import { IdentityDialog } from './components/IdentityDialog';
import { ClockIcon, ExternalIcon, ShieldIcon } from './components/Icons';
import { LocalPane } from './components/LocalPane';
import { RemoteBrowser } from './components/RemoteBrowser';
import { StatusBar, type Status } from './components/StatusBar';
import { TransferPanel } from './components/TransferPanel';
import { TrustedServersDialog } from './components/TrustedServersDialog';
import { UploadCheckDialog, type CheckedFile, type UploadChoice } from './components/UploadCheckDialog';
import { registry, safely } from './registry';
import { changesWhenAsked, chosenChangeWay, demandedChangeWay, type ChangeWay } from './passwords';
import { canUploadTo, isFinished } from './transfers';

type Connected = Extract<CallResults['connect'], { ok: true }>;

/** A password change under way in the change dialog, and for which login. */
interface PasswordChange {
  reason: ChangeReason;
  way: ChangeWay;
  profileId: string;
  protocol: Protocol;
  username: string;
  /** The registry changes passwords when it asks at sign-in and did not ask: `web-page` is the way left. */
  notAsked?: boolean;
  /** The new password chosen on the registry's page is kept: closing now says nothing more. */
  finished?: boolean;
}

/** The way a change the user (or a first login) chooses is made, for this login. */
function chosenChange(summary: ProfileSummary, protocol: Protocol): Pick<PasswordChange, 'way' | 'notAsked'> {
  const method = summary.passwordChange.methods[protocol];
  const way = chosenChangeWay(method, summary.passwordChange.webPageUrl);
  return { way, notAsked: way === 'web-page' && changesWhenAsked(method) };
}

const loginKey = (profileId: string, username: string) => `${profileId}:${username}`;

/** "Connected to … as …." and what the engine wants read (a keychain that could not be used, a change accepted). */
const connectedWords = (result: Connected) =>
  [`Connected to ${result.connection.profileName} as ${result.connection.username}.`, ...result.notices].join(' ');

const baseName = (path: string) => path.split(/[\\/]/).filter(Boolean).pop() ?? path;
const files = (n: number) => (n === 1 ? '1 file' : `${n} files`);

export function App() {
  const [profiles, setProfiles] = useState<ProfileSummary[]>([]);
  const [profileId, setProfileId] = useState<string | null>(null);
  const [connection, setConnection] = useState<ConnectionInfo | null>(null);
  const [connecting, setConnecting] = useState(false);
  const [disconnecting, setDisconnecting] = useState(false);
  const [progress, setProgress] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>({ tone: 'idle', text: 'Not connected. Choose a registry and sign in.' });
  const [requests, setRequests] = useState<IdentityRequest[]>([]);
  const [trustedOpen, setTrustedOpen] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [version, setVersion] = useState<string | null>(null);
  const [checked, setChecked] = useState<CheckedFile[] | null>(null);
  const [deleting, setDeleting] = useState<{ folder: RoleFolder; names: string[] } | null>(null);
  const [transfers, setTransfers] = useState<TransferStatus[]>([]);
  const [expected, setExpected] = useState<Record<string, number>>({});
  const [rounds, setRounds] = useState<{ current: number; of: Record<string, number> }>({ current: 0, of: {} });
  const [dropoffVersion, setDropoffVersion] = useState(0);
  const [showDropoff, setShowDropoff] = useState(0);
  const [passwordChange, setPasswordChange] = useState<PasswordChange | null>(null);
  const [lastUsername, setLastUsername] = useState<Record<string, string>>({});
  /**
   * How the user signed in, while a change dialog is open: the password they typed (so the app can sign
   * in again with it and the new one, and tick "not the current one") and "Remember password". Cleared
   * when the dialog closes; never in React state, never in the page.
   */
  const signInRef = useRef<{ password?: string; rememberPassword: boolean } | null>(null);
  /** Logins whose first-login change the user put off with "Not now": not offered again until the app reopens. */
  const putOffRef = useRef(new Set<string>());
  const trustedButton = useRef<HTMLButtonElement>(null);
  const transfersRef = useRef<TransferStatus[]>([]);
  const roundsRef = useRef(rounds);
  const connectionRef = useRef<ConnectionInfo | null>(null);
  /** From the first check until the check dialog closes: one upload question at a time. */
  const checkingRef = useRef(false);
  connectionRef.current = connection;

  const showProblem = useCallback((text: string) => setStatus({ tone: 'error', text }), []);
  const showInfo = useCallback((text: string) => setStatus({ tone: 'info', text }), []);

  /**
   * Record what the engine says about a transfer. An answer to a call (`fromCall`) only adds a
   * transfer not heard of yet: its events may already have moved it further. A transfer that starts
   * while nothing else is under way begins a new batch for the overall bar.
   */
  const noteTransfer = useCallback((transfer: TransferStatus, fromCall = false) => {
    const list = transfersRef.current;
    const index = list.findIndex((t) => t.id === transfer.id);
    if (index >= 0 && fromCall) return;
    const before = index >= 0 ? list[index] : undefined;
    const next = index >= 0 ? list.map((t) => (t.id === transfer.id ? transfer : t)) : [...list, transfer];
    transfersRef.current = next;
    setTransfers(next);

    const startsAgain = !isFinished(transfer) && (before === undefined || isFinished(before));
    if (startsAgain) {
      const others = list.filter((t) => t.id !== transfer.id);
      const r = roundsRef.current;
      const current = others.every(isFinished) ? r.current + 1 : r.current;
      roundsRef.current = { current, of: { ...r.of, [transfer.id]: current } };
      setRounds(roundsRef.current);
    }

    if (before?.state === transfer.state || fromCall) return;
    if (transfer.state === 'done') {
      setStatus({ tone: 'ok', text: transfer.message });
      if (transfer.direction === 'upload') setDropoffVersion((v) => v + 1);
    } else if (transfer.state === 'failed') {
      setStatus({ tone: 'error', text: `${transfer.name}: ${transfer.message}` });
    } else if (transfer.state === 'cancelled') {
      setStatus({ tone: 'info', text: `${transfer.name}: ${transfer.message}` });
    }
  }, []);

  useEffect(() => {
    const onEvent = (event: RegistryEvent) => {
      switch (event.type) {
        case 'connection':
          if (event.state === 'connecting') {
            setProgress(event.message);
            setStatus({ tone: 'busy', text: event.message });
          } else if (event.state === 'connected') {
            if (event.connection) setConnection(event.connection);
            setStatus({ tone: 'ok', text: event.message });
          } else if (event.state === 'failed') {
            setStatus({ tone: 'error', text: event.message });
          } else {
            setConnection(null);
            setStatus({ tone: 'idle', text: event.message });
          }
          break;
        case 'request':
          {
            const request = event.request;
            // New-password requests: answered by the password-change dialog (issue 12, item 3, in progress).
            if (request.kind !== 'new-password') setRequests((queue) => (queue.some((r) => r.id === request.id) ? queue : [...queue, request]));
          }
          break;
        case 'request-closed':
          setRequests((queue) => queue.filter((r) => r.id !== event.id));
          break;
        case 'transfer':
          noteTransfer(event.transfer);
          break;
      }
    };
    return registry().onEvent(onEvent);
  }, [noteTransfer]);

  // A file dropped where nothing takes it (My Computer, the status line) must not be opened by the
  // page itself: the drop zones accept theirs first and mark the event as handled.
  useEffect(() => {
    const refuseStray = (event: DragEvent) => {
      if (event.defaultPrevented || !event.dataTransfer || ![...event.dataTransfer.types].includes('Files')) return;
      event.preventDefault();
      if (event.type === 'dragover') event.dataTransfer.dropEffect = 'none';
    };
    window.addEventListener('dragover', refuseStray);
    window.addEventListener('drop', refuseStray);
    return () => {
      window.removeEventListener('dragover', refuseStray);
      window.removeEventListener('drop', refuseStray);
    };
  }, []);

  useEffect(() => {
    void (async () => {
      const [listed, info] = await Promise.all([safely(() => registry().listProfiles({})), safely(() => registry().getAppInfo({}))]);
      if (info.ok) setVersion(info.version);
      if (!listed.ok) {
        showProblem(listed.message);
        return;
      }
      setProfiles(listed.profiles);
      setProfileId((current) => current ?? listed.profiles[0]?.id ?? null);
    })();
  }, [showProblem]);

  const activeProfileId = connection?.profileId ?? profileId;
  const profile = useMemo(() => profiles.find((p) => p.id === activeProfileId) ?? null, [profiles, activeProfileId]);
  const registryName = connection?.profileName ?? profile?.name ?? 'Registry';
  const uploadFolder = connection?.folders.find((f) => f.role === 'dropoff' && canUploadTo(f)) ?? connection?.folders.find(canUploadTo) ?? null;

  /** After a successful sign-in: what the engine said, and the first-login change if the registry wants one. */
  const connected = (result: Connected, typedPassword: string | undefined, rememberPassword: boolean) => {
    const info = result.connection;
    setConnection(info);
    setLastUsername((current) => ({ ...current, [info.profileId]: info.username }));
    setStatus({ tone: 'ok', text: connectedWords(result) });
    const summary = profiles.find((p) => p.id === info.profileId);
    // Every way of changing offers the dialog: even where the app cannot change it here, the user can
    // say it was already changed elsewhere.
    if (summary && info.passwordChangeDue && !putOffRef.current.has(loginKey(info.profileId, info.username))) {
      signInRef.current = { ...(typedPassword !== undefined ? { password: typedPassword } : {}), rememberPassword };
      setPasswordChange({ reason: 'first-login', ...chosenChange(summary, info.protocol), profileId: info.profileId, protocol: info.protocol, username: info.username });
    }
  };

  const connect = async ({ protocol, username, password, rememberPassword }: ConnectRequest): Promise<ConnectOutcome> => {
    if (!profile) return 'failed';
    setConnecting(true);
    setProgress(`Connecting to ${profile.name}…`);
    setStatus({ tone: 'busy', text: `Connecting to ${profile.name}…` });
    const result = await safely(() =>
      registry().connect({ profileId: profile.id, protocol, username, ...(password !== undefined ? { password } : {}), rememberPassword }),
    );
    setConnecting(false);
    setProgress(null);
    if (result.ok) {
      connected(result, password, rememberPassword);
      return 'connected';
    }
    if (result.code === 'password-change-required') {
      signInRef.current = { ...(password !== undefined ? { password } : {}), rememberPassword };
      setPasswordChange({ reason: 'demanded', way: demandedChangeWay(profile.passwordChange.methods[protocol]), profileId: profile.id, protocol, username });
      setStatus({ tone: 'info', text: `${result.message} Nothing has been changed yet.` });
      return 'continues';
    }
    setStatus({ tone: 'error', text: result.message });
    return 'failed';
  };

  const closePasswordChange = (after?: { tone: Status['tone']; text: string }) => {
    const was = passwordChange;
    signInRef.current = null;
    setPasswordChange(null);
    if (after) setStatus(after);
    else if (was?.finished) return;
    else if (was?.reason === 'demanded') setStatus({ tone: 'info', text: 'Not signed in: the registry needs a new password first. Nothing was changed.' });
    else if (was?.reason === 'first-login') {
      putOffRef.current.add(loginKey(was.profileId, was.username));
      setStatus({ tone: 'info', text: 'The password was not changed. The registry still expects you to choose your own; use “Change password…” when you are ready.' });
    }
  };

  /** The new password: signed in with (the registry demanded it), or changed on the open connection. */
  const submitNewPassword = async (newPassword: string): Promise<ChangeOutcome> => {
    const change = passwordChange;
    if (!change) return { done: false, message: 'Nothing to change.' };
    if (change.reason === 'demanded') {
      const signIn = signInRef.current ?? { rememberPassword: false };
      setConnecting(true);
      const result = await safely(() =>
        registry().connect({
          profileId: change.profileId,
          protocol: change.protocol,
          username: change.username,
          ...(signIn.password !== undefined ? { password: signIn.password } : {}),
          rememberPassword: signIn.rememberPassword,
          newPassword,
        }),
      );
      setConnecting(false);
      setProgress(null);
      if (result.ok) {
        closePasswordChange({ tone: 'ok', text: connectedWords(result) });
        connected(result, undefined, signIn.rememberPassword);
        return { done: true };
      }
      // Refused by the app's checks or by the registry: nothing changed, so choose again in the dialog.
      if (result.code === 'password-change-required' || result.code === 'invalid-input') return { done: false, message: result.message };
      closePasswordChange({ tone: 'error', text: result.message });
      return { done: true };
    }
    const result = await safely(() => registry().changePassword({ newPassword }));
    if (result.ok) {
      const info = connectionRef.current;
      if (info) setConnection({ ...info, passwordChangeDue: false });
      closePasswordChange({ tone: 'ok', text: [result.message, ...result.notices].join(' ') });
      return { done: true };
    }
    if (result.code === 'password-change-required' || result.code === 'invalid-input') return { done: false, message: result.message };
    closePasswordChange({ tone: 'error', text: result.message });
    return { done: true };
  };

  /** The registry's own page: opened in the browser (for a login that may not be signed in yet). */
  const openPasswordPage = async (): Promise<PageOutcome> => {
    const change = passwordChange;
    if (!change) return { ok: false, message: 'Nothing to change.' };
    const result = await safely(() =>
      registry().changePassword(
        change.reason === 'demanded' ? { account: { profileId: change.profileId, protocol: change.protocol, username: change.username } } : {},
      ),
    );
    return result.ok ? { ok: true, message: result.message } : { ok: false, message: result.message };
  };

  const storeChosenPassword = async (newPassword: string): Promise<PageOutcome> => {
    const change = passwordChange;
    if (!change) return { ok: false, message: 'Nothing to change.' };
    const result = await safely(() =>
      registry().storeChangedPassword(change.reason === 'demanded' ? { newPassword, profileId: change.profileId, username: change.username } : { newPassword }),
    );
    if (!result.ok) return { ok: false, message: result.message };
    const info = connectionRef.current;
    if (info && change.reason !== 'demanded') setConnection({ ...info, passwordChangeDue: false });
    setStatus({ tone: result.saved ? 'ok' : 'info', text: result.message });
    setPasswordChange((current) => (current ? { ...current, finished: true } : current));
    return { ok: true, message: result.message };
  };

  /** First login: the password was already changed elsewhere, so the app stops asking. */
  const markAlreadyChanged = async (): Promise<PageOutcome> => {
    const result = await safely(() => registry().markPasswordChanged({}));
    if (!result.ok) return { ok: false, message: result.message };
    setConnection(result.connection);
    closePasswordChange({ tone: 'ok', text: result.message });
    return { ok: true, message: result.message };
  };

  const startPasswordChange = () => {
    const info = connectionRef.current;
    if (!info || !profile) return;
    signInRef.current = null;
    setPasswordChange({
      reason: info.passwordChangeDue ? 'first-login' : 'chosen',
      ...chosenChange(profile, info.protocol),
      profileId: info.profileId,
      protocol: info.protocol,
      username: info.username,
    });
  };

  const disconnect = async () => {
    setDisconnecting(true);
    const result = await safely(() => registry().disconnect({}));
    setDisconnecting(false);
    if (result.ok) {
      setConnection(null);
      setStatus((current) => (current.tone === 'ok' || current.tone === 'busy' ? { tone: 'idle', text: 'Disconnected.' } : current));
    } else {
      showProblem(result.message);
    }
  };

  const openWebClient = async () => {
    if (!profile) return;
    const result = await safely(() => registry().openWebClient({ profileId: profile.id }));
    if (result.ok) showInfo(`Opened ${profile.name}’s web page in your browser: ${result.url}`);
    else showProblem(result.message);
  };

  const answer = async (request: IdentityRequest, value: TrustAnswer) => {
    const result = await safely(() => registry().answerRequest({ id: request.id, answer: value }));
    setRequests((queue) => queue.filter((r) => r.id !== request.id));
    if (!result.ok) showProblem(result.message);
  };

  // ------------------------------------------------------------------ uploads

  /** Check each file (nothing is sent yet), then show what the checks found. */
  const startUpload = async (paths: string[]) => {
    const unique = [...new Set(paths)];
    if (unique.length === 0) return;
    if (!connectionRef.current) {
      showProblem('Connect to the registry first, then send the files.');
      return;
    }
    if (checkingRef.current) {
      showInfo('Still checking the files from before. Send these again when that is done.');
      return;
    }
    checkingRef.current = true;
    setShowDropoff((n) => n + 1);
    const results: CheckedFile[] = [];
    for (const [index, localPath] of unique.entries()) {
      const name = baseName(localPath);
      setStatus({ tone: 'busy', text: unique.length === 1 ? `Checking ${name}…` : `Checking ${name} (${index + 1} of ${unique.length})…` });
      const result = await safely(() => registry().checkUpload({ localPath }));
      results.push(
        result.ok
          ? { localPath, fileName: result.check.fileName, check: result.check, problem: null }
          : { localPath, fileName: name, check: null, problem: result.message },
      );
    }
    setStatus({ tone: 'info', text: unique.length === 1 ? `Checked ${baseName(unique[0] ?? '')}. Nothing has been sent yet.` : `Checked ${unique.length} files. Nothing has been sent yet.` });
    setChecked(results);
  };

  const chooseFilesToUpload = async () => {
    const result = await safely(() => registry().chooseFilesToUpload({}));
    if (!result.ok) showProblem(result.message);
    else if (result.paths.length > 0) await startUpload(result.paths);
  };

  const closeChecks = () => {
    checkingRef.current = false;
    setChecked(null);
  };

  const send = async (choices: UploadChoice[]) => {
    const sizes = new Map((checked ?? []).map((f) => [f.localPath, f.check?.size ?? 0]));
    closeChecks();
    const problems: string[] = [];
    let queued = 0;
    for (const choice of choices) {
      const result = await safely(() => registry().upload(choice));
      if (!result.ok) {
        problems.push(`${baseName(choice.localPath)}: ${result.message}`);
        continue;
      }
      queued += 1;
      const size = sizes.get(choice.localPath) ?? 0;
      setExpected((current) => ({ ...current, [result.transfer.id]: size }));
      noteTransfer(result.transfer, true);
    }
    if (problems.length > 0) showProblem(problems.join(' '));
    else if (queued > 0 && transfersRef.current.some((t) => !isFinished(t))) {
      setStatus({ tone: 'busy', text: `Sending ${files(queued)} to ${uploadFolder?.name ?? 'the registry'}…` });
    }
  };

  // ------------------------------------------------------------------ downloads, deletes, transfers

  const download = async (folder: RoleFolder, entries: RemoteEntry[]) => {
    if (entries.length === 0) return;
    const chosen = await safely(() => registry().chooseDownloadFolder({}));
    if (!chosen.ok) {
      showProblem(chosen.message);
      return;
    }
    if (!chosen.path) {
      showInfo('No folder was chosen, so nothing was downloaded.');
      return;
    }
    const toFolder = chosen.path;
    const result = await safely(() => registry().download({ role: folder.role, names: entries.map((e) => e.name), toFolder }));
    if (!result.ok) {
      showProblem(result.message);
      return;
    }
    setExpected((current) => {
      const next = { ...current };
      result.transfers.forEach((t, i) => (next[t.id] = entries[i]?.size ?? 0));
      return next;
    });
    result.transfers.forEach((t) => noteTransfer(t, true));
    if (result.transfers.some((t) => !isFinished(transfersRef.current.find((x) => x.id === t.id) ?? t))) {
      setStatus({ tone: 'busy', text: `Downloading ${files(entries.length)} from ${folder.name} to ${toFolder}…` });
    }
  };

  const confirmDelete = async () => {
    const what = deleting;
    if (!what) return;
    const problems: string[] = [];
    let deleted = 0;
    for (const name of what.names) {
      const result = await safely(() => registry().deleteRemoteFile({ name, confirmed: true }));
      if (result.ok) deleted += 1;
      else problems.push(`${name}: ${result.message}`);
    }
    setDeleting(null);
    setDropoffVersion((v) => v + 1);
    if (problems.length > 0) showProblem(problems.join(' '));
    else setStatus({ tone: 'ok', text: deleted === 1 ? `Deleted ${what.names[0]} from ${what.folder.name}.` : `Deleted ${deleted} files from ${what.folder.name}.` });
  };

  const cancelTransfer = async (transfer: TransferStatus) => {
    const result = await safely(() => registry().cancelTransfer({ transferId: transfer.id }));
    if (!result.ok) showProblem(result.message);
  };

  const retryTransfer = async (transfer: TransferStatus) => {
    const result = await safely(() => registry().retryTransfer({ transferId: transfer.id }));
    if (!result.ok) showProblem(result.message);
    else noteTransfer(result.transfer, true);
  };

  const clearFinished = () => {
    const still = transfersRef.current.filter((t) => !isFinished(t));
    transfersRef.current = still;
    setTransfers(still);
  };

  // While files are on their way, the overall bar measures the ones sent or fetched together;
  // afterwards, everything still listed.
  const inProgress = transfers.some((t) => !isFinished(t));
  const batch = inProgress ? transfers.filter((t) => rounds.of[t.id] === rounds.current) : transfers;
  const folderName = (role: FolderRole) =>
    connection?.folders.find((f) => f.role === role)?.name ?? profile?.folders.find((f) => f.role === role)?.name ?? role;

  const changeProfile = passwordChange ? (profiles.find((p) => p.id === passwordChange.profileId) ?? null) : null;
  const currentRequest = requests[0];
  const requestProfile = currentRequest ? profiles.find((p) => p.id === currentRequest.profileId) : undefined;

  return (
    <div className="app">
      <header className="toolbar">
        <div className="toolbar-title">
          <span className="app-mark" aria-hidden="true" />
          <span className="app-name">Registry Transfer</span>
          {profile ? (
            <>
              <span className="toolbar-sep" aria-hidden="true" />
              <span className="toolbar-registry" aria-label={`Registry: ${registryName}`}>
                {registryName}
              </span>
            </>
          ) : null}
        </div>
        <div className="toolbar-actions">
          {profile?.webClientUrl ? (
            <button type="button" className="button button-toolbar" onClick={() => void openWebClient()} title={profile.webClientUrl}>
              <ExternalIcon />
              Web client
            </button>
          ) : null}
          <button type="button" className="button button-toolbar" onClick={() => setHistoryOpen(true)}>
            <ClockIcon />
            History
          </button>
          <button ref={trustedButton} type="button" className="button button-toolbar" onClick={() => setTrustedOpen(true)}>
            <ShieldIcon />
            Trusted servers
          </button>
        </div>
      </header>

      <main className="panes">
        <LocalPane onProblem={showProblem} uploadFolderName={uploadFolder?.name ?? null} onUpload={(paths) => void startUpload(paths)} />
        <section className="pane pane-registry" aria-label={registryName}>
          {connection ? (
            <RemoteBrowser
              key={`${connection.profileId}|${connection.username}|${connection.fingerprint}`}
              connection={connection}
              profile={profile}
              disconnecting={disconnecting}
              onDisconnect={() => void disconnect()}
              onChangePassword={startPasswordChange}
              onProblem={showProblem}
              onInfo={showInfo}
              dropoffVersion={dropoffVersion}
              showDropoff={showDropoff}
              onUpload={(paths) => void startUpload(paths)}
              onChooseFilesToUpload={() => void chooseFilesToUpload()}
              onDownload={(folder, entries) => void download(folder, entries)}
              onDelete={(folder, entries) => entries.length > 0 && setDeleting({ folder, names: entries.map((e) => e.name) })}
            />
          ) : (
            <div className="pane-center">
              <ConnectForm
                profiles={profiles}
                profile={profile}
                onChooseProfile={setProfileId}
                connecting={connecting}
                progress={progress}
                onConnect={connect}
                initialUsername={profile ? lastUsername[profile.id] : undefined}
                onInfo={showInfo}
              />
            </div>
          )}
        </section>
      </main>

      {transfers.length > 0 ? (
        <TransferPanel
          transfers={transfers}
          batch={batch}
          expected={expected}
          folderName={folderName}
          onCancel={(t) => void cancelTransfer(t)}
          onRetry={(t) => void retryTransfer(t)}
          onClearFinished={clearFinished}
        />
      ) : null}

      <StatusBar status={status} version={version} />

      {currentRequest ? (
        <IdentityDialog
          key={currentRequest.id}
          request={currentRequest}
          support={requestProfile?.support ?? null}
          onAnswer={(value) => void answer(currentRequest, value)}
        />
      ) : null}
      {checked ? (
        <UploadCheckDialog
          files={checked}
          folderName={uploadFolder?.name ?? 'the registry'}
          importCode={connection?.username ?? null}
          onSend={(choices) => void send(choices)}
          onCancel={() => {
            closeChecks();
            showInfo('Nothing was sent.');
          }}
        />
      ) : null}
      {deleting ? (
        <DeleteDialog
          names={deleting.names}
          folderName={deleting.folder.name}
          onConfirm={confirmDelete}
          onCancel={() => setDeleting(null)}
        />
      ) : null}
      {passwordChange && changeProfile ? (
        <ChangePasswordDialog
          key={`${passwordChange.reason}|${passwordChange.profileId}|${passwordChange.username}`}
          profile={changeProfile}
          username={passwordChange.username}
          reason={passwordChange.reason}
          way={passwordChange.way}
          notAsked={passwordChange.notAsked === true}
          isCurrent={signInRef.current?.password !== undefined ? (candidate) => candidate === signInRef.current?.password : undefined}
          onSubmit={submitNewPassword}
          onOpenPage={openPasswordPage}
          onStoreChosen={storeChosenPassword}
          {...(passwordChange.reason === 'first-login' ? { onMarkChanged: markAlreadyChanged } : {})}
          onClose={() => closePasswordChange()}
        />
      ) : null}
      {trustedOpen ? <TrustedServersDialog onClose={() => setTrustedOpen(false)} onInfo={showInfo} /> : null}
      {historyOpen ? <HistoryDialog profiles={profiles} onClose={() => setHistoryOpen(false)} /> : null}
    </div>
  );
}
