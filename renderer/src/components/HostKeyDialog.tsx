// "Check the registry's identity": the engine met a host key it does not trust yet (first contact) or
// one that differs from the key trusted before. Nothing has been sent to the server; the user decides.
import { useEffect, useId, useRef, useState } from 'react';
import type { IdentityRequest, SupportContact, TrustAnswer } from '../../../shared/contract';
import { formatDay } from '../format';
import { KeyIcon, WarningIcon } from './Icons';
import { Modal } from './Modal';

interface HostKeyDialogProps {
  request: IdentityRequest;
  support: SupportContact | null;
  onAnswer: (answer: TrustAnswer) => void;
}

function supportWords(support: SupportContact | null): string {
  if (!support) return "registry's support team";
  const reach = support.phone ?? support.email;
  return reach ? `${support.team} at ${reach}` : support.team;
}

function Fingerprint({ label, algorithm, fingerprint, tone }: { label: string; algorithm: string; fingerprint: string; tone?: 'old' | 'new' }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(fingerprint);
      setCopied('yes');
    } catch {
      // The clipboard can be refused (no permission); the text stays selectable.
      setCopied('no');
    }
  };
  return (
    <div className={`fingerprint-box${tone ? ` is-${tone}` : ''}`}>
      <div className="fingerprint-label">
        <span>{label}</span>
        <span className="fingerprint-algorithm">{algorithm}</span>
      </div>
      <code className="fingerprint" data-testid="fingerprint">
        {fingerprint}
      </code>
      <div className="fingerprint-actions">
        <button type="button" className="button button-small" onClick={() => void copy()}>
          Copy
        </button>
        <span className="muted" role="status">
          {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Select the text to copy it.' : ''}
        </span>
      </div>
    </div>
  );
}

export function HostKeyDialog({ request, support, onAnswer }: HostKeyDialogProps) {
  const denyRef = useRef<HTMLButtonElement>(null);
  const [answered, setAnswered] = useState(false);
  const [secondsLeft, setSecondsLeft] = useState(request.timeoutSeconds);
  const descriptionId = useId();
  const changed = request.previous !== undefined;

  useEffect(() => {
    const started = Date.now();
    const timer = window.setInterval(() => {
      setSecondsLeft(Math.max(0, request.timeoutSeconds - Math.floor((Date.now() - started) / 1000)));
    }, 1000);
    return () => window.clearInterval(timer);
  }, [request.timeoutSeconds]);

  const answer = (value: TrustAnswer) => {
    if (answered) return;
    setAnswered(true);
    onAnswer(value);
  };

  const minutes = Math.floor(secondsLeft / 60);
  const seconds = String(secondsLeft % 60).padStart(2, '0');

  return (
    <Modal
      title={
        changed ? (
          <>
            <WarningIcon /> Warning: the registry&rsquo;s identity has changed
          </>
        ) : (
          <>
            <KeyIcon /> Check the registry&rsquo;s identity
          </>
        )
      }
      tone={changed ? 'warning' : 'normal'}
      wide={changed}
      className="host-key-dialog"
      onEscape={() => answer('deny')}
      initialFocus={denyRef}
      describedBy={descriptionId}
    >
      <div id={descriptionId} className="modal-body">
        {request.previous ? (
          <>
            <p className="warning-callout">
              <strong>The key of {request.host} port {request.port} has CHANGED</strong> since you trusted it on{' '}
              {formatDay(request.previous.firstTrusted)} for {request.profileName}.
            </p>
            <p>
              The registry may have renewed its keys: registries reserve the right to update them. But a changed key can also
              mean that someone is between this computer and the registry. <strong>Check with the {supportWords(support)}</strong>{' '}
              before you trust the new key. Nothing has been sent to the server yet.
            </p>
          </>
        ) : (
          <>
            <p>
              This is the first time this computer connects to <strong>{request.host}</strong> port <strong>{request.port}</strong>{' '}
              for <strong>{request.profileName}</strong>.
            </p>
            <p>
              Before your password is sent, make sure this is really the registry: compare the fingerprint below with the one the
              registry gave you, or ask the {supportWords(support)}.
            </p>
          </>
        )}
      </div>

      <div className={changed ? 'fingerprint-pair' : undefined}>
        {request.previous ? (
          <Fingerprint
            label={`Trusted before (${formatDay(request.previous.firstTrusted)})`}
            algorithm={request.previous.algorithm}
            fingerprint={request.previous.fingerprint}
            tone="old"
          />
        ) : null}
        <Fingerprint label={changed ? 'Shown now' : 'Key fingerprint'} algorithm={request.algorithm} fingerprint={request.fingerprint} tone={changed ? 'new' : undefined} />
      </div>

      <p className="muted timeout-note">
        If you do not answer within {minutes}:{seconds}, the connection is not allowed.
      </p>

      <div className="modal-actions">
        <button
          ref={denyRef}
          type="button"
          className={`button${changed ? ' button-primary' : ''}`}
          onClick={() => answer('deny')}
          disabled={answered}
        >
          Do not allow this connection
        </button>
        <span className="actions-spacer" />
        <button type="button" className="button" onClick={() => answer('allow-once')} disabled={answered}>
          Allow this connection only
        </button>
        <button type="button" className={`button${changed ? ' button-danger-quiet' : ' button-primary'}`} onClick={() => answer('trust')} disabled={answered}>
          Trust this key
        </button>
      </div>
    </Modal>
  );
}
