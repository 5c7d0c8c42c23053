// Connecting to a registry: which registry, which protocol (as its profile offers), the login it
// names ("Import code" for Texas) and the password. The password is read from the field when the
// form is sent and the field is emptied at once, before the sign-in (which may wait for a new-password
// request) ends: the window never keeps it.
// When this computer's keychain holds a password for the login, the field may be left empty (the
// engine uses the saved one; the password itself never comes to the window).
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { AccountSignIn, Endpoint, Protocol, SignInMethod } from '../../../shared/contract';
import { connect, type ConnectOutcome } from '../flows/connection';
import { useFocusWhenLost } from '../focus';
import { registry, safely } from '../registry';
import { useDispatch, useFlow, useStatus, useWindow } from '../store/context';
import { activeProfile } from '../store/state';
import { ForgotPasswordDialog } from './ForgotPasswordDialog';
import { KeyIcon } from './Icons';
import { DiagnoseDialog } from './DiagnoseDialog';
import { FingerprintText } from './Fingerprint';
import { Modal } from './Modal';
import { SignInKeyDialog } from './SignInKeyDialog';

/** What the keychain holds for the typed login, as far as the window may know. */
type Saved = { key: string; state: 'saved' | 'none' } | { key: string; state: 'unavailable'; message: string };

const SAVED_CHECK_DELAY_MS = 400;
const NO_LOGIN = '';
const loginKey = (profileId: string, username: string) => `${profileId}|${username}`;
const plausibleUsername = (name: string) => name !== '' && !/\s/.test(name) && name.length <= 128;

interface FieldErrors {
  username?: string;
  password?: string;
}

export function endpointWords(endpoint: Endpoint): string {
  const where = `${endpoint.host}, port ${endpoint.port}`;
  if (endpoint.protocol !== 'ftps') return where;
  return `${where} · ${endpoint.tls === 'explicit' ? 'explicit TLS (AUTH TLS)' : 'implicit TLS'}`;
}

const protocolName = (protocol: Protocol) => (protocol === 'sftp' ? 'SFTP' : 'FTPS');

const METHOD_WORDS: Record<SignInMethod, { name: string; detail: string }> = {
  password: { name: 'Password', detail: 'The password the registry gave you, or the one you chose.' },
  key: { name: 'Key', detail: 'The registry has your public key on file and asks for nothing else.' },
  'key+password': { name: 'Key and password', detail: 'The registry asks for your key, then your password.' },
};

export function ConnectForm() {
  const state = useWindow();
  const dispatch = useDispatch();
  const status = useStatus();
  const onConnect = useFlow(connect);
  const { profiles } = state;
  const profile = activeProfile(state);
  const connecting = state.signIn !== null;
  /** What the engine says it is doing ("Connecting to …"). */
  const progress = state.signIn?.progress ?? null;
  const onChooseProfile = (profileId: string) => dispatch({ type: 'profile-chosen', profileId });
  const [protocol, setProtocol] = useState<Protocol>('sftp');
  // The login last used with this registry (kept across a disconnect, so it need not be typed again).
  const [username, setUsername] = useState(() => (profile ? (state.lastUsername[profile.id] ?? '') : ''));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [remember, setRemember] = useState(false);
  const rememberTouched = useRef(false);
  const [saved, setSaved] = useState<Saved | null>(null);
  const [forgetting, setForgetting] = useState<'ask' | 'busy' | null>(null);
  const [forgotOpen, setForgotOpen] = useState(false);
  /** How the typed login signs in, and its key, as the engine keeps it (keyed like `saved`). */
  const [account, setAccount] = useState<{ key: string; value: AccountSignIn } | null>(null);
  const [method, setMethod] = useState<SignInMethod>('password');
  /** The login the user chose a method for (NO_LOGIN before one was typed): its saved method is not forced on it. */
  const methodChosenFor = useRef<string | null>(null);
  const [keyDialogOpen, setKeyDialogOpen] = useState(false);
  const [diagnoseOpen, setDiagnoseOpen] = useState(false);
  /** Why the last sign-in failed; the connection check is offered beside it. */
  const failure = connecting ? null : state.signInFailure;
  const showFailure = failure !== null && failure.code !== 'password-change-required' && failure.code !== 'invalid-input';
  const passwordRef = useRef<HTMLInputElement>(null);
  const usernameRef = useRef<HTMLInputElement>(null);
  const forgetButtonRef = useRef<HTMLButtonElement>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  /** The login the latest keychain question was about: an older answer arriving late is ignored. */
  const askedRef = useRef<string | null>(null);
  const ids = {
    profile: useId(),
    username: useId(),
    usernameHint: useId(),
    usernameError: useId(),
    password: useId(),
    passwordError: useId(),
    passwordSaved: useId(),
    remember: useId(),
    rememberHint: useId(),
    protocol: useId(),
    progress: useId(),
    forgetText: useId(),
    method: useId(),
    keyLine: useId(),
  };
  // Disconnected (the folders and their buttons gone): the keyboard goes to what signing in needs next.
  const connectRef = useRef<HTMLButtonElement>(null);
  const signedOut = state.signedOut;
  useFocusWhenLost(() => (!signedOut ? null : usernameRef.current?.value ? (passwordRef.current ?? connectRef.current) : usernameRef.current));

  const profileId = profile?.id ?? null;
  const currentKey = profileId && plausibleUsername(username.trim()) ? loginKey(profileId, username.trim()) : null;
  const savedHere = saved !== null && saved.key === currentKey ? saved : null;
  const hasSaved = savedHere?.state === 'saved';
  const keychainMissing = savedHere?.state === 'unavailable';
  const accountHere = account !== null && account.key === currentKey ? account.value : null;
  // A key is an SFTP sign-in; FTPS always signs in by password.
  const usedMethod: SignInMethod = protocol === 'sftp' ? method : 'password';
  const needsPassword = usedMethod !== 'key';

  /** How the login signs in and its key: read with the keychain question, for the same login. */
  const loadAccount = useCallback(async (forProfile: string, name: string) => {
    const key = loginKey(forProfile, name);
    const result = await safely(() => registry().getAccountSignIn({ profileId: forProfile, username: name }));
    if (askedRef.current !== key || !result.ok) return;
    setAccount({ key, value: result.account });
    const chosenFor = methodChosenFor.current;
    if (chosenFor === null || (chosenFor !== key && chosenFor !== NO_LOGIN)) setMethod(result.account.method);
  }, []);

  /** Ask the keychain whether a password is saved for this login; returns true when one is. */
  const checkSaved = useCallback(async (forProfile: string, name: string): Promise<boolean> => {
    const key = loginKey(forProfile, name);
    askedRef.current = key;
    void loadAccount(forProfile, name);
    const result = await safely(() => registry().getSavedPassword({ profileId: forProfile, username: name }));
    if (askedRef.current !== key) return false;
    if (result.ok) {
      setSaved({ key, state: result.hasSavedPassword ? 'saved' : 'none' });
      if (result.hasSavedPassword && !rememberTouched.current) setRemember(true);
      return result.hasSavedPassword;
    }
    if (result.code === 'keychain-unavailable') setSaved({ key, state: 'unavailable', message: result.message });
    else setSaved({ key, state: 'none' });
    return false;
  }, [loadAccount]);

  // The registries are read after the form first shows, and a registry may be chosen later: an empty
  // field takes that registry's last login (the practice registry's account, the first time).
  const remembered = profile ? state.lastUsername[profile.id] : undefined;
  useEffect(() => {
    if (remembered !== undefined) setUsername((current) => (current === '' ? remembered : current));
  }, [remembered]);

  // Asked a moment after typing stops (and at once when the field is left): one question per login.
  useEffect(() => {
    const name = username.trim();
    if (!profileId || !plausibleUsername(name)) {
      askedRef.current = null;
      return;
    }
    if (askedRef.current === loginKey(profileId, name)) return;
    const timer = window.setTimeout(() => void checkSaved(profileId, name), SAVED_CHECK_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [username, profileId, checkSaved]);

  const checkNow = () => {
    const name = username.trim();
    if (profileId && plausibleUsername(name) && askedRef.current !== loginKey(profileId, name)) void checkSaved(profileId, name);
  };

  useEffect(() => {
    if (forgetting === 'ask') keepRef.current?.focus();
  }, [forgetting]);

  const forget = async () => {
    if (!profileId || !currentKey) return;
    const name = username.trim();
    setForgetting('busy');
    const result = await safely(() => registry().forgetPassword({ profileId, username: name }));
    setForgetting(null);
    if (result.ok) {
      setSaved({ key: currentKey, state: 'none' });
      rememberTouched.current = false;
      setRemember(false);
      status.info(`The password for ${name} is no longer saved in this computer’s keychain. Type it the next time you sign in.`);
      window.setTimeout(() => passwordRef.current?.focus(), 0);
    } else {
      setErrors((e) => ({ ...e, password: result.message }));
    }
  };

  // A profile that does not offer the chosen protocol falls back to its first one.
  useEffect(() => {
    if (profile && !profile.endpoints.some((e) => e.protocol === protocol)) {
      const first = profile.endpoints[0];
      if (first) setProtocol(first.protocol);
    }
  }, [profile, protocol]);

  const label = profile?.usernameLabel ?? 'Username';
  const protocols = profile ? profile.endpoints : [];

  const validate = (): FieldErrors => {
    const found: FieldErrors = {};
    const name = username.trim();
    if (!name) found.username = `Enter your ${label.toLowerCase()}.`;
    else if (/\s/.test(name)) found.username = `The ${label.toLowerCase()} cannot contain spaces.`;
    if (needsPassword && !passwordRef.current?.value && !hasSaved) found.password = 'Enter your password.';
    return found;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (connecting || !profile) return;
    const found = validate();
    // Connect pressed before the keychain answered: ask it now rather than call the password missing.
    if (found.password && savedHere === null && profileId && !found.username && (await checkSaved(profileId, username.trim()))) {
      delete found.password;
    }
    setErrors(found);
    if (found.username) {
      usernameRef.current?.focus();
      return;
    }
    if (found.password) {
      passwordRef.current?.focus();
      return;
    }
    if (usedMethod !== 'password' && accountHere !== null && accountHere.key === null) {
      // No key yet for this login: set one up first (nothing is sent).
      setKeyDialogOpen(true);
      return;
    }
    const field = passwordRef.current;
    const password = needsPassword ? (field?.value ?? '') : '';
    // Handed over once: the field is emptied before the sign-in ends (it may wait for a new password).
    if (field) field.value = '';
    const outcome: ConnectOutcome = await onConnect({
      protocol,
      username: username.trim(),
      ...(password !== '' ? { password } : {}),
      rememberPassword: needsPassword && remember && !keychainMissing,
      ...(protocol === 'sftp' ? { signInMethod: usedMethod } : {}),
    });
    // After a refusal the password has to be typed again: put the cursor there.
    if (outcome === 'failed') window.setTimeout(() => passwordRef.current?.focus(), 0);
  };

  const passwordDescribedBy = [hasSaved ? ids.passwordSaved : '', errors.password ? ids.passwordError : ''].filter(Boolean).join(' ') || undefined;

  return (
    <>
      <form className="connect-form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={connecting ? ids.progress : undefined}>
        <h3 className="form-title">Sign in to the registry</h3>
        {showFailure ? (
          <div className="connect-failure" role="group" aria-label="The last sign-in failed">
            <p>{failure.message}</p>
            <button type="button" className="button button-small" onClick={() => setDiagnoseOpen(true)} disabled={!profile}>
              Check my connection…
            </button>
          </div>
        ) : null}

        <div className="field">
          <label htmlFor={ids.profile}>Registry</label>
          <select id={ids.profile} value={profile?.id ?? ''} onChange={(e) => onChooseProfile(e.target.value)} disabled={connecting}>
            {profiles.length === 0 ? <option value="">Loading registries…</option> : null}
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>

        {protocols.length > 0 ? (
          <fieldset className="field protocol-field" disabled={connecting}>
            <legend>Protocol</legend>
            <div className="protocol-options">
              {protocols.map((endpoint) => {
                const optionId = `${ids.protocol}-${endpoint.protocol}`;
                return (
                  <label key={endpoint.protocol} className={`protocol-option${protocol === endpoint.protocol ? ' is-checked' : ''}`} htmlFor={optionId}>
                    <input
                      id={optionId}
                      type="radio"
                      name="protocol"
                      value={endpoint.protocol}
                      checked={protocol === endpoint.protocol}
                      onChange={() => setProtocol(endpoint.protocol)}
                    />
                    <span className="protocol-text">
                      <span className="protocol-name">{protocolName(endpoint.protocol)}</span>
                      <span className="protocol-where">{endpointWords(endpoint)}</span>
                    </span>
                  </label>
                );
              })}
            </div>
          </fieldset>
        ) : null}

        <div className="field">
          <label htmlFor={ids.username}>{label}</label>
          <input
            ref={usernameRef}
            id={ids.username}
            type="text"
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="characters"
            value={username}
            readOnly={connecting}
            onChange={(e) => {
              setUsername(e.target.value);
              if (errors.username) setErrors({ ...errors, username: undefined });
            }}
            onBlur={checkNow}
            aria-invalid={errors.username ? true : undefined}
            aria-describedby={[profile?.usernameHint ? ids.usernameHint : '', errors.username ? ids.usernameError : ''].filter(Boolean).join(' ') || undefined}
          />
          {profile?.usernameHint ? (
            <p id={ids.usernameHint} className="help">
              {profile.usernameHint}
            </p>
          ) : null}
          {errors.username ? (
            <p id={ids.usernameError} className="field-error">
              {errors.username}
            </p>
          ) : null}
        </div>

        {needsPassword ? (
          <div className="field">
            <label htmlFor={ids.password}>Password</label>
            <input
              ref={passwordRef}
              id={ids.password}
              type="password"
              autoComplete="off"
              readOnly={connecting}
              placeholder={hasSaved ? 'Saved — leave empty to use it' : undefined}
              onChange={() => {
                if (errors.password) setErrors({ ...errors, password: undefined });
              }}
              aria-invalid={errors.password ? true : undefined}
              aria-describedby={passwordDescribedBy}
            />
            {hasSaved ? (
              <div className="saved-password">
                <p id={ids.passwordSaved} className="help saved-hint">
                  <KeyIcon />
                  Saved in this computer’s keychain. Leave the password empty to use it.
                </p>
                <button ref={forgetButtonRef} type="button" className="link-button" onClick={() => setForgetting('ask')} disabled={connecting || forgetting !== null}>
                  Forget saved password
                </button>
              </div>
            ) : null}
            {errors.password ? (
              <p id={ids.passwordError} className="field-error">
                {errors.password}
              </p>
            ) : null}
          </div>

        ) : null}

        {/* Busy until the keychain has answered for this login: its answer may tick the box by itself. */}
        {needsPassword ? (
          <div className="field remember-field" aria-busy={currentKey !== null && savedHere === null ? true : undefined}>
            <label className="checkbox" htmlFor={ids.remember}>
              <input
                id={ids.remember}
                type="checkbox"
                checked={remember && !keychainMissing}
                disabled={connecting || keychainMissing}
                onChange={(e) => {
                  rememberTouched.current = true;
                  setRemember(e.target.checked);
                }}
                aria-describedby={ids.rememberHint}
              />
              Remember on this computer
            </label>
            <p id={ids.rememberHint} className="help">
              {savedHere?.state === 'unavailable'
                ? `${savedHere.message} The password cannot be remembered; type it each time.`
                : 'The password is kept in this computer’s keychain, never in the app’s own files.'}
            </p>
          </div>
        ) : null}

        {protocol === 'sftp' ? (
          <div className="field">
            <label htmlFor={ids.method}>Sign in with</label>
            <select
              id={ids.method}
              value={method}
              disabled={connecting}
              onChange={(e) => {
                methodChosenFor.current = currentKey ?? NO_LOGIN;
                setMethod(e.target.value as SignInMethod);
              }}
              aria-describedby={`${ids.method}-hint${method !== 'password' ? ` ${ids.keyLine}` : ''}`}
            >
              {(['password', 'key', 'key+password'] as const).map((m) => (
                <option key={m} value={m}>
                  {METHOD_WORDS[m].name}
                </option>
              ))}
            </select>
            <p id={`${ids.method}-hint`} className="help">
              {METHOD_WORDS[method].detail}
            </p>
            {method !== 'password' ? (
              <div id={ids.keyLine} className="key-summary">
                {accountHere?.key ? (
                  <>
                    <span>{accountHere.key.madeByApp ? 'Key made by this app' : `Key ${accountHere.key.fileName}`}, fingerprint</span>
                    <FingerprintText value={accountHere.key.fingerprint} />
                  </>
                ) : accountHere?.keyProblem ? (
                  <span className="field-error">{accountHere.keyProblem}</span>
                ) : currentKey ? (
                  <span>This {label.toLowerCase()} has no key on this computer yet.</span>
                ) : (
                  <span>Enter your {label.toLowerCase()} first: each login has its own key.</span>
                )}
                <button type="button" className="link-button" onClick={() => setKeyDialogOpen(true)} disabled={currentKey === null}>
                  {accountHere?.key ? 'Show public key…' : 'Set up a key…'}
                </button>
              </div>
            ) : null}
          </div>
        ) : null}

        <div className="form-actions">
          <button ref={connectRef} type="submit" className="button button-primary" disabled={connecting || !profile}>
            {connecting ? 'Connecting…' : 'Connect'}
          </button>
          {connecting ? (
            <span id={ids.progress} className="busy">
              <span className="spinner" aria-hidden="true" />
              {progress ?? 'Connecting…'}
            </span>
          ) : null}
          <button type="button" className="link-button forgot-link" onClick={() => setForgotOpen(true)} disabled={!profile}>
            Forgot password?
          </button>
        </div>
        {showFailure ? null : (
          <p className="help diagnose-link">
            Cannot connect?{' '}
            <button type="button" className="link-button" onClick={() => setDiagnoseOpen(true)} disabled={!profile || connecting}>
              Check my connection…
            </button>
          </p>
        )}
      </form>

      {forgetting !== null && profile ? (
        <Modal title="Forget the saved password?" onEscape={() => forgetting === 'ask' && setForgetting(null)} initialFocus={keepRef} describedBy={ids.forgetText}>
          <div id={ids.forgetText} className="modal-body">
            <p>
              Remove the password for <strong>{username.trim()}</strong> at {profile.name} from this computer’s keychain? You will need to type it
              the next time you sign in. The password itself does not change.
            </p>
          </div>
          <div className="modal-actions">
            <span className="actions-spacer" />
            <button ref={keepRef} type="button" className="button" onClick={() => setForgetting(null)} disabled={forgetting === 'busy'}>
              Keep it
            </button>
            <button type="button" className="button button-danger" onClick={() => void forget()} disabled={forgetting === 'busy'}>
              {forgetting === 'busy' ? 'Forgetting…' : 'Forget password'}
            </button>
          </div>
        </Modal>
      ) : null}
      {forgotOpen && profile ? <ForgotPasswordDialog profile={profile} onClose={() => setForgotOpen(false)} /> : null}
      {diagnoseOpen && profile ? (
        <DiagnoseDialog profile={profile} protocol={protocol} username={plausibleUsername(username.trim()) ? username.trim() : null} onClose={() => setDiagnoseOpen(false)} />
      ) : null}
      {keyDialogOpen && profile && currentKey ? (
        <SignInKeyDialog
          profile={profile}
          username={username.trim()}
          account={accountHere}
          onChanged={(value) => setAccount({ key: currentKey, value })}
          onClose={() => setKeyDialogOpen(false)}
        />
      ) : null}
    </>
  );
}
