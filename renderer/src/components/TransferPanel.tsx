// The transfers of this session, above the status line: one row per file with a real progress bar,
// bytes, rate and time left, its state in words, what happened, and Cancel or Retry; an overall bar
// for the files sent together. It folds away to one line.
import { useId, useState } from 'react';
import type { FolderRole, TransferStatus } from '../../../shared/contract';
import { canCancel, canRetry, isFinished, progressLine, stateWord, summarize, summaryWords, totalOf } from '../transfers';
import { ChevronIcon, DownloadIcon, ErrorIcon, OkIcon, UploadIcon, WarningIcon } from './Icons';

interface TransferPanelProps {
  transfers: TransferStatus[];
  /** The files sent or fetched together most recently: what the overall bar measures. */
  batch: TransferStatus[];
  /** Sizes the window knew before the engine said (from the checks, from the listing). */
  expected: Readonly<Record<string, number>>;
  folderName: (role: FolderRole) => string;
  onCancel: (transfer: TransferStatus) => void;
  onRetry: (transfer: TransferStatus) => void;
  onClearFinished: () => void;
}

/** "Sending…" under "Sending" says nothing new. */
const repeatsState = (t: TransferStatus) => t.message.replace(/[.…]+$/, '').trim().toLowerCase() === stateWord(t).toLowerCase();

function StateMark({ transfer }: { transfer: TransferStatus }) {
  const word = stateWord(transfer);
  const icon =
    transfer.state === 'done' ? <OkIcon /> : transfer.state === 'failed' ? <ErrorIcon /> : transfer.state === 'cancelled' ? <WarningIcon /> : null;
  return (
    <span className={`transfer-state is-${transfer.state}`}>
      {icon ?? <span className={transfer.state === 'queued' ? 'state-waiting' : 'spinner'} aria-hidden="true" />}
      {word}
    </span>
  );
}

function Bar({ value, max, label, state }: { value: number; max: number; label: string; state?: string }) {
  const known = max > 0;
  const percent = known ? Math.min(100, Math.round((value / max) * 100)) : 0;
  return known ? (
    <progress className={`bar${state ? ` is-${state}` : ''}`} value={Math.min(value, max)} max={max} aria-label={label} aria-valuetext={`${percent}%`} />
  ) : (
    <progress className={`bar${state ? ` is-${state}` : ''}`} aria-label={label} aria-valuetext="Waiting" />
  );
}

export function TransferPanel({ transfers, batch, expected, folderName, onCancel, onRetry, onClearFinished }: TransferPanelProps) {
  const [open, setOpen] = useState(true);
  const listId = useId();
  const headingId = useId();
  const overall = summarize(batch, expected);
  const active = transfers.filter((t) => !isFinished(t)).length;
  const finished = transfers.length - active;

  return (
    <section className={`transfers${open ? ' is-open' : ''}`} aria-labelledby={headingId}>
      <div className="transfers-head">
        <button type="button" className="transfers-toggle" aria-expanded={open} aria-controls={listId} onClick={() => setOpen(!open)}>
          <ChevronIcon open={open} />
          <h2 id={headingId} className="transfers-title">
            Transfers
          </h2>
          <span className="transfers-count muted">{active > 0 ? `${active} in progress` : 'none in progress'}</span>
        </button>
        <div className="transfers-overall">
          <Bar
            value={overall.bytes}
            max={overall.total || (overall.count > 0 && overall.finished === overall.count ? 1 : 0)}
            label={active > 0 ? 'All files sent or fetched together' : 'All listed files'}
            state={overall.finished === overall.count ? (overall.failed > 0 ? 'partial' : 'done') : undefined}
          />
          <span className="transfers-overall-words" data-testid="overall">
            {summaryWords(overall)}
          </span>
        </div>
        <button type="button" className="button button-small" onClick={onClearFinished} disabled={finished === 0}>
          Clear finished
        </button>
      </div>

      {/* The list is focusable: a long one scrolls here, and the keyboard must be able to scroll it too. */}
      {open ? (
        <div className="transfers-list-wrap" id={listId} tabIndex={0} role="region" aria-labelledby={headingId}>
          <table className="transfers-table" aria-labelledby={headingId}>
            <thead className="visually-hidden">
              <tr>
                <th scope="col">File</th>
                <th scope="col">Progress</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {[...transfers].reverse().map((t) => {
                const total = totalOf(t, expected[t.id]);
                const bytes = t.state === 'done' ? total : t.bytes;
                const where = t.direction === 'upload' ? `To ${folderName(t.folder)}` : `From ${folderName(t.folder)}`;
                return (
                  <tr key={t.id} className={`transfer-row is-${t.state}`} data-transfer-id={t.id} data-state={t.state}>
                    <td className="transfer-file">
                      {t.direction === 'upload' ? <UploadIcon /> : <DownloadIcon />}
                      <span className="transfer-name-block">
                        <span className="transfer-name" title={t.name}>
                          {t.name}
                        </span>
                        <span className="transfer-where muted">
                          {t.direction === 'upload' ? 'Upload' : 'Download'} · {where}
                        </span>
                      </span>
                    </td>
                    <td className="transfer-progress">
                      <Bar value={bytes} max={t.state === 'queued' ? 0 : total} label={`${t.name}: progress`} state={t.state} />
                      <span className="transfer-bytes">{progressLine(t, expected[t.id])}</span>
                    </td>
                    <td className="transfer-status">
                      <StateMark transfer={t} />
                      {repeatsState(t) ? null : (
                        <span className="transfer-message muted" title={t.message}>
                          {t.message}
                        </span>
                      )}
                      {t.savedTo && !t.message.includes(t.savedTo) ? (
                        <span className="transfer-message muted" title={t.savedTo}>
                          Saved to {t.savedTo}
                        </span>
                      ) : null}
                    </td>
                    <td className="transfer-actions">
                      {canCancel(t) ? (
                        <button type="button" className="button button-small" onClick={() => onCancel(t)} aria-label={`Cancel ${t.name}`}>
                          Cancel
                        </button>
                      ) : null}
                      {canRetry(t) ? (
                        <button type="button" className="button button-small" onClick={() => onRetry(t)} aria-label={`Retry ${t.name}`}>
                          Retry
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
