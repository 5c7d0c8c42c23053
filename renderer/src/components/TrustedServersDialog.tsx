// The servers whose identity this computer trusts, and a way to stop trusting one (the app then asks
// again the next time it connects there).
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { IdentityKind, TrustedIdentity } from '../../../shared/contract';
import { formatDay } from '../format';
import { registry, safely } from '../registry';
import { useStatus } from '../store/context';
import { FingerprintText } from './Fingerprint';
import { distinguishedNameWords } from './IdentityDialog';
import { CloseFooter, Modal } from './Modal';

interface TrustedServersDialogProps {
  onClose: () => void;
}

const KIND_WORDS: Record<IdentityKind, string> = {
  'ssh-host-key': 'SSH host key',
  'tls-certificate': 'Certificate',
};

export function TrustedServersDialog({ onClose }: TrustedServersDialogProps) {
  const status = useStatus();
  const [identities, setIdentities] = useState<TrustedIdentity[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<TrustedIdentity | null>(null);
  const [removing, setRemoving] = useState(false);
  const closeRef = useRef<HTMLButtonElement>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const removeRefs = useRef(new Map<string, HTMLButtonElement>());
  const confirmTextId = useId();

  const load = useCallback(async () => {
    const result = await safely(() => registry().listTrusted({}));
    if (result.ok) {
      setIdentities(result.identities);
      setProblem(null);
    } else {
      setProblem(result.message);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (confirming) keepRef.current?.focus();
  }, [confirming]);

  const where = (identity: TrustedIdentity) => `${identity.host} port ${identity.port}`;

  const remove = async (identity: TrustedIdentity) => {
    setRemoving(true);
    const result = await safely(() => registry().removeTrusted({ id: identity.id }));
    setRemoving(false);
    setConfirming(null);
    if (!result.ok) {
      setProblem(result.message);
    } else {
      status.info(`${where(identity)} is no longer trusted. The app will ask you to check its identity next time.`);
    }
    await load();
    closeRef.current?.focus();
  };

  const cancelConfirm = () => {
    const id = confirming?.id;
    setConfirming(null);
    if (id) removeRefs.current.get(id)?.focus();
  };

  return (
    <Modal title="Trusted servers" onEscape={confirming ? cancelConfirm : onClose} initialFocus={closeRef} wide className="trusted-dialog">
      <p className="modal-intro">
        This computer connects to these servers without asking, because their identity was checked and trusted. Remove one to be
        asked again the next time.
      </p>

      {problem ? <p className="field-error">{problem}</p> : null}

      {identities === null ? (
        <p className="muted">Loading…</p>
      ) : identities.length === 0 ? (
        <p className="empty-state">No trusted servers yet. When you trust a registry&rsquo;s key or certificate, it is listed here.</p>
      ) : (
        <div className="dialog-table-wrap trusted-table-wrap">
          <table className="dialog-table trusted-table">
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">Kind</th>
                <th scope="col">Fingerprint</th>
                <th scope="col">First trusted</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {identities.map((identity) => (
                <tr key={identity.id}>
                  <td>
                    <span className="server-host">{identity.host}</span>
                    <span className="cell-second muted"> port {identity.port}</span>
                  </td>
                  <td className="nowrap">
                    {KIND_WORDS[identity.kind]}
                    {identity.description ? (
                      <span className="cell-second muted" title={identity.description}>
                        {' '}
                        {identity.kind === 'tls-certificate' ? distinguishedNameWords(identity.description) : identity.description}
                      </span>
                    ) : null}
                  </td>
                  <td>
                    <FingerprintText value={identity.fingerprint} />
                  </td>
                  <td className="nowrap">{formatDay(identity.firstTrusted, 'medium')}</td>
                  <td className="cell-action">
                    <button
                      ref={(el) => {
                        if (el) removeRefs.current.set(identity.id, el);
                        else removeRefs.current.delete(identity.id);
                      }}
                      type="button"
                      className="button button-small"
                      onClick={() => setConfirming(identity)}
                      aria-label={`Remove ${where(identity)}`}
                      disabled={confirming !== null}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {confirming ? (
        <div className="confirm-panel" role="group" aria-labelledby={confirmTextId}>
          <p id={confirmTextId}>
            Stop trusting <strong>{where(confirming)}</strong>? The next time the app connects there, it will ask you to check the
            server&rsquo;s identity again.
          </p>
          <div className="modal-actions">
            <button ref={keepRef} type="button" className="button" onClick={cancelConfirm} disabled={removing}>
              Keep it
            </button>
            <button type="button" className="button button-danger" onClick={() => void remove(confirming)} disabled={removing}>
              Remove
            </button>
          </div>
        </div>
      ) : null}

      <CloseFooter closeRef={closeRef} onClose={onClose} />
    </Modal>
  );
}
