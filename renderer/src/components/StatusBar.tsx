// The status line: what the app is doing, and what went wrong, in plain words. Problems carry an
// icon and the word "Problem" as well as a colour.
import type { Status } from '../store/state';
import { CheckIcon, InfoIcon, WarningIcon } from './Icons';

export type { Status } from '../store/state';

export function StatusBar({ status, version }: { status: Status; version: string | null }) {
  return (
    <footer className="statusbar">
      <div className={`status status-${status.tone}`} role="status" aria-live="polite">
        {status.tone === 'error' ? (
          <>
            <WarningIcon />
            <span className="status-label">Problem:</span>
          </>
        ) : status.tone === 'ok' ? (
          <CheckIcon />
        ) : status.tone === 'busy' ? (
          <span className="spinner" aria-hidden="true" />
        ) : (
          <InfoIcon />
        )}
        <span className="status-text">{status.text}</span>
      </div>
      {version ? <span className="status-version">Version {version}</span> : null}
    </footer>
  );
}
