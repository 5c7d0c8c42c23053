// Connecting to a registry: which registry, which protocol (as its profile offers), the login it
// names ("Import code" for Texas) and the password. The password is read from the field when the
// form is sent and the field is emptied as soon as the connect call returns: the window never keeps it.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Endpoint, ProfileSummary, Protocol } from '../../../shared/contract';

interface ConnectFormProps {
  profiles: ProfileSummary[];
  profile: ProfileSummary | null;
  onChooseProfile: (id: string) => void;
  connecting: boolean;
  /** What the engine says it is doing ("Connecting to …"). */
  progress: string | null;
  /** Resolves true when connected. */
  onConnect: (request: { protocol: Protocol; username: string; password: string }) => Promise<boolean>;
}

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

export function ConnectForm({ profiles, profile, onChooseProfile, connecting, progress, onConnect }: ConnectFormProps) {
  const [protocol, setProtocol] = useState<Protocol>('sftp');
  const [username, setUsername] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const passwordRef = useRef<HTMLInputElement>(null);
  const usernameRef = useRef<HTMLInputElement>(null);
  const ids = {
    profile: useId(),
    username: useId(),
    usernameHint: useId(),
    usernameError: useId(),
    password: useId(),
    passwordError: useId(),
    protocol: useId(),
    progress: useId(),
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
    if (!passwordRef.current?.value) found.password = 'Enter your password.';
    return found;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (connecting || !profile) return;
    const found = validate();
    setErrors(found);
    if (found.username) {
      usernameRef.current?.focus();
      return;
    }
    if (found.password) {
      passwordRef.current?.focus();
      return;
    }
    const field = passwordRef.current;
    const password = field?.value ?? '';
    let connected = false;
    try {
      connected = await onConnect({ protocol, username: username.trim(), password });
    } finally {
      if (field) field.value = '';
    }
    // After a refusal the password has to be typed again: put the cursor there.
    if (!connected) window.setTimeout(() => passwordRef.current?.focus(), 0);
  };

  return (
    <form className="connect-form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={connecting ? ids.progress : undefined}>
      <h3 className="form-title">Sign in to the registry</h3>

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

      <div className="field">
        <label htmlFor={ids.password}>Password</label>
        <input
          ref={passwordRef}
          id={ids.password}
          type="password"
          autoComplete="off"
          readOnly={connecting}
          onChange={() => {
            if (errors.password) setErrors({ ...errors, password: undefined });
          }}
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={errors.password ? ids.passwordError : undefined}
        />
        {errors.password ? (
          <p id={ids.passwordError} className="field-error">
            {errors.password}
          </p>
        ) : null}
      </div>

      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={connecting || !profile}>
          {connecting ? 'Connecting…' : 'Connect'}
        </button>
        {connecting ? (
          <span id={ids.progress} className="busy">
            <span className="spinner" aria-hidden="true" />
            {progress ?? 'Connecting…'}
          </span>
        ) : null}
      </div>
    </form>
  );
}
