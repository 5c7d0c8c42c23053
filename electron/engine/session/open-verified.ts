// Open a connection to a registry only after its identity (SSH host key, later TLS certificate) is
// trusted. An unknown or changed identity closes the first connection before any credential is sent,
// asks the user (or the CLI's --trust), and only then connects again, pinned to the accepted identity.
// Asking outside the connection also keeps ssh2's readyTimeout from running while the user reads.
import type { Protocol, TrustAnswer } from '../../../shared/contract';
import { endpointFor, type Profile, type ProfileEndpoint } from '../profiles';
import { openFtps } from '../remote/ftps';
import type { ServerClocks } from '../remote/server-clocks';
import { openSftp } from '../remote/sftp';
import { RemoteError, type PasswordChangeStep, type RemoteFs } from '../remote/remote-fs';
import type { ParsedKey } from 'ssh2';
import type { LeftoverJournal } from '../transfers/leftover-journal';
import { sameFingerprint } from '../trust/fingerprint';
import type { SeenIdentity, TrustDecision, TrustStore } from '../trust/trust-store';

export interface OpenRequest {
  profile: Profile;
  protocol: Protocol;
  username: string;
  password: string;
  /** Point the profile at another server (CLI --host/--port); its folders and rules stay. */
  endpointOverride?: { host?: string; port?: number };
  timeoutSeconds?: number;
  /**
   * The new password to answer a server's change demand with (SFTP: the server's prompt; FTPS: reply
   * 560, answered with `PASS old new`). Only for the one login that changes it; a request kept to
   * reopen a connection later never carries it.
   */
  newPassword?: string;
  /** Where a demanded password change stands (see PasswordChangeStep). */
  onPasswordChange?: (step: PasswordChangeStep) => void;
  /** A private key for SFTP, opened before connecting (its passphrase already checked). */
  key?: ParsedKey;
  /** What is known of FTP servers' LIST clocks (set from OpenDeps). */
  clocks?: ServerClocks;
}

/** Asks whoever is there (the window, or the CLI's --trust) whether to accept an identity. */
export type IdentityAsker = (seen: SeenIdentity, decision: Exclude<TrustDecision, { status: 'trusted' }>) => Promise<TrustAnswer>;

export interface OpenDeps {
  trust: TrustStore;
  ask: IdentityAsker;
  /** Identities allowed for this session only ("Allow this connection only"). */
  allowedOnce: Set<string>;
  /** What is known of FTP servers' LIST clocks, kept in the settings. */
  clocks?: ServerClocks;
  /** Temporary upload files left behind earlier: removed as soon as the account is reached again. */
  leftovers?: LeftoverJournal;
  /**
   * An identity the app vouches for itself, without asking: the practice registry's own key and
   * certificate, which this app made and keeps in its data folder.
   */
  vouched?: (seen: SeenIdentity) => boolean;
}

export interface OpenedConnection {
  fs: RemoteFs;
  host: string;
  port: number;
  identity: SeenIdentity;
}

const onceKey = (s: SeenIdentity) => `${s.kind}|${s.host.toLowerCase()}|${s.port}|${s.fingerprint}`;

export function resolveEndpoint(request: OpenRequest): ProfileEndpoint & { timeoutSeconds: number } {
  const endpoint = endpointFor(request.profile, request.protocol);
  if (!endpoint) {
    throw new RemoteError('invalid-input', `${request.profile.name} does not offer ${request.protocol.toUpperCase()}.`);
  }
  return {
    ...endpoint,
    host: request.endpointOverride?.host ?? endpoint.host,
    port: request.endpointOverride?.port ?? endpoint.port,
    timeoutSeconds: request.timeoutSeconds ?? request.profile.network.timeoutSeconds,
  };
}

/**
 * One connection to the request's endpoint, its identity shown to `verifyIdentity` before anything
 * else is sent (a false answer ends it there, with RemoteError 'identity-unknown').
 */
function connectTo(request: OpenRequest, verifyIdentity: (seen: SeenIdentity) => boolean): Promise<RemoteFs> {
  const endpoint = resolveEndpoint(request);
  // A key is an SFTP sign-in: said before anything is sent, rather than signing in without it.
  if (request.key && endpoint.protocol !== 'sftp') {
    throw new RemoteError('invalid-input', 'A key signs in over SFTP only. Choose SFTP, or sign in over FTPS with the password alone.');
  }
  const { host, port, timeoutSeconds } = endpoint;
  const common = {
    host,
    port,
    username: request.username,
    password: request.password,
    timeoutSeconds,
    errorContext: { usernameLabel: request.profile.username.label, supportTeam: request.profile.support.team },
  };
  if (endpoint.protocol === 'sftp') {
    const sftp = (mayChangePassword: boolean) =>
      openSftp({
        ...common,
        verifyIdentity,
        ...(request.key ? { key: request.key } : {}),
        mayChangePassword,
        ...(request.newPassword !== undefined ? { newPassword: request.newPassword } : {}),
        ...(request.onPasswordChange ? { onPasswordChange: request.onPasswordChange } : {}),
      });
    if (request.profile.passwordChange.requiredAtFirstLogin || request.newPassword !== undefined) return sftp(true);
    if (request.password === '') return sftp(false);
    return sftp(false).catch((error: unknown) => {
      // OpenSSH with PAM takes an expired password by the "password" method, then ends the session
      // it cannot change it in, before SFTP starts: the password was right, so one more sign-in, by
      // keyboard-interactive, lets PAM ask for the new one (whatever the profile says of changes).
      if (error instanceof RemoteError && /while establishing SFTP session/i.test(`${error.message} ${error.detail ?? ''}`)) return sftp(true);
      throw error;
    });
  }
  return openFtps({
    ...common,
    tls: endpoint.tls ?? 'explicit',
    minVersion: request.profile.tlsMinVersion,
    ...(endpoint.passivePorts ? { passivePorts: endpoint.passivePorts } : {}),
    verifyIdentity,
    ...(request.newPassword !== undefined ? { newPassword: request.newPassword } : {}),
    ...(request.onPasswordChange ? { onPasswordChange: request.onPasswordChange } : {}),
    ...(request.clocks ? { clocks: request.clocks } : {}),
  });
}

/**
 * What the server shows before any credential: its host key or certificate (the connection check's
 * handshake step). The connection is the one sign-in would make (same TLS versions, same SSH
 * algorithms), ended as soon as the identity is seen: no username, no password is sent. A server
 * that fails before that throws the same RemoteError a sign-in would.
 */
export async function probeIdentity(request: Omit<OpenRequest, 'password'>): Promise<SeenIdentity> {
  let seen: SeenIdentity | undefined;
  try {
    const fs = await connectTo({ ...request, password: '' }, (s) => {
      seen = s;
      return false;
    });
    // Not reached: a refused identity ends the connection. Closed all the same, should a server get here.
    await fs.close();
  } catch (error) {
    if (seen && error instanceof RemoteError && error.code === 'identity-unknown') return seen;
    throw error;
  }
  if (seen) return seen;
  throw new RemoteError('internal', 'The server showed no identity.');
}

export async function openVerified(request: OpenRequest, deps: OpenDeps): Promise<OpenedConnection> {
  const { host, port } = resolveEndpoint(request);
  const open = (verifyIdentity: (seen: SeenIdentity) => boolean): Promise<RemoteFs> => connectTo(deps.clocks ? { ...request, clocks: deps.clocks } : request, verifyIdentity);

  const opened = async (fs: RemoteFs, identity: SeenIdentity): Promise<OpenedConnection> => {
    await deps.leftovers?.finish(fs, { profileId: request.profile.id, host, port, username: request.username });
    return { fs, host, port, identity };
  };

  let seen: SeenIdentity | undefined;
  let decision: TrustDecision | undefined;
  try {
    const fs = await open((s) => {
      seen = s;
      decision = deps.trust.decide(s);
      return deps.vouched?.(s) === true || decision.status === 'trusted' || deps.allowedOnce.has(onceKey(s));
    });
    return await opened(fs, seen as SeenIdentity);
  } catch (error) {
    if (!(error instanceof RemoteError && error.code === 'identity-unknown' && seen && decision && decision.status !== 'trusted')) {
      throw error;
    }
  }

  const presented: SeenIdentity = seen;
  const answer = await deps.ask(presented, decision);
  if (answer === 'deny') {
    throw new RemoteError(
      'identity-denied',
      decision.status === 'changed'
        ? `Not connected: the identity of ${host} has changed since you trusted it, and it was not accepted.`
        : `Not connected: you chose not to allow the connection to ${host}. Nothing was sent to it.`,
      `Server ${host}:${port} presented ${presented.fingerprint}.`,
    );
  }
  if (answer === 'trust') deps.trust.trust(presented);
  else deps.allowedOnce.add(onceKey(presented));

  let second: SeenIdentity | undefined;
  try {
    const fs = await open((s) => {
      second = s;
      return sameFingerprint(s.fingerprint, presented.fingerprint);
    });
    return await opened(fs, presented);
  } catch (error) {
    if (error instanceof RemoteError && error.code === 'identity-unknown' && second) {
      throw new RemoteError(
        'identity-changed',
        `Not connected: ${host} showed a different identity the second time it was asked. Someone may be between this computer and the registry; tell your IT.`,
        `Accepted ${presented.fingerprint}, then saw ${second.fingerprint}.`,
      );
    }
    throw error;
  }
}
