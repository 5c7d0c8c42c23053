// What failed while the window was closed (issue 17, item 4): a scheduled send-new (or any command
// line run) that could not send a file left its reason in the history; the next time the window
// opens, this banner says which files and why, and what to do, until the user has read it.
import { useEffect, useId, useState } from 'react';
import type { HistoryEntry } from '../../../shared/contract';
import { registry, safely } from '../registry';
import { useDispatch } from '../store/context';

const SHOWN = 5;

export function MissedFailuresBanner() {
  const dispatch = useDispatch();
  const [failures, setFailures] = useState<HistoryEntry[]>([]);
  const titleId = useId();

  useEffect(() => {
    void safely(() => registry().listMissedFailures({})).then((result) => {
      if (result.ok) setFailures(result.failures);
    });
  }, []);

  if (failures.length === 0) return null;
  const newest = failures[0] as HistoryEntry;

  const dismiss = async () => {
    await safely(() => registry().dismissMissedFailures({ upTo: newest.time }));
    setFailures([]);
  };

  return (
    <section className="missed-banner" aria-labelledby={titleId} role="region">
      <div className="missed-banner-text">
        <strong id={titleId}>
          {failures.length === 1 ? 'A file was not sent' : `${failures.length} files were not sent`} while this window was closed.
        </strong>
        <ul>
          {failures.slice(0, SHOWN).map((f) => (
            <li key={`${f.time}|${f.localName}`}>
              <span className="missed-name">{f.remoteName}</span> ({new Date(f.time).toLocaleString()}): {f.error ?? 'it failed.'}
            </li>
          ))}
        </ul>
        {failures.length > SHOWN ? <p>And {failures.length - SHOWN} more: see History.</p> : null}
        <p>
          Nothing is retried by itself. Fix what is said above; the next scheduled run sends the file. If the connection failed, “Check my connection”
          in the sign-in form says where it stops.
        </p>
      </div>
      <div className="missed-banner-actions">
        <button type="button" className="button button-small" onClick={() => dispatch({ type: 'dialog-opened', dialog: 'history' })}>
          Open History
        </button>
        <button type="button" className="button button-small" onClick={() => void dismiss()}>
          Got it
        </button>
      </div>
    </section>
  );
}
