// The password-change flow, for the change dialog. Three reasons open it: the registry demands a new
// password at sign-in (the engine's new-password request: the sign-in waits in the main process with
// the password it was started with, and the dialog answers the request), a first login the registry
// wants changed, or the user's own choice (both changed on the open connection). The window hands a
// new password over once and keeps none.
import { useMemo } from 'react';
import { safely } from '../registry';
import { useFlowContext, useWindow, type FlowContext } from '../store/context';
import { profileById, type PasswordChange } from '../store/state';

/**
 * `done`: the dialog's job is over (the store closes it). `answered`: the new password went to the
 * sign-in waiting in the app; the dialog waits until it ends (the dialog closes) or the new password is
 * refused (the request comes again with `problem`). Otherwise the message is shown in the dialog.
 */
export type ChangeOutcome = { done: true } | { answered: true } | { done: false; message: string };
export type PageOutcome = { ok: true; message: string } | { ok: false; message: string };

const NOTHING_TO_CHANGE = 'Nothing to change.';
/** Refused by the app's checks or by the registry: nothing changed, so choose again in the dialog. */
const choosesAgain = (code: string) => code === 'password-change-required' || code === 'invalid-input';

/** "Change password…": for the connected account (the first-login change while it is still due). */
export function startPasswordChange({ dispatch }: FlowContext): void {
  dispatch({ type: 'password-change-started' });
}

/** The new password: the answer to the registry's demand, or a change on the open connection. */
export async function submitNewPassword({ registry, dispatch, getState }: FlowContext, newPassword: string): Promise<ChangeOutcome> {
  const change = getState().passwordChange;
  if (!change) return { done: false, message: NOTHING_TO_CHANGE };
  if (change.reason === 'demanded') {
    if (!change.request) return { done: false, message: NOTHING_TO_CHANGE };
    const answered = await safely(() => registry().answerRequest({ id: change.request!.id, answer: { newPassword } }));
    return answered.ok ? { answered: true } : { done: false, message: answered.message };
  }
  const result = await safely(() => registry().changePassword({ newPassword }));
  if (result.ok) {
    dispatch({ type: 'password-changed', after: { tone: 'ok', text: [result.message, ...result.notices].join(' ') } });
    return { done: true };
  }
  if (choosesAgain(result.code)) return { done: false, message: result.message };
  dispatch({ type: 'password-change-closed', after: { tone: 'error', text: result.message } });
  return { done: true };
}

const accountOf = (change: PasswordChange) => ({ profileId: change.profileId, protocol: change.protocol, username: change.username });

/** The registry's own page, opened in the browser (for a login that may not be signed in yet). */
export async function openPasswordPage({ registry, getState }: FlowContext): Promise<PageOutcome> {
  const change = getState().passwordChange;
  if (!change) return { ok: false, message: NOTHING_TO_CHANGE };
  const result = await safely(() => registry().changePassword(change.reason === 'demanded' ? { account: accountOf(change) } : {}));
  return result.ok ? { ok: true, message: result.message } : { ok: false, message: result.message };
}

/** The new password chosen on the registry's page: kept (as pending) for the next sign-in to prove. */
export async function storeChosenPassword({ registry, dispatch, getState }: FlowContext, newPassword: string): Promise<PageOutcome> {
  const change = getState().passwordChange;
  if (!change) return { ok: false, message: NOTHING_TO_CHANGE };
  const result = await safely(() =>
    registry().storeChangedPassword(change.reason === 'demanded' ? { newPassword, profileId: change.profileId, username: change.username } : { newPassword }),
  );
  if (!result.ok) return { ok: false, message: result.message };
  dispatch({ type: 'password-kept', after: { tone: result.saved ? 'ok' : 'info', text: result.message } });
  return { ok: true, message: result.message };
}

/** First login: the password was already changed elsewhere, so the app stops asking. */
export async function markAlreadyChanged({ registry, dispatch }: FlowContext): Promise<PageOutcome> {
  const result = await safely(() => registry().markPasswordChanged({}));
  if (!result.ok) return { ok: false, message: result.message };
  dispatch({ type: 'password-changed', connection: result.connection, after: { tone: 'ok', text: result.message } });
  return { ok: true, message: result.message };
}

/**
 * The dialog closes without a new password given here: a demanded change answers its request 'deny'
 * (the waiting sign-in then ends, "not signed in, nothing changed"); a first login is put off.
 */
export async function closePasswordChange({ registry, dispatch, getState }: FlowContext): Promise<void> {
  const request = getState().passwordChange?.request;
  dispatch({ type: 'password-change-closed' });
  // Already ended (its time ran out, or the sign-in ended): there is nothing left to answer.
  if (request) await safely(() => registry().answerRequest({ id: request.id, answer: 'deny' }));
}

/** The change under way (with its registry), and what the change dialog can do about it. */
export function usePasswordChange() {
  const ctx = useFlowContext();
  const state = useWindow();
  const change = state.passwordChange;
  const actions = useMemo(
    () => ({
      start: () => startPasswordChange(ctx),
      submit: (newPassword: string) => submitNewPassword(ctx, newPassword),
      openPage: () => openPasswordPage(ctx),
      storeChosen: (newPassword: string) => storeChosenPassword(ctx, newPassword),
      markChanged: () => markAlreadyChanged(ctx),
      close: () => void closePasswordChange(ctx),
    }),
    [ctx],
  );
  return { change, profile: change ? profileById(state, change.profileId) : null, ...actions };
}
