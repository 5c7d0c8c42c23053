// "Send automatically from this folder" (issue 17, item 3), for the signed-in account: the export
// folder the EHR writes to, what waits there, what was sent (by the window or a scheduled run) and
// what its checks stopped; pause, resume, stop. The engine watches the folder while the app is
// signed in to the account, and sends each new file once it has stopped growing.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { AutoSendState, ConnectionInfo } from '../../../shared/contract';
import { formatSize } from '../format';
import { registry, safely } from '../registry';
import { CloseFooter, Modal } from './Modal';
import { ProblemNotice } from './ProblemNotice';

export function AutoSendDialog({ connection, onClose }: { connection: ConnectionInfo; onClose: () => void }) {
  const [state, setState] = useState<AutoSendState | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const closeRef = useRef<HTMLButtonElement>(null);
  const ids = { intro: useId(), waiting: useId(), sent: useId() };
  const account = { profileId: connection.profileId, username: connection.username };

  const load = useCallback(async () => {
    const result = await safely(() => registry().getAutoSend({ profileId: connection.profileId, username: connection.username }));
    if (result.ok) setState(result.autoSend);
    else setProblem(result.message);
  }, [connection.profileId, connection.username]);

  useEffect(() => {
    void load();
    // A file sent or stopped, by the watcher or a transfer ending: the lists are read again.
    return registry().onEvent((event) => {
      if ((event.type === 'auto-send' && event.profileId === connection.profileId && event.username === connection.username) || (event.type === 'transfer' && event.transfer.state === 'done')) void load();
    });
  }, [load, connection.profileId, connection.username]);

  const act = async (call: () => Promise<{ ok: true; autoSend: AutoSendState } | { ok: false; message: string }>) => {
    setBusy(true);
    const result = await safely(call);
    setBusy(false);
    if (result.ok) {
      setState(result.autoSend);
      setProblem(null);
    } else setProblem(result.message);
  };

  return (
    <Modal title="Send automatically from a folder" onEscape={onClose} initialFocus={closeRef} describedBy={ids.intro} wide className="auto-send-dialog">
      <div className="modal-body">
        <p id={ids.intro}>
          Choose the folder your EHR exports its immunization files to. While this app is signed in to {connection.profileName} as{' '}
          {connection.username}, each new file there is checked and sent to {connection.folders.find((f) => f.role === 'dropoff')?.name ?? 'the dropoff folder'} once it
          has finished being written, and you get a notification. A file is sent once; one its checks stop is sent once it is fixed.
        </p>

        <div className="auto-send-folder">
          {state?.folder ? (
            <>
              <p>
                <strong>Folder:</strong> <code className="path-text">{state.folder}</code>
              </p>
              <p className={`auto-send-status${state.active ? ' is-active' : ''}`} role="status">
                {state.paused ? 'Paused: new files wait until you resume.' : state.active ? 'Watching: new files are sent as they arrive.' : 'Sign in to this account to send.'}
              </p>
            </>
          ) : (
            <p role="status">No folder chosen yet.</p>
          )}
          <div className="key-actions">
            <button type="button" className="button button-primary" disabled={busy} onClick={() => void act(() => registry().chooseAutoSendFolder(account))}>
              {state?.folder ? 'Choose another folder…' : 'Choose the export folder…'}
            </button>
            {state?.folder ? (
              <>
                <button type="button" className="button" disabled={busy} onClick={() => void act(() => registry().setAutoSendPaused({ ...account, paused: !state.paused }))}>
                  {state.paused ? 'Resume' : 'Pause'}
                </button>
                <button type="button" className="button" disabled={busy} onClick={() => void act(() => registry().stopAutoSend(account))}>
                  Stop sending from this folder
                </button>
              </>
            ) : null}
          </div>
        </div>

        <ProblemNotice text={problem} />

        {state?.folder ? (
          <div className="auto-send-lists">
            <section aria-labelledby={ids.waiting}>
              <h3 id={ids.waiting} className="section-title">
                Waiting ({state.waiting.length})
              </h3>
              {state.waiting.length === 0 ? (
                <p className="muted">Nothing waiting.</p>
              ) : (
                <ul aria-labelledby={ids.waiting}>
                  {state.waiting.map((f) => (
                    <li key={f.name}>
                      {f.name} <span className="muted">{formatSize(f.size)}</span>
                    </li>
                  ))}
                </ul>
              )}
              {state.refused.length > 0 ? (
                <>
                  <h3 className="section-title">Not sent: fix these and they go</h3>
                  <ul>
                    {state.refused.map((f) => (
                      <li key={f.name}>
                        {f.name}: <span className="field-error-text">{f.message}</span>
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
            </section>
            <section aria-labelledby={ids.sent}>
              <h3 id={ids.sent} className="section-title">
                Sent ({state.sent.length})
              </h3>
              {state.sent.length === 0 ? (
                <p className="muted">Nothing sent from this folder yet.</p>
              ) : (
                <ul aria-labelledby={ids.sent}>
                  {state.sent.map((f) => (
                    <li key={f.name}>
                      {f.name} <span className="muted">{new Date(f.at).toLocaleString()}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        ) : null}
      </div>
      <CloseFooter closeRef={closeRef} onClose={onClose} />
    </Modal>
  );
}
