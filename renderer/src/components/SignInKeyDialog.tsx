// An account's SSH key for SFTP (issue 15): make one in the app, or use a key file the user already
// has; then the public key with its fingerprint, to copy or save as a .pub file, and the registry's
// own words on how to give it to them. The private key and its passphrase stay in the main process
// (the key in the app's data folder, the passphrase in the system keychain): only the public half
// and the file's name come to the window.
import { useId, useRef, useState } from 'react';
import type { AccountSignIn, ProfileSummary } from '../../../shared/contract';
import { registry, safely } from '../registry';
import { FingerprintText } from './Fingerprint';
import { CloseFooter, Modal } from './Modal';
import { ProblemNotice } from './ProblemNotice';

interface SignInKeyDialogProps {
  profile: ProfileSummary;
  username: string;
  account: AccountSignIn | null;
  /** The account as the engine has it now (after a key was made or chosen). */
  onChanged: (account: AccountSignIn) => void;
  onClose: () => void;
}

type Chosen = { path: string; fileName: string };

export function SignInKeyDialog({ profile, username, account, onChanged, onClose }: SignInKeyDialogProps) {
  const [busy, setBusy] = useState<'making' | 'choosing' | 'using' | 'saving' | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [keyType, setKeyType] = useState<'ed25519' | 'rsa'>('ed25519');
  const [replacing, setReplacing] = useState(false);
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const passphraseRef = useRef<HTMLInputElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const ids = { intro: useId(), publicKey: useId(), steps: useId(), passphrase: useId(), type: useId() };
  const key = account?.key ?? null;
  const showSetup = key === null || replacing;

  const done = (next: AccountSignIn, words: string) => {
    onChanged(next);
    setReplacing(false);
    setChosen(null);
    setProblem(null);
    setNotice(words);
  };

  const make = async () => {
    setBusy('making');
    setNotice(null);
    const result = await safely(() => registry().makeSignInKey({ profileId: profile.id, username, type: keyType }));
    setBusy(null);
    if (result.ok) done(result.account, 'A new key was made. Send its public key to the registry (below).');
    else setProblem(result.message);
  };

  const use = async (file: Chosen, passphrase?: string) => {
    setBusy('using');
    const result = await safely(() => registry().useKeyFile({ profileId: profile.id, username, path: file.path, ...(passphrase ? { passphrase } : {}) }));
    setBusy(null);
    if (result.ok) done(result.account, `The key ${file.fileName} is now this account’s key.`);
    else {
      setProblem(result.message);
      if (passphraseRef.current) {
        passphraseRef.current.value = '';
        passphraseRef.current.focus();
      }
    }
  };

  const choose = async () => {
    setBusy('choosing');
    setNotice(null);
    const result = await safely(() => registry().chooseKeyFile({}));
    setBusy(null);
    if (!result.ok) return setProblem(result.message);
    if (result.path === null || result.fileName === null) return;
    const file = { path: result.path, fileName: result.fileName };
    setProblem(null);
    if (result.needsPassphrase) {
      setChosen(file);
      window.setTimeout(() => passphraseRef.current?.focus(), 0);
    } else {
      await use(file);
    }
  };

  const usePassphrase = async () => {
    const field = passphraseRef.current;
    if (!chosen || !field) return;
    if (field.value === '') {
      setProblem('Enter the passphrase of the key file.');
      field.focus();
      return;
    }
    const passphrase = field.value;
    // Handed over once; the window does not keep it.
    field.value = '';
    await use(chosen, passphrase);
  };

  const savePublic = async () => {
    setBusy('saving');
    const result = await safely(() => registry().savePublicKey({ profileId: profile.id, username }));
    setBusy(null);
    if (!result.ok) setProblem(result.message);
    else if (result.savedAs) setNotice(`Saved the public key as ${result.savedAs}.`);
  };

  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    if (!key) return;
    try {
      await navigator.clipboard.writeText(key.publicKey);
      setCopied('yes');
    } catch {
      // The clipboard can be refused; the text stays selectable in the box.
      setCopied('no');
    }
  };

  return (
    <Modal title={`Sign-in key for ${username}`} onEscape={onClose} initialFocus={closeRef} describedBy={ids.intro} wide className="key-dialog">
      <div className="modal-body">
        <p id={ids.intro}>
          With a key, {profile.name} knows this computer without a password being typed, once the registry has the public key on file. The
          private key stays on this computer, locked by a passphrase kept in its keychain.
        </p>

        <ProblemNotice text={account?.keyProblem ?? null} />

        {key && !replacing ? (
          <section aria-labelledby={ids.publicKey} className="key-public">
            <h3 id={ids.publicKey} className="section-title">
              Public key <span className="muted">({key.fileName}{key.madeByApp ? ', made by this app' : ''})</span>
            </h3>
            <textarea className="public-key-text" readOnly value={key.publicKey} aria-label="Public key" rows={3} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
            <p className="key-fingerprint">
              Fingerprint <FingerprintText value={key.fingerprint} testId="key-fingerprint" />
            </p>
            <div className="key-actions">
              <button type="button" className="button" onClick={() => void copy()}>
                Copy public key
              </button>
              <button type="button" className="button" onClick={() => void savePublic()} disabled={busy !== null}>
                {busy === 'saving' ? 'Saving…' : 'Save as .pub file…'}
              </button>
              <span className="muted" role="status">
                {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Select the text to copy it.' : ''}
              </span>
            </div>
            <div id={ids.steps} className="key-steps">
              <h3 className="section-title">Give it to the registry</h3>
              <ol>
                <li>{profile.publicKeyInstructions}</li>
                <li>Send the public key only (the line above, or the .pub file). Never send the private key.</li>
                <li>Wait until the registry tells you the key is on file. Then choose “Key” or “Key and password” when you sign in.</li>
              </ol>
              <p className="help">
                Questions: {profile.support.team}
                {profile.support.phone ? `, ${profile.support.phone}` : ''}
                {profile.support.email ? `, ${profile.support.email}` : ''}.
              </p>
            </div>
            <button type="button" className="link-button" onClick={() => setReplacing(true)}>
              Use a different key…
            </button>
          </section>
        ) : null}

        {showSetup ? (
          <section className="key-setup" aria-label="Set up a key">
            <fieldset className="field" disabled={busy !== null}>
              <legend>Key type</legend>
              <label className="checkbox">
                <input type="radio" name={ids.type} checked={keyType === 'ed25519'} onChange={() => setKeyType('ed25519')} />
                Ed25519 (recommended)
              </label>
              <label className="checkbox">
                <input type="radio" name={ids.type} checked={keyType === 'rsa'} onChange={() => setKeyType('rsa')} />
                RSA, 4096 bits (for servers that do not take Ed25519)
              </label>
            </fieldset>
            <div className="key-actions">
              <button type="button" className="button button-primary" onClick={() => void make()} disabled={busy !== null}>
                {busy === 'making' ? 'Making the key…' : 'Make a new key'}
              </button>
              <button type="button" className="button" onClick={() => void choose()} disabled={busy !== null}>
                Use a key file I already have…
              </button>
              {replacing ? (
                <button type="button" className="link-button" onClick={() => setReplacing(false)}>
                  Keep the current key
                </button>
              ) : null}
            </div>
            <p className="help">A key file from PuTTYgen, ssh-keygen or another program: OpenSSH, PEM, or PuTTY (.ppk).</p>
            {chosen ? (
              <form
                className="field key-passphrase"
                onSubmit={(e) => {
                  e.preventDefault();
                  void usePassphrase();
                }}
              >
                <label htmlFor={ids.passphrase}>Passphrase of {chosen.fileName}</label>
                <input ref={passphraseRef} id={ids.passphrase} type="password" autoComplete="off" />
                <p className="help">The app keeps it in this computer’s keychain, so you are not asked again.</p>
                <button type="submit" className="button" disabled={busy !== null}>
                  {busy === 'using' ? 'Opening…' : 'Use this key'}
                </button>
              </form>
            ) : null}
          </section>
        ) : null}

        <ProblemNotice text={problem} />
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
      </div>
      <CloseFooter closeRef={closeRef} onClose={onClose} />
    </Modal>
  );
}
