// The report viewer (issue 14, item 2): one of the registry's files (a data quality report, an ACK
// file, a consent notification, an accepted batch) read by the engine into memory and shown here as
// what it is: text; a CSV as a sortable table; an HTML report in a sandboxed frame (no script, no
// form, no connection); a PDF drawn by pdf.js; an ACK decoded message by message. Search inside,
// save a copy where the user chooses, print. Long tables and ACK files are drawn a screenful at a time
// (a 20,000-message ACK does not freeze the window). Nothing of the file is kept once it closes.
import { useVirtualizer } from '@tanstack/react-virtual';
import { lazy, Suspense, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import type { AckSummary, OpenedReport, ReportScores, RoleFolder } from '../../../shared/contract';
import { formatDateTime, formatSize } from '../format';
import { download } from '../flows/transfers';
import { registry, safely } from '../registry';
import { ackLines, countMatches, framedReport, matches, nextColumnSort, OUTCOME_WORDS, SEVERITY_WORDS, sortRows, splitMatches, type AckLine, type ColumnSort } from '../report-view';
import { useDispatch, useFlow, useWindow } from '../store/context';
import { DownloadIcon } from './Icons';
import { Modal } from './Modal';

const PdfPages = lazy(() => import('./PdfPages').then((m) => ({ default: m.PdfPages })));

type Loaded = { phase: 'loading' } | { phase: 'open'; report: OpenedReport } | { phase: 'failed'; message: string };

const KIND_WORDS: Record<OpenedReport['view']['kind'], string> = {
  text: 'Text',
  csv: 'Table (CSV)',
  html: 'Web page (HTML), shown with scripts, forms and connections blocked',
  pdf: 'PDF',
  ack: 'HL7 acknowledgements (ACK), decoded',
};

export function ReportViewer() {
  const { viewer, connection } = useWindow();
  const dispatch = useDispatch();
  const closeRef = useRef<HTMLButtonElement>(null);
  if (!viewer || !connection) return null;
  const folder = connection.folders.find((f) => f.role === viewer.role);
  if (!folder) return null;
  return (
    <Modal title={viewer.name} onEscape={() => dispatch({ type: 'viewer-closed' })} initialFocus={closeRef} wide className="report-viewer">
      <ViewerBody key={`${viewer.role}/${viewer.name}`} folder={folder} name={viewer.name} closeRef={closeRef} onClose={() => dispatch({ type: 'viewer-closed' })} />
    </Modal>
  );
}

function ViewerBody({ folder, name, closeRef, onClose }: { folder: RoleFolder; name: string; closeRef: React.RefObject<HTMLButtonElement | null>; onClose: () => void }) {
  const [loaded, setLoaded] = useState<Loaded>({ phase: 'loading' });
  const [search, setSearch] = useState('');
  const [printAll, setPrintAll] = useState(false);
  const onSave = useFlow(download);
  const searchId = useId();

  useEffect(() => {
    let current = true;
    void safely(() => registry().openReport({ role: folder.role, name })).then((result) => {
      if (!current) return;
      setLoaded(result.ok ? { phase: 'open', report: result.report } : { phase: 'failed', message: result.message });
    });
    return () => {
      current = false;
    };
  }, [folder.role, name]);

  const report = loaded.phase === 'open' ? loaded.report : null;
  const kind = report?.view.kind;
  const searchable = kind === 'text' || kind === 'csv' || kind === 'ack';

  const print = () => {
    // Long tables are drawn a screenful at a time; for paper, every row is drawn first.
    flushSync(() => setPrintAll(true));
    window.print();
    setPrintAll(false);
  };

  return (
    <div className="viewer">
      <p className="viewer-meta muted">
        {folder.name}
        {report ? ` · ${formatSize(report.size)} · ${formatDateTime(report.modified)} · ${KIND_WORDS[report.view.kind]}` : ''}
      </p>
      {report?.scores ? <ScoreLine scores={report.scores} /> : null}
      <div className="viewer-tools" role="toolbar" aria-label="Report actions">
        {searchable ? (
          <div className="viewer-search">
            <label htmlFor={searchId}>Search</label>
            <input id={searchId} type="search" className="input" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="Words, codes, a field like PID-7" />
          </div>
        ) : null}
        <span className="actions-spacer" />
        <button type="button" className="button" disabled={!report} onClick={() => report && void onSave(folder, [{ name: report.name, kind: 'file', size: report.size, modified: report.modified }])}>
          <DownloadIcon />
          Save a copy…
        </button>
        <button type="button" className="button" disabled={!report} onClick={print}>
          Print…
        </button>
        <button ref={closeRef} type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
      {/* A region of its own for the keyboard: what does not fit (a long PDF, an ACK's summary) scrolls here. */}
      <div className="viewer-content" tabIndex={0} role="region" aria-label={`Content of ${name}`}>
        {loaded.phase === 'loading' ? <p className="muted viewer-note" aria-live="polite">Opening {name}…</p> : null}
        {loaded.phase === 'failed' ? (
          <p className="field-error viewer-note" role="alert">
            {loaded.message}
          </p>
        ) : null}
        {report ? <ReportContent report={report} search={search} printAll={printAll} /> : null}
      </div>
    </div>
  );
}

function ScoreLine({ scores }: { scores: ReportScores }) {
  const parts = (['overall', 'completeness', 'quality', 'timeliness'] as const).filter((k) => scores[k] !== null);
  return (
    <dl className="score-line" aria-label="Scores the report states (0 to 100)">
      {parts.map((k) => (
        <div key={k} className="score-item">
          <dt>{k[0]!.toUpperCase() + k.slice(1)}</dt>
          <dd>{scores[k]}</dd>
        </div>
      ))}
    </dl>
  );
}

function ReportContent({ report, search, printAll }: { report: OpenedReport; search: string; printAll: boolean }) {
  const { view } = report;
  switch (view.kind) {
    case 'text':
      return <TextView text={view.text} search={search} />;
    case 'csv':
      return <CsvView header={view.header} rows={view.rows} truncated={view.truncated} search={search} printAll={printAll} />;
    case 'html':
      return (
        <iframe
          className="html-frame"
          title={`${report.name}, as the registry wrote it`}
          // No allow-scripts, allow-forms or allow-same-origin: the report can show, nothing more.
          sandbox=""
          referrerPolicy="no-referrer"
          srcDoc={framedReport(view.html)}
        />
      );
    case 'pdf':
      return (
        <Suspense fallback={<p className="muted">Drawing the PDF…</p>}>
          <PdfPages base64={view.base64} name={report.name} />
        </Suspense>
      );
    case 'ack':
      return <AckView ack={view.ack} search={search} printAll={printAll} />;
  }
}

function Found({ count, search, what }: { count: number; search: string; what: string }) {
  if (search.trim() === '') return null;
  return (
    <p className="muted found-count" aria-live="polite">
      {count === 0 ? `Nothing found for “${search.trim()}”.` : `${count.toLocaleString('en-US')} ${what} found for “${search.trim()}”.`}
    </p>
  );
}

function Highlighted({ text, search }: { text: string; search: string }) {
  return (
    <>
      {splitMatches(text, search).map((piece, i) => (piece.found ? <mark key={i}>{piece.text}</mark> : <span key={i}>{piece.text}</span>))}
    </>
  );
}

function TextView({ text, search }: { text: string; search: string }) {
  const count = useMemo(() => countMatches(text, search), [text, search]);
  return (
    <>
      <Found count={count} search={search} what={count === 1 ? 'match' : 'matches'} />
      <pre className="text-view" tabIndex={0} aria-label="Report text">
        <Highlighted text={text} search={search} />
      </pre>
    </>
  );
}

/** A scrolling box whose rows are drawn only where they are seen (all of them for print). */
function useRows(count: number, estimate: number) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => estimate, overscan: 12 });
  return { scroller, virtual };
}

function CsvView({ header, rows, truncated, search, printAll }: { header: string[]; rows: string[][]; truncated: boolean; search: string; printAll: boolean }) {
  const [sort, setSort] = useState<ColumnSort | null>(null);
  const shown = useMemo(() => sortRows(rows, sort).filter((row) => matches(row.join('\u0001'), search)), [rows, sort, search]);
  const { scroller, virtual } = useRows(shown.length, 30);
  const items = printAll ? shown.map((_, index) => ({ index, start: 0, key: index })) : virtual.getVirtualItems();
  const before = printAll ? 0 : (items[0]?.start ?? 0);
  const after = printAll ? 0 : virtual.getTotalSize() - (items.length > 0 ? (items[items.length - 1]!.start + 30) : 0);
  return (
    <>
      <Found count={shown.length} search={search} what={shown.length === 1 ? 'row' : 'rows'} />
      {truncated ? <p className="muted">Only the first {rows.length.toLocaleString('en-US')} rows are shown. Save a copy for the rest.</p> : null}
      {rows.length === 0 ? <p className="muted">The table has no rows, only its column names: the registry listed nothing in it.</p> : null}
      <div ref={scroller} className="table-scroller" tabIndex={0} role="region" aria-label="Report table">
        <table className="report-table" aria-rowcount={shown.length + 1}>
          <thead>
            <tr>
              {header.map((title, column) => {
                const sorted = sort?.column === column;
                return (
                  <th key={column} scope="col" aria-sort={sorted ? sort.direction : 'none'}>
                    <button type="button" className="sort-button" onClick={() => setSort(nextColumnSort(sort, column))}>
                      <span>{title || `Column ${column + 1}`}</span>
                      <span className={`sort-arrow${sorted ? ' is-active' : ''}`} aria-hidden="true">
                        {sorted ? (sort.direction === 'ascending' ? '▲' : '▼') : '▲'}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {before > 0 ? <tr aria-hidden="true" style={{ height: before }} /> : null}
            {items.map((item) => {
              const row = shown[item.index] ?? [];
              return (
                <tr key={item.key} aria-rowindex={item.index + 2}>
                  {header.map((_, column) => (
                    <td key={column}>
                      <Highlighted text={row[column] ?? ''} search={search} />
                    </td>
                  ))}
                </tr>
              );
            })}
            {after > 0 ? <tr aria-hidden="true" style={{ height: after }} /> : null}
          </tbody>
        </table>
      </div>
    </>
  );
}

function AckView({ ack, search, printAll }: { ack: AckSummary; search: string; printAll: boolean }) {
  const lines = useMemo(() => ackLines(ack, search), [ack, search]);
  const messagesFound = useMemo(() => lines.filter((l) => l.kind === 'message').length, [lines]);
  const { scroller, virtual } = useRows(lines.length, 44);
  const t = ack.totals;
  const items = printAll ? lines.map((_, index) => ({ index, start: 0, key: index })) : virtual.getVirtualItems();
  return (
    <div className="ack-view">
      <dl className="ack-totals" aria-label="Totals for the file">
        <div>
          <dt>Messages</dt>
          <dd>{t.messages.toLocaleString('en-US')}</dd>
        </div>
        <div className="is-accepted">
          <dt>Accepted</dt>
          <dd>{t.accepted.toLocaleString('en-US')}</dd>
        </div>
        <div className="is-errors">
          <dt>Accepted with errors</dt>
          <dd>{t.errors.toLocaleString('en-US')}</dd>
        </div>
        <div className="is-rejected">
          <dt>Rejected</dt>
          <dd>{t.rejected.toLocaleString('en-US')}</dd>
        </div>
        {t.unknown > 0 ? (
          <div>
            <dt>No acknowledgement code</dt>
            <dd>{t.unknown.toLocaleString('en-US')}</dd>
          </div>
        ) : null}
      </dl>
      {ack.commonErrors.length > 0 ? (
        <details className="common-errors" open>
          <summary>Most common problems</summary>
          <table className="report-table">
            <thead>
              <tr>
                <th scope="col">Times</th>
                <th scope="col">Where</th>
                <th scope="col">Code</th>
                <th scope="col">What the registry says</th>
              </tr>
            </thead>
            <tbody>
              {ack.commonErrors.map((e, i) => (
                <tr key={i}>
                  <td>{e.count.toLocaleString('en-US')}</td>
                  <td>{e.location || 'message'}</td>
                  <td>{e.code ?? ''}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
      {ack.truncated ? <p className="muted">The file holds more messages than are listed here ({ack.messages.length.toLocaleString('en-US')} listed); the totals above count them all. Save a copy for the rest.</p> : null}
      <Found count={messagesFound} search={search} what={messagesFound === 1 ? 'message' : 'messages'} />
      <div ref={scroller} className="ack-scroller" tabIndex={0} role="region" aria-label="Acknowledgements, one message after another">
        <ul className="ack-lines" style={printAll ? undefined : { height: virtual.getTotalSize() }}>
          {items.map((item) => {
            const line = lines[item.index];
            if (!line) return null;
            return (
              <li
                key={item.key}
                data-index={item.index}
                ref={printAll ? undefined : virtual.measureElement}
                className={line.kind === 'message' ? `ack-message is-${line.message.outcome}` : 'ack-error'}
                style={printAll ? undefined : { transform: `translateY(${item.start}px)` }}
              >
                <AckLineView line={line} search={search} />
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}

function AckLineView({ line, search }: { line: AckLine; search: string }): ReactNode {
  if (line.kind === 'message') {
    const { message } = line;
    return (
      <>
        <span className="ack-outcome">{OUTCOME_WORDS[message.outcome]}</span>
        <span className="ack-control">
          Message <Highlighted text={message.controlId || '(no control id)'} search={search} />
        </span>
        {message.text ? (
          <span className="ack-text">
            <Highlighted text={message.text} search={search} />
          </span>
        ) : null}
      </>
    );
  }
  const { error } = line;
  const codes = [error.hl7Code ? `${error.hl7Code}${error.hl7Text ? ` ${error.hl7Text}` : ''}` : null, error.applicationCode ? `${error.applicationCode}${error.applicationText ? ` ${error.applicationText}` : ''}` : null].filter(Boolean);
  return (
    <>
      <span className={`ack-severity is-${error.severity ?? 'none'}`}>{error.severity ? SEVERITY_WORDS[error.severity] : 'Note'}</span>
      <span className="ack-location">
        <Highlighted text={error.location || 'message'} search={search} />
      </span>
      <span className="ack-words">
        <Highlighted text={error.message} search={search} />
        {codes.length > 0 ? (
          <span className="ack-codes">
            {' '}
            (<Highlighted text={codes.join('; ')} search={search} />)
          </span>
        ) : null}
      </span>
    </>
  );
}
