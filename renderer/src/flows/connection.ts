// Signing in and out, the registries and the app's version, the registry's web client, and answers to
// the engine's trust questions. Plain functions of the flow context (the store and the registry), so
// they run in unit tests without a browser; components call them through useFlow.
import type { IdentityRequest, Protocol, SignInMethod, TrustAnswer } from '../../../shared/contract';
import { safely } from '../registry';
import type { FlowContext } from '../store/context';
import { activeProfile } from '../store/state';

/** `failed`: not connected; the sign-in form puts the cursor in the password field (typed again). */
export type ConnectOutcome = 'connected' | 'failed';

export interface ConnectRequest {
  protocol: Protocol;
  username: string;
  /** Absent: use the password saved in the keychain. */
  password?: string;
  rememberPassword: boolean;
  /** SFTP: by password, key, or key and password (the account's key is the engine's to open). */
  signInMethod?: SignInMethod;
}

/** The registries and the app's version, read once when the window opens. */
export async function loadStart({ registry, dispatch }: FlowContext): Promise<void> {
  const [listed, info] = await Promise.all([safely(() => registry().listProfiles({})), safely(() => registry().getAppInfo({}))]);
  dispatch({ type: 'started', profiles: listed.ok ? listed.profiles : null, startWith: listed.ok ? listed.startWith : null, version: info.ok ? info.version : null });
  if (!listed.ok) dispatch({ type: 'status', status: { tone: 'error', text: listed.message } });
}

/**
 * Sign in. The password goes to the engine once and is not kept here. When the registry demands a new
 * password, the engine asks with a request (the change dialog answers it) and this call waits meanwhile.
 */
export async function connect({ registry, dispatch, getState }: FlowContext, { protocol, username, password, rememberPassword, signInMethod }: ConnectRequest): Promise<ConnectOutcome> {
  const profile = activeProfile(getState());
  if (!profile) return 'failed';
  dispatch({ type: 'sign-in-started', progress: `Connecting to ${profile.name}…` });
  const result = await safely(() =>
    registry().connect({
      profileId: profile.id,
      protocol,
      username,
      ...(password !== undefined ? { password } : {}),
      rememberPassword,
      ...(signInMethod !== undefined ? { signInMethod } : {}),
    }),
  );
  dispatch({ type: 'sign-in-finished', result });
  return result.ok ? 'connected' : 'failed';
}

export async function disconnect({ registry, dispatch }: FlowContext): Promise<void> {
  dispatch({ type: 'disconnect-started' });
  const result = await safely(() => registry().disconnect({}));
  dispatch({ type: 'disconnect-finished', result });
}

export async function openWebClient({ registry, dispatch, getState }: FlowContext): Promise<void> {
  const profile = activeProfile(getState());
  if (!profile) return;
  const result = await safely(() => registry().openWebClient({ profileId: profile.id }));
  dispatch({
    type: 'status',
    status: result.ok ? { tone: 'info', text: `Opened ${profile.name}’s web page in your browser: ${result.url}` } : { tone: 'error', text: result.message },
  });
}

export async function answerIdentity({ registry, dispatch }: FlowContext, request: IdentityRequest, answer: TrustAnswer): Promise<void> {
  const result = await safely(() => registry().answerRequest({ id: request.id, answer }));
  dispatch({ type: 'identity-answered', id: request.id });
  if (!result.ok) dispatch({ type: 'status', status: { tone: 'error', text: result.message } });
}
