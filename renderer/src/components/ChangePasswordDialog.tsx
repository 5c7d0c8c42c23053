// Choosing a new password: when the registry demands one at sign-in, when it asks every new account
// to choose its own, or when the user wants to. The registry's rules tick as the user types; Submit
// waits until they all pass. The passwords live only in the two fields (never in React state, never in
// the page's markup) and go with the dialog when it closes; once handed over, the window keeps none.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ProfileSummary } from '../../../shared/contract';
import type { ChangeOutcome, PageOutcome } from '../flows/password-change';
import { checklistPasses, passwordChecklist, type ChangeWay, type RuleItem } from '../passwords';
import type { ChangeReason } from '../store/state';
import { ExternalIcon, KeyIcon } from './Icons';
import { Modal } from './Modal';

export type { ChangeReason } from '../store/state';

interface ChangePasswordDialogProps {
  profile: ProfileSummary;
  username: string;
  reason: ChangeReason;
  way: ChangeWay;
  /**
   * The registry changes passwords when it asks at sign-in and did not ask this time, so `web-page` is
   * the way left rather than the registry's own.
   */
  notAsked?: boolean;
  /**
   * The new password sent last was refused (by the app's checks or by the registry), said by the
   * engine's new request `id`: the dialog stops waiting, says why, and asks again.
   */
  refused?: { id: string; message: string };
  /** `form`: send the new password (answer the registry's demand, or change it on the connection). */
  onSubmit: (newPassword: string) => Promise<ChangeOutcome>;
  /** `web-page`: open the registry's page in the browser. */
  onOpenPage: () => Promise<PageOutcome>;
  /** `web-page`: keep the password chosen there, for the next sign-in. */
  onStoreChosen: (newPassword: string) => Promise<PageOutcome>;
  /** `first-login`: the password was already changed elsewhere; the app stops asking. */
  onMarkChanged?: () => Promise<PageOutcome>;
  onClose: () => void;
}

const TITLES: Record<ChangeReason, string> = {
  demanded: 'Choose a new password',
  'first-login': 'Choose your own password',
  chosen: 'Change password',
};

function RuleList({ id, items }: { id: string; items: RuleItem[] }) {
  return (
    <div className="rule-box">
      <p className="rule-heading" id={`${id}-heading`}>
        The new password needs
      </p>
      <ul id={id} className="rule-list" aria-labelledby={`${id}-heading`}>
        {items.map((item) => (
          <li key={item.id} className={`rule is-${item.state}`} data-rule={item.id} data-state={item.state}>
            <span className="rule-mark" aria-hidden="true">
              {item.state === 'met' ? '✓' : item.state === 'later' ? '·' : ''}
            </span>
            <span>{item.text}</span>
            <span className="visually-hidden">{item.state === 'met' ? ' (done)' : item.state === 'later' ? '' : ' (not yet)'}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ChangePasswordDialog({ profile, username, reason, way, notAsked = false, refused, onSubmit, onOpenPage, onStoreChosen, onMarkChanged, onClose }: ChangePasswordDialogProps) {
  const rules = profile.passwordChange.rules;
  const newRef = useRef<HTMLInputElement>(null);
  const againRef = useRef<HTMLInputElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const [items, setItems] = useState<RuleItem[]>(() => passwordChecklist(rules, '', ''));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  /** Web page: what the app said after opening it; then after keeping the new password. */
  const [pageMessage, setPageMessage] = useState<string | null>(null);
  const [storedMessage, setStoredMessage] = useState<string | null>(null);
  const ids = { intro: useId(), rules: useId(), newField: useId(), again: useId(), problem: useId(), already: useId() };

  const recheck = () => {
    setItems(passwordChecklist(rules, newRef.current?.value ?? '', againRef.current?.value ?? ''));
    if (problem) setProblem(null);
  };
  const ready = checklistPasses(items);

  const submit = async () => {
    const newPassword = newRef.current?.value ?? '';
    if (busy || !checklistPasses(passwordChecklist(rules, newPassword, againRef.current?.value ?? ''))) return;
    setBusy(true);
    setProblem(null);
    if (way === 'web-page') {
      const kept = await onStoreChosen(newPassword);
      setBusy(false);
      if (kept.ok) {
        setStoredMessage(kept.message);
        window.setTimeout(() => closeRef.current?.focus(), 0);
      } else {
        setProblem(kept.message);
      }
      return;
    }
    const outcome = await onSubmit(newPassword);
    // Done, or on its way to the registry (the dialog waits for the sign-in's end or a refusal).
    if ('answered' in outcome || outcome.done) return;
    setBusy(false);
    setProblem(outcome.message);
    window.setTimeout(() => newRef.current?.focus(), 0);
  };

  // The registry (or the app's checks) refused the new password: say why here and ask again.
  const refusedId = refused?.id;
  const refusedMessage = refused?.message;
  useEffect(() => {
    if (refusedId === undefined || refusedMessage === undefined) return;
    setBusy(false);
    setProblem(refusedMessage);
    window.setTimeout(() => newRef.current?.focus(), 0);
  }, [refusedId, refusedMessage]);

  const submitOnEnter = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    void submit();
  };

  // Once the page is open, the fields for the password chosen there appear: go to the first one (the
  // button that opened the page is gone).
  useEffect(() => {
    if (pageMessage !== null) newRef.current?.focus();
  }, [pageMessage]);

  const markChanged = async () => {
    if (!onMarkChanged) return;
    setBusy(true);
    setProblem(null);
    const marked = await onMarkChanged();
    if (marked.ok) return;
    setBusy(false);
    setProblem(marked.message);
  };

  const openPage = async () => {
    setBusy(true);
    setProblem(null);
    const opened = await onOpenPage();
    setBusy(false);
    if (opened.ok) {
      setPageMessage(opened.message);
    } else {
      setProblem(opened.message);
    }
  };

  const why =
    reason === 'demanded'
      ? `${profile.name} asks you to choose a new password before you can sign in as ${username}.`
      : reason === 'first-login'
        ? `${profile.name} asks every new account to choose its own password. You are signed in as ${username}; choose yours now.`
        : `Choose a new password for ${username} at ${profile.name}.`;

  const showFields = way === 'form' || (way === 'web-page' && pageMessage !== null && storedMessage === null);
  const cancelWords = storedMessage !== null ? 'Close' : reason === 'first-login' ? 'Not now' : way === 'at-sign-in' ? 'Close' : 'Cancel';
  // Offered until the dialog has done its job: once a new password is kept there is nothing to mark.
  const offerAlreadyChanged = reason === 'first-login' && onMarkChanged !== undefined && storedMessage === null;

  const fields = (
    <div className="password-grid">
      <div className="password-fields">
        <div className="field">
          <label htmlFor={ids.newField}>{way === 'web-page' ? 'The new password you chose on the page' : 'New password'}</label>
          <input
            ref={newRef}
            id={ids.newField}
            type="password"
            autoComplete="new-password"
            readOnly={busy}
            onChange={recheck}
            onKeyDown={submitOnEnter}
            aria-describedby={[ids.rules, problem ? ids.problem : ''].filter(Boolean).join(' ')}
            aria-invalid={problem ? true : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.again}>New password again</label>
          <input
            ref={againRef}
            id={ids.again}
            type="password"
            autoComplete="new-password"
            readOnly={busy}
            onChange={recheck}
            onKeyDown={submitOnEnter}
          />
        </div>
      </div>
      <RuleList id={ids.rules} items={items} />
    </div>
  );

  return (
    <Modal
      title={
        <>
          <KeyIcon /> {TITLES[reason]}
        </>
      }
      onEscape={() => !busy && onClose()}
      initialFocus={way === 'form' ? newRef : way === 'web-page' ? openRef : closeRef}
      describedBy={ids.intro}
      className="password-dialog"
    >
      <div className="modal-body">
        <p id={ids.intro}>{why}</p>

        {way === 'form' ? (
          <>
            {fields}
            <p className="muted keychain-note">
              Before the new password is sent, the app puts it in this computer’s keychain, so it cannot be lost if the connection drops
              half-way: the next sign-in tries it. Once the registry has accepted it, it stays in the keychain only if this computer
              remembers your password.
            </p>
          </>
        ) : null}

        {way === 'web-page' ? (
          <>
            {pageMessage === null ? (
              <p>
                {notAsked
                  ? `${profile.name} changes passwords when it asks for a new one at sign-in, and it did not ask this time, so the app cannot change it on this connection. You can change it on the registry’s web page${profile.passwordChange.webPageUrl ? ` (${profile.passwordChange.webPageUrl})` : ''} instead.`
                  : `${profile.name} changes passwords on its own web page${profile.passwordChange.webPageUrl ? ` (${profile.passwordChange.webPageUrl})` : ''}.`}{' '}
                The app opens it in your browser; change the password there, then come back and type the new one here, so the app can sign
                in with it.
              </p>
            ) : (
              <p className="page-message">{pageMessage}</p>
            )}
            {showFields ? fields : null}
            {storedMessage !== null ? (
              <p className="done-message" role="status">
                {storedMessage}
              </p>
            ) : null}
          </>
        ) : null}

        {way === 'at-sign-in' ? (
          <p>
            {profile.name} changes passwords only when it asks, as you sign in; the app then shows a form for the new one.
            {profile.passwordChange.webPageUrl ? ` You can also change it on the registry’s web page: ${profile.passwordChange.webPageUrl}.` : ` ${profile.support.team} can help.`}
          </p>
        ) : null}

        {offerAlreadyChanged ? (
          <p id={ids.already} className="muted already-changed-note">
            Already changed it, on the registry’s web page or on another computer? Choose “I have already changed it”: the app stops asking,
            and changes nothing on the registry or in the keychain. “Not now” only closes this until the app is opened again.
          </p>
        ) : null}

        {problem ? (
          <p id={ids.problem} className="field-error" role="alert">
            {problem}
          </p>
        ) : null}
      </div>

      <div className="modal-actions">
        {offerAlreadyChanged ? (
          <button type="button" className="button" onClick={() => void markChanged()} disabled={busy} aria-describedby={ids.already}>
            I have already changed it
          </button>
        ) : null}
        <span className="actions-spacer" />
        <button ref={closeRef} type="button" className="button" onClick={onClose} disabled={busy}>
          {cancelWords}
        </button>
        {way === 'form' ? (
          <button type="button" className="button button-primary" onClick={() => void submit()} disabled={busy || !ready}>
            {busy ? (reason === 'demanded' ? 'Signing in…' : 'Changing…') : reason === 'demanded' ? 'Change password and sign in' : 'Change password'}
          </button>
        ) : null}
        {way === 'web-page' && pageMessage === null ? (
          <button ref={openRef} type="button" className="button button-primary" onClick={() => void openPage()} disabled={busy}>
            <ExternalIcon />
            {busy ? 'Opening…' : 'Open the registry’s page'}
          </button>
        ) : null}
        {way === 'web-page' && pageMessage !== null && storedMessage === null ? (
          <button type="button" className="button button-primary" onClick={() => void submit()} disabled={busy || !ready}>
            {busy ? 'Saving…' : 'Keep this password'}
          </button>
        ) : null}
      </div>
    </Modal>
  );
}
