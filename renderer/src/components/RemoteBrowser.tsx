// The registry once connected: who and where, the registry's folders as tabs (each with what it is
// for and what this account may do there), the chosen folder's files, and what can be done with
// them: upload (a button, or files dropped on the upload folder or its tab), download from the
// readable folders, delete from the upload folder. Only a folder the account may write to takes a
// drop; any other says why not, and where to drop instead.
import { useCallback, useEffect, useId, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { AccountSignIn, ConnectionInfo, FolderRight, FolderRole, ListingCounts, RemoteEntry, RoleFolder } from '../../../shared/contract';
import { carriesFiles, droppedFiles, unknownPathWords } from '../drop';
import { disconnect } from '../flows/connection';
import { askDelete, download } from '../flows/transfers';
import { usePasswordChange } from '../flows/password-change';
import { useUploadCheck } from '../flows/upload-check';
import { useFocusWhenLost } from '../focus';
import { readRemainingPages } from '../listing';
import { registry, safely } from '../registry';
import { useDispatch, useFlow, useStatus, useWindow } from '../store/context';
import { activeProfile, uploadFolderOf } from '../store/state';
import { canUploadTo, refusalWords } from '../transfers';
import { ageInDays, ageWords, daysUntilPurge, filesPurgedSoon, PURGE_WARNING_DAYS, purgeWords, quotaWords } from '../retention';
import { FileTable } from './FileTable';
import { AutoSendDialog } from './AutoSendDialog';
import { SignInKeyDialog } from './SignInKeyDialog';
import { DownloadIcon, NoEntryIcon, RefreshIcon, TrashIcon, UploadIcon } from './Icons';

const EMPTY_WORDS: Record<FolderRole, string> = {
  dropoff: 'No files here. Files you upload appear here until the registry processes them.',
  accepted: 'No accepted files yet. When the registry has processed a file you sent, the original appears here.',
  reports: 'No reports yet. The registry puts a data quality report here for each file it processes.',
  receive: 'No consent notifications yet. They appear here after your files are imported.',
};

const RIGHT_ORDER: FolderRight[] = ['list', 'read', 'write', 'rename', 'delete'];
const NO_ENTRIES: RemoteEntry[] = [];

export function accessWords(rights: readonly FolderRight[]): string {
  return rights.includes('write') ? 'You can upload here' : 'Read only';
}

interface FolderListing {
  role: FolderRole;
  /** In the engine's listing order; the first page at first, then more as they arrive. */
  entries: RemoteEntry[];
  counts: ListingCounts;
  /** Every page has arrived. */
  complete: boolean;
}

/** Where a drag is over: which folder would take it (a tab, or the open folder) and whether it may. */
interface DropHover {
  folder: RoleFolder;
  onTab: boolean;
  allowed: boolean;
}

const sameHover = (a: DropHover | null, b: DropHover | null) =>
  a === b || (a !== null && b !== null && a.folder.role === b.folder.role && a.onTab === b.onTab && a.allowed === b.allowed);

const SIGNED_IN_WITH = { password: 'signed in with password', key: 'signed in with key', 'key+password': 'signed in with key and password' } as const;

export function RemoteBrowser({ connection }: { connection: ConnectionInfo }) {
  const state = useWindow();
  const dispatch = useDispatch();
  const status = useStatus();
  const uploads = useUploadCheck();
  const passwordChange = usePasswordChange();
  const onDisconnect = useFlow(disconnect);
  const onDownload = useFlow(download);
  const onDelete = useFlow(askDelete);
  const profile = activeProfile(state);
  const { disconnecting } = state;
  const { active } = state.browse;
  /** The open folder's listing is out of date (a file landed or was deleted): listed again. */
  const activeStale = active !== null && state.browse.stale.includes(active);
  const setActive = (role: FolderRole) => dispatch({ type: 'folder-shown', role });
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [chosen, setChosen] = useState<RemoteEntry[]>([]);
  const [hover, setHover] = useState<DropHover | null>(null);
  /** The account's sign-in key, while its dialog is open (the account settings for SFTP). */
  const [keyAccount, setKeyAccount] = useState<AccountSignIn | 'loading' | null>(null);
  const [autoSendOpen, setAutoSendOpen] = useState(false);
  const openKeyDialog = async () => {
    setKeyAccount('loading');
    const result = await safely(() => registry().getAccountSignIn({ profileId: connection.profileId, username: connection.username }));
    if (result.ok) setKeyAccount(result.account);
    else {
      setKeyAccount(null);
      status.problem(result.message);
    }
  };
  const tabRefs = useRef(new Map<FolderRole, HTMLButtonElement>());
  const zoneRef = useRef<HTMLDivElement>(null);
  const dragDepth = useRef(0);
  const hoverRef = useRef<DropHover | null>(null);
  const request = useRef(0);
  const panelId = useId();
  const dropNoteId = useId();
  const tabId = (role: FolderRole) => `${panelId}-tab-${role}`;
  const uploadFolder = uploadFolderOf(connection);

  const load = useCallback(
    async (role: FolderRole, announce = false) => {
      const mine = ++request.current;
      dispatch({ type: 'folder-listed', role });
      setLoading(true);
      setProblem(null);
      const result = await safely(() => registry().listRemoteFolder({ role }));
      // A slower answer for a folder the user already left is dropped.
      if (mine !== request.current) return;
      setLoading(false);
      if (!result.ok) {
        setListing(null);
        setProblem(result.message);
        status.problem(result.message);
        return;
      }
      const counts = result.counts;
      setListing({ role, entries: result.entries, counts, complete: result.more === null });
      if (announce) {
        const folder = connection.folders.find((f) => f.role === role);
        const count = counts.all;
        status.info(`${folder?.name ?? 'Folder'} refreshed: ${count === 0 ? 'no files' : count === 1 ? '1 file' : `${count.toLocaleString('en-US')} files`}.`);
      }
      const stopped = await readRemainingPages(
        result,
        (listing) => registry().listRemoteFolderMore({ listing }),
        () => mine === request.current,
        (entries) => setListing({ role, entries, counts, complete: false }),
      );
      if (mine !== request.current) return;
      setListing((current) => (current && current.role === role ? { ...current, complete: true } : current));
      if (stopped) status.problem(`Only part of the folder could be listed. ${stopped.message}`);
    },
    [connection.folders, status, dispatch],
  );

  useEffect(() => {
    if (active) void load(active);
  }, [active, load]);

  // Signed out (this pane gone) while a big folder was still arriving: its later pages are not wanted.
  useEffect(
    () => () => {
      request.current += 1;
    },
    [],
  );

  // Signed in (the trust dialog and the Connect button gone): the keyboard starts at the folder shown.
  useFocusWhenLost(() => (active ? tabRefs.current.get(active) : tabRefs.current.values().next().value));

  useEffect(() => {
    if (activeStale && active) void load(active);
    // Only the folder becoming out of date lists it again; a new `load` or folder is listed above.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [activeStale]);

  // A drag that ends anywhere (a drop elsewhere, Escape) leaves no highlight behind.
  useEffect(() => {
    const clear = () => {
      dragDepth.current = 0;
      hoverRef.current = null;
      setHover(null);
    };
    document.addEventListener('dragend', clear);
    document.addEventListener('drop', clear);
    return () => {
      document.removeEventListener('dragend', clear);
      document.removeEventListener('drop', clear);
    };
  }, []);

  const folder: RoleFolder | undefined = connection.folders.find((f) => f.role === active);
  const shown = listing && listing.role === active ? listing.entries : NO_ENTRIES;
  // A folder just chosen counts as loading until its listing (or its problem) arrives.
  const busy = loading || (problem === null && listing?.role !== active);
  /** A big folder's first rows and counts are shown; the rest is still arriving. */
  const streaming = !busy && listing !== null && !listing.complete;

  const onTabKeyDown = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const count = connection.folders.length;
    const target =
      event.key === 'ArrowRight' || event.key === 'ArrowDown'
        ? (index + 1) % count
        : event.key === 'ArrowLeft' || event.key === 'ArrowUp'
          ? (index - 1 + count) % count
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? count - 1
              : null;
    if (target === null) return;
    event.preventDefault();
    const next = connection.folders[target];
    if (!next) return;
    setActive(next.role);
    tabRefs.current.get(next.role)?.focus();
  };

  // ------------------------------------------------------------------ dropping files

  const hoverFor = (event: DragEvent): DropHover | null => {
    const tab = event.target instanceof Element ? event.target.closest('[data-folder-role]') : null;
    const role = (tab?.getAttribute('data-folder-role') as FolderRole | null) ?? active;
    const target = connection.folders.find((f) => f.role === role);
    return target ? { folder: target, onTab: tab !== null, allowed: canUploadTo(target) } : null;
  };

  const showHover = (next: DropHover | null) => {
    if (sameHover(hoverRef.current, next)) return;
    hoverRef.current = next;
    setHover(next);
  };

  const refuse = (target: RoleFolder) => status.problem(refusalWords(target, uploadFolder?.name ?? null));

  const onDragEnter = (event: DragEvent<HTMLDivElement>) => {
    if (!carriesFiles(event.dataTransfer)) return;
    event.preventDefault();
    dragDepth.current += 1;
    showHover(hoverFor(event));
  };

  const onDragOver = (event: DragEvent<HTMLDivElement>) => {
    if (!carriesFiles(event.dataTransfer)) return;
    event.preventDefault();
    const next = hoverFor(event);
    event.dataTransfer.dropEffect = next?.allowed ? 'copy' : 'none';
    showHover(next);
  };

  const onDragLeave = (event: DragEvent<HTMLDivElement>) => {
    if (!carriesFiles(event.dataTransfer)) return;
    dragDepth.current = Math.max(0, dragDepth.current - 1);
    if (dragDepth.current > 0) return;
    const was = hoverRef.current;
    showHover(null);
    // A refused drop ends the drag with a last `dragleave` right where the pointer is (no `drop`
    // comes); leaving the pane puts the pointer outside it. Only the former is a refused drop.
    const box = zoneRef.current?.getBoundingClientRect();
    const inside = box !== undefined && event.clientX > box.left && event.clientX < box.right && event.clientY > box.top && event.clientY < box.bottom;
    if (was && !was.allowed && inside) refuse(was.folder);
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    if (!carriesFiles(event.dataTransfer)) return;
    event.preventDefault();
    dragDepth.current = 0;
    const target = hoverFor(event);
    showHover(null);
    if (!target) return;
    if (!target.allowed) {
      refuse(target.folder);
      return;
    }
    const dropped = droppedFiles(event.dataTransfer, (file) => registry().pathForFile(file));
    if (dropped.unknown.length > 0) status.problem(unknownPathWords(dropped.unknown));
    if (dropped.paths.length > 0) {
      if (target.folder.role !== active) setActive(target.folder.role);
      uploads.start(dropped.paths);
    }
  };

  // ------------------------------------------------------------------ what the folder offers

  const held = folder ? RIGHT_ORDER.filter((r) => folder.rights.includes(r)) : [];
  const fileCount = listing && listing.role === active ? listing.counts.files : 0;
  const chosenFiles = chosen.filter((e) => e.kind === 'file');
  const retentionDays = profile?.retentionDays ?? null;
  const quota = quotaWords(fileCount, profile?.quotaFiles ?? null);
  const retentionNote = retentionDays ? ` · the registry removes files after ${retentionDays} days` : '';
  // Ages are counted from the time the listing arrived (re-listed on every refresh).
  const [listedAt, setListedAt] = useState(() => Date.now());
  useEffect(() => setListedAt(Date.now()), [shown]);
  const goingSoon = busy || streaming ? [] : filesPurgedSoon(shown, retentionDays, listedAt);
  const ageOf = (entry: RemoteEntry) => {
    if (entry.kind !== 'file' || entry.modified === null) return null;
    const left = daysUntilPurge(entry, retentionDays, listedAt);
    return { text: ageWords(ageInDays(entry.modified, listedAt)), warning: left !== null && left <= PURGE_WARNING_DAYS ? purgeWords(left) : null };
  };
  const mayUpload = folder !== undefined && canUploadTo(folder);
  const mayDownload = folder !== undefined && folder.rights.includes('read') && !mayUpload;
  const mayDelete = folder !== undefined && folder.role === 'dropoff' && folder.rights.includes('delete');
  /** What the registry sends back opens in the viewer; the dropoff holds only what was sent. */
  const mayOpen = folder !== undefined && folder.role !== 'dropoff' && folder.rights.includes('read');
  const openInViewer = (entry: RemoteEntry) => folder && entry.kind === 'file' && dispatch({ type: 'viewer-opened', role: folder.role, name: entry.name });
  const panelHover = hover && (!hover.onTab || !hover.allowed) ? hover : null;
  const chooseFirst = 'Choose one or more files in the list first (tick their boxes).';

  return (
    <div
      ref={zoneRef}
      className="remote"
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      <div className="connected-bar">
        <p className="connected-text">
          <span className="state-dot is-connected" aria-hidden="true" />
          <span className="connected-who">
            <span>
              Connected to <strong>{connection.profileName}</strong> as <strong>{connection.username}</strong>
              <span className="visually-hidden"> · </span>
            </span>
            <span className="connected-where">
              {connection.protocol.toUpperCase()} {connection.host}:{connection.port}
              {connection.protocol === 'sftp' ? ` · ${SIGNED_IN_WITH[connection.signInMethod]}` : ''}
            </span>
          </span>
        </p>
        <div className="connected-actions">
          <button type="button" className="button" onClick={() => dispatch({ type: 'dialog-opened', dialog: 'submissions' })} disabled={disconnecting}>
            Sent files
          </button>
          <button type="button" className="button" onClick={() => setAutoSendOpen(true)} disabled={disconnecting}>
            Send automatically…
          </button>
          {connection.protocol === 'sftp' ? (
            <button type="button" className="button" onClick={() => void openKeyDialog()} disabled={disconnecting || keyAccount === 'loading'}>
              Sign-in key…
            </button>
          ) : null}
          <button type="button" className="button" onClick={passwordChange.start} disabled={disconnecting}>
            Change password…
          </button>
          <button type="button" className="button" onClick={() => void onDisconnect()} disabled={disconnecting}>
            {disconnecting ? 'Disconnecting…' : 'Disconnect'}
          </button>
        </div>
      </div>

      <div className="folder-tabs" role="tablist" aria-label="Registry folders">
        {connection.folders.map((f, index) => {
          const selected = f.role === active;
          const dropHere = hover?.onTab === true && hover.allowed && hover.folder.role === f.role;
          return (
            <button
              key={f.role}
              ref={(el) => {
                if (el) tabRefs.current.set(f.role, el);
                else tabRefs.current.delete(f.role);
              }}
              id={tabId(f.role)}
              type="button"
              role="tab"
              data-folder-role={f.role}
              aria-selected={selected}
              aria-controls={panelId}
              tabIndex={selected ? 0 : -1}
              className={`folder-tab${selected ? ' is-selected' : ''}${dropHere ? ' is-drop-target' : ''}`}
              onClick={() => (selected ? void load(f.role) : setActive(f.role))}
              onKeyDown={(event) => onTabKeyDown(event, index)}
            >
              {canUploadTo(f) ? <UploadIcon /> : null}
              {f.name}
            </button>
          );
        })}
      </div>

      <div className="folder-panel" role="tabpanel" id={panelId} aria-labelledby={active ? tabId(active) : undefined}>
        {folder ? (
          <div className="folder-head">
            <div className="folder-about">
              <div className="folder-title-line">
                <h3 className="folder-title">{folder.name}</h3>
                <span className={`access-badge${folder.rights.includes('write') ? ' is-upload' : ''}`}>{accessWords(folder.rights)}</span>
                {!busy && quota.level !== 'fine' ? (
                  <span className={`quota-badge is-${quota.level}`} role="status">
                    {quota.text}
                    {quota.level === 'full' ? ': the registry takes no more here' : ', near the registry’s limit'}
                  </span>
                ) : null}
              </div>
              <p className="folder-description">{folder.description}</p>
              <p className="rights">
                <span className="rights-label">Rights:</span>
                <span className="visually-hidden"> {held.join(', ')}</span>
                {held.map((right) => (
                  <span key={right} className="chip" aria-hidden="true">
                    {right}
                  </span>
                ))}
              </p>
            </div>
          </div>
        ) : null}

        {folder && goingSoon.length > 0 ? (
          <div className="folder-warning purge-warning" role="status">
            <p>
              {goingSoon.length === 1 ? '1 file here' : `${goingSoon.length} files here`} will be removed by the registry within {PURGE_WARNING_DAYS} days (it keeps files{' '}
              {retentionDays} days).
            </p>
            {folder.rights.includes('read') ? (
              <button type="button" className="button" onClick={() => void onDownload(folder, goingSoon)}>
                <DownloadIcon />
                Save {goingSoon.length === 1 ? 'it' : `all ${goingSoon.length}`} to my computer…
              </button>
            ) : null}
          </div>
        ) : null}

        {folder ? (
          <div className="folder-actions" role="toolbar" aria-label={`Actions in ${folder.name}`}>
            {mayUpload ? (
              <>
                <button type="button" className="button button-primary" onClick={uploads.chooseFiles}>
                  <UploadIcon />
                  Upload files…
                </button>
                <span className="drop-hint muted">or drag files here</span>
              </>
            ) : null}
            {mayOpen ? (
              <button
                type="button"
                className="button button-primary"
                disabled={chosenFiles.length !== 1}
                title={chosenFiles.length !== 1 ? 'Choose one file in the list to open it (or double-click it).' : undefined}
                onClick={() => chosenFiles[0] && openInViewer(chosenFiles[0])}
              >
                Open
              </button>
            ) : null}
            {mayDownload ? (
              <button
                type="button"
                className="button"
                disabled={chosenFiles.length === 0}
                title={chosenFiles.length === 0 ? chooseFirst : undefined}
                onClick={() => folder && void onDownload(folder, chosenFiles)}
              >
                <DownloadIcon />
                Download…
              </button>
            ) : null}
            {mayDelete ? (
              <button
                type="button"
                className="button"
                disabled={chosenFiles.length === 0}
                title={chosenFiles.length === 0 ? chooseFirst : undefined}
                onClick={() => folder && onDelete(folder, chosenFiles)}
              >
                <TrashIcon />
                Delete…
              </button>
            ) : null}
            <span className="actions-spacer" />
            {chosenFiles.length > 0 ? (
              <span className="muted chosen-count" aria-live="polite">
                {chosenFiles.length === 1 ? '1 file chosen' : `${chosenFiles.length.toLocaleString('en-US')} files chosen`}
              </span>
            ) : null}
            <button type="button" className="button" onClick={() => void load(folder.role, true)} disabled={loading}>
              <RefreshIcon />
              Refresh
            </button>
          </div>
        ) : null}

        {problem ? <p className="field-error pane-problem">{problem}</p> : null}

        <div className="folder-files">
          <FileTable
            label={folder ? `Files in ${folder.name}` : 'Files'}
            entries={shown}
            rowCount={streaming ? listing?.counts.all : undefined}
            resetKey={active ?? ''}
            busy={busy || streaming}
            multiSelect={mayDownload || mayDelete}
            onSelectionChange={setChosen}
            onOpenFile={mayOpen ? openInViewer : undefined}
            age={retentionDays !== null ? ageOf : undefined}
            onDeleteKey={mayDelete ? () => folder && onDelete(folder, chosenFiles) : undefined}
            empty={problem ? 'The folder could not be listed.' : active ? EMPTY_WORDS[active] : 'Choose a folder.'}
          />
          {panelHover ? (
            <div id={dropNoteId} className={`drop-note${panelHover.allowed ? ' is-allowed' : ' is-refused'}`} aria-live="polite">
              <div className="drop-note-card">
                {panelHover.allowed ? <UploadIcon /> : <NoEntryIcon />}
                <p>
                  {panelHover.allowed
                    ? `Drop to check the files and send them to ${panelHover.folder.name}.`
                    : refusalWords(panelHover.folder, uploadFolder?.name ?? null)}
                </p>
              </div>
            </div>
          ) : null}
        </div>

        <div className="pane-foot">
          <span className="muted">
            {busy ? 'Loading…' : `${quota.text}${streaming ? ` · ${shown.length.toLocaleString('en-US')} shown so far` : ''}${retentionNote}${goingSoon.length > 0 ? ` · ${goingSoon.length} removed within ${PURGE_WARNING_DAYS} days` : ''}`}
          </span>
        </div>
      </div>
      {autoSendOpen ? <AutoSendDialog connection={connection} onClose={() => setAutoSendOpen(false)} /> : null}
      {keyAccount !== null && keyAccount !== 'loading' && profile ? (
        <SignInKeyDialog profile={profile} username={connection.username} account={keyAccount} onChanged={setKeyAccount} onClose={() => setKeyAccount(null)} />
      ) : null}
    </div>
  );
}
