// What this computer sent, fetched and deleted, newest first: time, what, which file and folder,
// size, and how it ended. Names and sizes only — the history never holds a file's contents.
import { useEffect, useRef, useState } from 'react';
import type { HistoryEntry, ProfileSummary } from '../../../shared/contract';
import { formatDateTime, formatSize } from '../format';
import { registry, safely } from '../registry';
import { DownloadIcon, ErrorIcon, OkIcon, TrashIcon, UploadIcon, WarningIcon } from './Icons';
import { CloseFooter, Modal } from './Modal';

interface HistoryDialogProps {
  profiles: ProfileSummary[];
  onClose: () => void;
}

const DIRECTION_WORDS: Record<HistoryEntry['direction'], string> = { upload: 'Upload', download: 'Download', delete: 'Delete' };

function resultWords(entry: HistoryEntry): string {
  if (entry.result === 'failed') return 'Failed';
  if (entry.result === 'cancelled') return 'Cancelled';
  return entry.direction === 'upload' ? 'Delivered' : entry.direction === 'download' ? 'Saved' : 'Deleted';
}

export function HistoryDialog({ profiles, onClose }: HistoryDialogProps) {
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    void (async () => {
      const result = await safely(() => registry().listHistory({ limit: 500 }));
      if (result.ok) setEntries(result.entries);
      else setProblem(result.message);
    })();
  }, []);

  const folderName = (entry: HistoryEntry) =>
    profiles.find((p) => p.id === entry.profileId)?.folders.find((f) => f.role === entry.folder)?.name ?? entry.folder;
  const profileName = (entry: HistoryEntry) => profiles.find((p) => p.id === entry.profileId)?.name ?? entry.profileId;

  return (
    <Modal title="Transfer history" onEscape={onClose} initialFocus={closeRef} wide className="history-dialog">
      <p className="modal-intro">
        Every file this computer sent to a registry, downloaded from it or deleted there, newest first. Only names, sizes and
        results are kept here — never what the files contain.
      </p>
      {problem ? <p className="field-error">{problem}</p> : null}
      {entries === null && problem === null ? (
        <p className="muted">Loading…</p>
      ) : entries !== null && entries.length === 0 ? (
        <p className="empty-state">Nothing sent or downloaded yet.</p>
      ) : entries !== null ? (
        <div className="dialog-table-wrap history-table-wrap">
          <table className="dialog-table history-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Action</th>
                <th scope="col">File</th>
                <th scope="col">Folder</th>
                <th scope="col" className="cell-size">
                  Size
                </th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry, index) => (
                <tr key={`${entry.time}-${index}`} className={`history-row is-${entry.result}`}>
                  <td className="nowrap">{formatDateTime(Date.parse(entry.time))}</td>
                  <td className="nowrap">
                    <span className="history-action">
                      {entry.direction === 'upload' ? <UploadIcon /> : entry.direction === 'download' ? <DownloadIcon /> : <TrashIcon />}
                      {DIRECTION_WORDS[entry.direction]}
                    </span>
                  </td>
                  <td className="history-file">
                    <span className="file-name-text">{entry.remoteName}</span>
                    {entry.direction === 'download' && entry.localName ? (
                      <span className="cell-second muted">Saved as {entry.localName}</span>
                    ) : entry.direction === 'upload' && entry.localName ? (
                      <span className="cell-second muted">From {entry.localName}</span>
                    ) : null}
                  </td>
                  <td>
                    {folderName(entry)}
                    <span className="cell-second muted">
                      {profileName(entry)} · {entry.account}
                    </span>
                  </td>
                  <td className="cell-size nowrap">{entry.direction === 'delete' ? '' : formatSize(entry.size)}</td>
                  <td>
                    <span className={`history-result is-${entry.result}`}>
                      {entry.result === 'done' ? <OkIcon /> : entry.result === 'failed' ? <ErrorIcon /> : <WarningIcon />}
                      {resultWords(entry)}
                    </span>
                    {entry.error ? <span className="cell-second history-error">{entry.error}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <CloseFooter closeRef={closeRef} onClose={onClose} />
    </Modal>
  );
}
