// "Sent files" (issue 14, items 1, 3): every file this computer sent to the account, where it stands
// on the registry (matched by name to its folders), when it was sent and answered, a plain hint for
// one that is late, and what came back, each opening in the report viewer; the registry's files that
// match nothing sent from here, apart; and the scores of the data quality reports over time. Filter
// by the day sent and by state. Only listings are read until a file is opened.
import { lazy, Suspense, useCallback, useEffect, useId, useRef, useState } from 'react';
import { SUBMISSION_STATES, type CallResults, type FolderRole, type ScorePoint, type Submission, type SubmissionState } from '../../../shared/contract';
import { formatDateTime, formatSize } from '../format';
import { registry, safely } from '../registry';
import { useDispatch, useWindow } from '../store/context';
import { RefreshIcon } from './Icons';
import { CloseFooter, Modal } from './Modal';

// Chart.js is loaded when the scores are first shown, not with the window.
const ScoresChart = lazy(() => import('./ScoresChart').then((m) => ({ default: m.ScoresChart })));

type Found = Extract<CallResults['listSubmissions'], { ok: true }>;

export const STATE_WORDS: Record<SubmissionState, string> = {
  waiting: 'Waiting in the dropoff folder',
  'picked-up': 'Picked up, being processed',
  accepted: 'Accepted',
  'report-ready': 'Accepted, report ready',
  'consent-received': 'Accepted, consent notification received',
  rejected: 'Not accepted',
  gone: 'No longer on the server',
};

const STATE_TONE: Record<SubmissionState, 'ok' | 'busy' | 'bad' | 'quiet'> = {
  waiting: 'busy',
  'picked-up': 'busy',
  accepted: 'ok',
  'report-ready': 'ok',
  'consent-received': 'ok',
  rejected: 'bad',
  gone: 'quiet',
};

/** What a reply is, from its name: an ACK file, a report in one format, a consent file. */
export function replyLabel(name: string): string {
  const lower = name.toLowerCase();
  if (/(^|[^a-z])ack([^a-z]|$)/.test(lower)) return 'ACK';
  const extension = lower.slice(lower.lastIndexOf('.') + 1);
  const formats: Record<string, string> = { txt: 'Report (text)', csv: 'Report (CSV)', html: 'Report (HTML)', htm: 'Report (HTML)', pdf: 'Report (PDF)', json: 'Report (JSON)' };
  return formats[extension] ?? 'Report';
}

export function SubmissionsDialog({ onClose }: { onClose: () => void }) {
  const { connection } = useWindow();
  const dispatch = useDispatch();
  const closeRef = useRef<HTMLButtonElement>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [state, setState] = useState<SubmissionState | ''>('');
  const [found, setFound] = useState<Found | null>(null);
  const [points, setPoints] = useState<ScorePoint[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const ids = { from: useId(), to: useId(), state: useId(), sent: useId(), others: useId(), scores: useId() };
  const ask = useRef(0);

  const load = useCallback(async () => {
    const mine = ++ask.current;
    setLoading(true);
    setProblem(null);
    const filter = { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(state ? { states: [state] } : {}) };
    const [listed, scores] = await Promise.all([safely(() => registry().listSubmissions(filter)), safely(() => registry().listScores({}))]);
    if (mine !== ask.current) return;
    setLoading(false);
    if (listed.ok) setFound(listed);
    else setProblem(listed.message);
    setPoints(scores.ok ? scores.points : []);
  }, [from, to, state]);

  useEffect(() => {
    void load();
  }, [load]);

  const folderName = (role: FolderRole) => connection?.folders.find((f) => f.role === role)?.name ?? role;
  const open = (role: FolderRole, name: string) => dispatch({ type: 'viewer-opened', role, name });
  const rangeWrong = from !== '' && to !== '' && from > to;

  return (
    <Modal title="Sent files and what came back" onEscape={onClose} initialFocus={closeRef} wide className="submissions-dialog">
      <p className="modal-intro">
        Every file this computer sent to {connection?.profileName ?? 'the registry'} as {connection?.username}, matched by name to what the registry
        put in its folders. Open a report or an ACK to read it.
      </p>
      <div className="submission-filters" role="group" aria-label="Show files">
        <div className="filter-field">
          <label htmlFor={ids.from}>Sent from</label>
          <input id={ids.from} type="date" className="input" value={from} onChange={(event) => setFrom(event.target.value)} />
        </div>
        <div className="filter-field">
          <label htmlFor={ids.to}>to</label>
          <input id={ids.to} type="date" className="input" value={to} onChange={(event) => setTo(event.target.value)} aria-invalid={rangeWrong || undefined} />
        </div>
        <div className="filter-field">
          <label htmlFor={ids.state}>State</label>
          <select id={ids.state} className="input" value={state} onChange={(event) => setState(event.target.value as SubmissionState | '')}>
            <option value="">All states</option>
            {SUBMISSION_STATES.map((s) => (
              <option key={s} value={s}>
                {STATE_WORDS[s]}
              </option>
            ))}
          </select>
        </div>
        <span className="actions-spacer" />
        <button type="button" className="button" onClick={() => void load()} disabled={loading}>
          <RefreshIcon />
          Refresh
        </button>
      </div>
      {rangeWrong ? <p className="field-error">The first day is after the last one: nothing can match.</p> : null}
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      <p className="muted" aria-live="polite">
        {loading ? 'Looking at the registry’s folders…' : found ? `${found.submissions.length === 1 ? '1 file' : `${found.submissions.length} files`} · checked ${formatDateTime(Date.parse(found.checkedAt))}` : ''}
      </p>

      <section aria-labelledby={ids.sent} className="submissions-section">
        <h3 id={ids.sent} className="section-title">
          Sent from this computer
        </h3>
        {found && found.submissions.length === 0 ? (
          <p className="empty-state">{from || to || state ? 'No file sent from this computer matches.' : 'Nothing has been sent from this computer to this account yet.'}</p>
        ) : null}
        {found && found.submissions.length > 0 ? (
          <div className="dialog-table-wrap submissions-table-wrap">
            <table className="dialog-table submissions-table" aria-label="Files sent from this computer">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Where it stands</th>
                  <th scope="col">Answered</th>
                  <th scope="col">What came back</th>
                </tr>
              </thead>
              <tbody>
                {found.submissions.map((s) => (
                  <SubmissionRow key={s.name} submission={s} open={open} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      {found && found.unmatched.length > 0 ? (
        <section aria-labelledby={ids.others} className="submissions-section">
          <h3 id={ids.others} className="section-title">
            On the registry, not sent from this computer
          </h3>
          <div className="dialog-table-wrap">
            <table className="dialog-table" aria-label="Files on the registry that match nothing sent from this computer">
              <thead>
                <tr>
                  <th scope="col">Folder</th>
                  <th scope="col">File</th>
                  <th scope="col">Size</th>
                  <th scope="col">Date</th>
                  <th scope="col">
                    <span className="visually-hidden">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {found.unmatched.map((u) => (
                  <tr key={`${u.role}/${u.name}`}>
                    <td>{folderName(u.role)}</td>
                    <td className="submission-name">{u.name}</td>
                    <td className="nowrap">{formatSize(u.size)}</td>
                    <td className="nowrap">{formatDateTime(u.modified)}</td>
                    <td>
                      {u.role !== 'dropoff' ? (
                        <button type="button" className="button button-small" onClick={() => open(u.role, u.name)} aria-label={`Open ${u.name}`}>
                          Open
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      {found?.notes.map((note) => (
        <p key={note} className="notice-line">
          {note}
        </p>
      ))}

      <section aria-labelledby={ids.scores} className="submissions-section">
        <h3 id={ids.scores} className="section-title">
          Scores over time
        </h3>
        {points === null ? (
          <p className="muted">Reading the reports…</p>
        ) : (
          <Suspense fallback={<p className="muted">Drawing the chart…</p>}>
            <ScoresChart points={points} />
          </Suspense>
        )}
      </section>

      <CloseFooter closeRef={closeRef} onClose={onClose} />
    </Modal>
  );
}

function SubmissionRow({ submission: s, open }: { submission: Submission; open: (role: FolderRole, name: string) => void }) {
  const replies: { role: FolderRole; name: string; label: string }[] = [
    ...s.reports.map((name) => ({ role: 'reports' as const, name, label: replyLabel(name) })),
    ...s.consent.map((name) => ({ role: 'receive' as const, name, label: 'Consent' })),
    ...(s.accepted ? [{ role: 'accepted' as const, name: s.accepted, label: 'Accepted file' }] : []),
  ];
  return (
    <tr data-state={s.state}>
      <td className="submission-name">{s.name}</td>
      <td className="nowrap">{formatDateTime(Date.parse(s.sentAt))}</td>
      <td>
        <span className={`state-chip is-${STATE_TONE[s.state]}`}>{STATE_WORDS[s.state]}</span>
        {s.hint ? <p className="row-hint">{s.hint}</p> : null}
      </td>
      <td className="nowrap">{s.answeredAt === null ? '—' : formatDateTime(s.answeredAt)}</td>
      <td>
        <div className="reply-buttons">
          {replies.length === 0 ? <span className="muted">Nothing yet</span> : null}
          {replies.map((r) => (
            <button key={`${r.role}/${r.name}`} type="button" className="button button-small" title={r.name} aria-label={`${r.label}: ${r.name}`} onClick={() => open(r.role, r.name)}>
              {r.label}
            </button>
          ))}
        </div>
      </td>
    </tr>
  );
}
