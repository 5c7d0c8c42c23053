// "Check the registry's identity": the engine met a server identity it does not trust yet (first
// contact) or one that differs from the one trusted before — an SSH host key, or a TLS certificate
// (FTPS). Nothing has been sent to the server; the user decides, in the registry's own words:
// "Trust this certificate", "Allow this connection only", "Do not allow this connection".
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { CertificateDetails, IdentityRequest, SupportContact, TrustAnswer } from '../../../shared/contract';
import { formatDay } from '../format';
import { FingerprintText } from './Fingerprint';
import { CertificateIcon, ErrorIcon, KeyIcon, OkIcon, WarningIcon } from './Icons';
import { Modal } from './Modal';

interface IdentityDialogProps {
  request: IdentityRequest;
  support: SupportContact | null;
  onAnswer: (answer: TrustAnswer) => void;
  /** Tests only: "now", to judge the certificate's dates. */
  now?: () => number;
}

export function supportWords(support: SupportContact | null): string {
  if (!support) return "registry's support team";
  const reach = support.phone ?? support.email;
  return reach ? `${support.team} at ${reach}` : support.team;
}

/** `CN=127.0.0.1, O=Registry Test Server` as `127.0.0.1 (Registry Test Server)`. */
export function distinguishedNameWords(dn: string): string {
  const parts = new Map<string, string>();
  for (const piece of dn.split(/,\s*/)) {
    const at = piece.indexOf('=');
    if (at > 0) parts.set(piece.slice(0, at).trim().toUpperCase(), piece.slice(at + 1).trim());
  }
  const common = parts.get('CN');
  const organisation = parts.get('O');
  if (common && organisation) return `${common} (${organisation})`;
  return common ?? organisation ?? dn;
}

const isSelfSigned = (c: CertificateDetails) => c.issuer === c.subject || c.authorityProblem === 'DEPTH_ZERO_SELF_SIGNED_CERT';

function authorityProblemWords(c: CertificateDetails): string | null {
  if (isSelfSigned(c)) return 'self-signed';
  switch (c.authorityProblem) {
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'its chain ends at an authority this computer does not know';
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return 'issued by an authority this computer does not know';
    case 'CERT_HAS_EXPIRED':
      return 'it has expired';
    case 'CERT_NOT_YET_VALID':
      return 'it is not valid yet';
    default:
      return null;
  }
}

type Tone = 'ok' | 'warning' | 'bad';

function Check({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <span className={`cert-check is-${tone}`}>
      {tone === 'ok' ? <OkIcon /> : tone === 'warning' ? <WarningIcon /> : <ErrorIcon />}
      <span>{children}</span>
    </span>
  );
}

export function CertificateFacts({ certificate, host, now }: { certificate: CertificateDetails; host: string; now: number }) {
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  const expired = Number.isFinite(to) && to < now;
  const notYet = Number.isFinite(from) && from > now;
  const problem = authorityProblemWords(certificate);
  const selfSigned = isSelfSigned(certificate);
  const names = certificate.names.length > 0 ? certificate.names : [distinguishedNameWords(certificate.subject)];
  return (
    <dl className="cert-facts">
      <dt>Issued to</dt>
      <dd>
        <strong>{distinguishedNameWords(certificate.subject)}</strong>
        <span className="cert-raw muted">{certificate.subject}</span>
      </dd>

      <dt>Names</dt>
      <dd>
        <span className="cert-names">{names.join(', ')}</span>
        {certificate.hostnameMatches ? (
          <Check tone="ok">The certificate is for {host} — matches the server name.</Check>
        ) : (
          <Check tone="bad">
            The certificate is for {names.join(', ')} — does NOT match the server name {host}.
          </Check>
        )}
      </dd>

      <dt>Issued by</dt>
      <dd>
        {selfSigned ? (
          <strong>Itself (self-signed)</strong>
        ) : (
          <>
            <strong>{distinguishedNameWords(certificate.issuer)}</strong>
            <span className="cert-raw muted">{certificate.issuer}</span>
          </>
        )}
        {certificate.authorityTrusted ? (
          <Check tone="ok">Vouched for by {distinguishedNameWords(certificate.issuer)}, an authority this computer trusts.</Check>
        ) : (
          <Check tone="warning">
            Not vouched for by this computer&rsquo;s certificate authorities{problem ? ` (${problem})` : ''}.
          </Check>
        )}
      </dd>

      <dt>Valid</dt>
      <dd>
        <span>
          From {formatDay(certificate.validFrom)} until {formatDay(certificate.validTo)}
        </span>
        {expired ? (
          <Check tone="bad">Expired on {formatDay(certificate.validTo)}.</Check>
        ) : notYet ? (
          <Check tone="bad">Not valid until {formatDay(certificate.validFrom)}.</Check>
        ) : (
          <Check tone="ok">Valid today.</Check>
        )}
      </dd>

      <dt>Encryption</dt>
      <dd>{certificate.protocol}</dd>
    </dl>
  );
}

function FingerprintBox({ label, detail, fingerprint, tone }: { label: string; detail: string; fingerprint: string; tone?: 'old' | 'new' }) {
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
        <span className="fingerprint-algorithm">{detail}</span>
      </div>
      <FingerprintText value={fingerprint} testId="fingerprint" />
      <div className="fingerprint-actions">
        <button type="button" className="button button-small" onClick={() => void copy()} aria-label={`Copy ${label.toLowerCase()}`}>
          Copy
        </button>
        <span className="muted" role="status">
          {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Select the text to copy it.' : ''}
        </span>
      </div>
    </div>
  );
}

export function IdentityDialog({ request, support, onAnswer, now = Date.now }: IdentityDialogProps) {
  const denyRef = useRef<HTMLButtonElement>(null);
  const [answered, setAnswered] = useState(false);
  const [secondsLeft, setSecondsLeft] = useState(request.timeoutSeconds);
  const descriptionId = useId();
  const changed = request.previous !== undefined;
  const isCertificate = request.kind === 'certificate';
  const thing = isCertificate ? 'certificate' : 'key';

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
  const what = isCertificate ? 'certificate' : 'identity';
  // Host keys name their type beside the fingerprint; a certificate's subject is in the facts above.
  const detailOf = (algorithm: string) => (isCertificate ? 'SHA-256' : algorithm);

  return (
    <Modal
      title={
        changed ? (
          <>
            <WarningIcon /> Warning: the registry&rsquo;s {what} has changed
          </>
        ) : (
          <>
            {isCertificate ? <CertificateIcon /> : <KeyIcon />} Check the registry&rsquo;s {what}
          </>
        )
      }
      tone={changed ? 'warning' : 'normal'}
      wide={changed}
      className={`host-key-dialog${isCertificate ? ' certificate-dialog' : ''}`}
      onEscape={() => answer('deny')}
      initialFocus={denyRef}
      describedBy={descriptionId}
    >
      <div id={descriptionId} className="modal-body">
        {request.previous ? (
          <>
            <p className="warning-callout">
              <strong>
                The {thing} of {request.host} port {request.port} has CHANGED
              </strong>{' '}
              since you trusted it on {formatDay(request.previous.firstTrusted)} for {request.profileName}.
            </p>
            {isCertificate ? (
              <p>
                The registry may have renewed its certificate: certificates expire, and registries reserve the right to update their
                keys. But a changed certificate can also mean that someone is in the middle, between this computer and the registry.{' '}
                <strong>Check with the {supportWords(support)}</strong> before you trust the new certificate. Nothing has been sent to
                the server yet, and the connection is refused unless you decide otherwise.
              </p>
            ) : (
              <p>
                The registry may have renewed its keys: registries reserve the right to update them. But a changed key can also mean
                that someone is between this computer and the registry. <strong>Check with the {supportWords(support)}</strong> before
                you trust the new key. Nothing has been sent to the server yet.
              </p>
            )}
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

      {request.certificate ? <CertificateFacts certificate={request.certificate} host={request.host} now={now()} /> : null}

      <div className={changed ? 'fingerprint-pair' : undefined}>
        {request.previous ? (
          <FingerprintBox
            label={`Trusted before (${formatDay(request.previous.firstTrusted)})`}
            detail={detailOf(request.previous.algorithm)}
            fingerprint={request.previous.fingerprint}
            tone="old"
          />
        ) : null}
        <FingerprintBox
          label={changed ? 'Shown now' : isCertificate ? 'Certificate fingerprint' : 'Key fingerprint'}
          detail={detailOf(request.algorithm)}
          fingerprint={request.fingerprint}
          tone={changed ? 'new' : undefined}
        />
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
          {isCertificate ? 'Trust this certificate' : 'Trust this key'}
        </button>
      </div>
    </Modal>
  );
}
