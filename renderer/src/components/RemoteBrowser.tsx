// The registry once connected: who and where, the registry's folders as tabs (each with what it is
// for and what this account may do there), and the chosen folder's files.
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ConnectionInfo, FolderRight, FolderRole, ProfileSummary, RemoteEntry, RoleFolder } from '../../../shared/contract';
import { registry, safely } from '../registry';
import { FileTable } from './FileTable';
import { RefreshIcon } from './Icons';

interface RemoteBrowserProps {
  connection: ConnectionInfo;
  profile: ProfileSummary | null;
  disconnecting: boolean;
  onDisconnect: () => void;
  onProblem: (message: string) => void;
  onInfo: (message: string) => void;
}

const EMPTY_WORDS: Record<FolderRole, string> = {
  dropoff: 'No files here. Files you upload appear here until the registry processes them.',
  accepted: 'No accepted files yet. When the registry has processed a file you sent, the original appears here.',
  reports: 'No reports yet. The registry puts a data quality report here for each file it processes.',
  receive: 'No consent notifications yet. They appear here after your files are imported.',
};

const RIGHT_ORDER: FolderRight[] = ['list', 'read', 'write', 'rename', 'delete'];

export function accessWords(rights: readonly FolderRight[]): string {
  return rights.includes('write') ? 'You can upload here' : 'Read only';
}

interface FolderListing {
  role: FolderRole;
  entries: RemoteEntry[];
}

export function RemoteBrowser({ connection, profile, disconnecting, onDisconnect, onProblem, onInfo }: RemoteBrowserProps) {
  const [active, setActive] = useState<FolderRole | null>(connection.folders[0]?.role ?? null);
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const tabRefs = useRef(new Map<FolderRole, HTMLButtonElement>());
  const request = useRef(0);
  const panelId = useId();
  const tabId = (role: FolderRole) => `${panelId}-tab-${role}`;

  const load = useCallback(
    async (role: FolderRole, announce = false) => {
      const mine = ++request.current;
      setLoading(true);
      setProblem(null);
      const result = await safely(() => registry().listRemoteFolder({ role }));
      // A slower answer for a folder the user already left is dropped.
      if (mine !== request.current) return;
      setLoading(false);
      if (!result.ok) {
        setListing(null);
        setProblem(result.message);
        onProblem(result.message);
        return;
      }
      setListing({ role, entries: result.entries });
      if (announce) {
        const folder = connection.folders.find((f) => f.role === role);
        const count = result.entries.length;
        onInfo(`${folder?.name ?? 'Folder'} refreshed: ${count === 0 ? 'no files' : count === 1 ? '1 file' : `${count} files`}.`);
      }
    },
    [connection.folders, onProblem, onInfo],
  );

  useEffect(() => {
    if (active) void load(active);
  }, [active, load]);

  const folder: RoleFolder | undefined = connection.folders.find((f) => f.role === active);
  const shown = listing && listing.role === active ? listing.entries : [];
  // A folder just chosen counts as loading until its listing (or its problem) arrives.
  const busy = loading || (problem === null && listing?.role !== active);

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

  const held = folder ? RIGHT_ORDER.filter((r) => folder.rights.includes(r)) : [];
  const fileCount = shown.filter((e) => e.kind === 'file').length;
  const quotaNote =
    folder?.role === 'dropoff' && profile?.quotaFiles ? ` · the registry allows ${profile.quotaFiles} files per folder` : '';
  const retentionNote = profile?.retentionDays ? ` · files are removed after ${profile.retentionDays} days` : '';

  return (
    <div className="remote">
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
            </span>
          </span>
        </p>
        <button type="button" className="button" onClick={onDisconnect} disabled={disconnecting}>
          {disconnecting ? 'Disconnecting…' : 'Disconnect'}
        </button>
      </div>

      <div className="folder-tabs" role="tablist" aria-label="Registry folders">
        {connection.folders.map((f, index) => {
          const selected = f.role === active;
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
              aria-selected={selected}
              aria-controls={panelId}
              tabIndex={selected ? 0 : -1}
              className={`folder-tab${selected ? ' is-selected' : ''}`}
              onClick={() => (selected ? void load(f.role) : setActive(f.role))}
              onKeyDown={(event) => onTabKeyDown(event, index)}
            >
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
            <button type="button" className="button" onClick={() => void load(folder.role, true)} disabled={loading}>
              <RefreshIcon />
              Refresh
            </button>
          </div>
        ) : null}

        {problem ? <p className="field-error pane-problem">{problem}</p> : null}

        <FileTable
          label={folder ? `Files in ${folder.name}` : 'Files'}
          entries={shown}
          resetKey={active ?? ''}
          busy={busy}
          empty={problem ? 'The folder could not be listed.' : active ? EMPTY_WORDS[active] : 'Choose a folder.'}
        />

        <div className="pane-foot">
          <span className="muted">
            {busy ? 'Loading…' : `${fileCount} ${fileCount === 1 ? 'file' : 'files'}${quotaNote}${retentionNote}`}
          </span>
        </div>
      </div>
    </div>
  );
}
