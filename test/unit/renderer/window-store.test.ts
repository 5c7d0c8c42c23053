// The window's store without a browser: the reducer fed the engine's events and the flows' results,
// and the password-change and upload-check flows run against a fake registry (what they call, what
// the window then shows). What a user sees is asserted: the status line, the dialog that is open,
// the transfers' batch, which folder is listed again.
import { describe, expect, it } from 'vitest';
import type { CallResults, ConnectionInfo, ProfileSummary, RegistryApi, RegistryEvent, TransferStatus, UploadCheck } from '../../../shared/contract';
import { DEFAULT_PASSWORD_RULES } from '../../../shared/password-rules';
import { closePasswordChange, openPasswordPage, storeChosenPassword, submitNewPassword } from '../../../renderer/src/flows/password-change';
import { connect } from '../../../renderer/src/flows/connection';
import { sendChecked, startUpload } from '../../../renderer/src/flows/upload-check';
import { createWindowStore, type FlowContext, type WindowStore } from '../../../renderer/src/store/context';
import { reduce } from '../../../renderer/src/store/reducer';
import { currentBatch, initialState, type WindowState } from '../../../renderer/src/store/state';

const profile: ProfileSummary = {
  id: 'texas',
  name: 'Texas ImmTrac2',
  builtIn: true,
  endpoints: [{ protocol: 'sftp', host: 'sftp.example.org', port: 22 }],
  usernameLabel: 'Import code',
  usernameHint: '',
  folders: [],
  quotaFiles: 300,
  retentionDays: 180,
  reportFormats: ['text', 'html'],
  webClientUrl: null,
  support: { team: 'Texas support' },
  publicKeyInstructions: 'Send the public key to Texas support.',
  network: { timeoutSeconds: 65, retries: 0, keepAlive: false, disconnectAfterTransfers: true },
  passwordChange: { requiredAtFirstLogin: true, webPageUrl: 'https://example.org/password', rules: DEFAULT_PASSWORD_RULES, methods: { sftp: 'server-prompt', ftps: 'web-page' } },
};

const connection = (over: Partial<ConnectionInfo> = {}): ConnectionInfo => ({
  profileId: 'texas',
  profileName: 'Texas ImmTrac2',
  protocol: 'sftp',
  host: 'sftp.example.org',
  port: 22,
  username: 'ABC123',
  folders: [
    { role: 'dropoff', name: 'HL7-Dropoff', rights: ['list', 'write', 'delete'], description: '', path: '/HL7-Dropoff' },
    { role: 'reports', name: 'DQA-Reports', rights: ['list', 'read'], description: '', path: '/DQA-Reports' },
  ],
  fingerprint: 'SHA256:abc',
  hasSavedPassword: false,
  passwordChangeDue: false,
  signInMethod: 'password',
  ...over,
});

const transfer = (id: string, state: TransferStatus['state'], over: Partial<TransferStatus> = {}): TransferStatus => ({
  id,
  direction: 'upload',
  name: `${id}.hl7`,
  folder: 'dropoff',
  state,
  bytes: 0,
  total: 100,
  bytesPerSecond: null,
  secondsLeft: null,
  message: state === 'done' ? `Delivered ${id}.hl7 to HL7-Dropoff.` : state === 'failed' ? 'The connection dropped.' : 'Sending…',
  ...over,
});

const started: WindowState = reduce(initialState, { type: 'started', profiles: [profile], version: '1.0.0' });
const run = (state: WindowState, ...events: RegistryEvent[]) => events.reduce((s, event) => reduce(s, { type: 'event', event }), state);
const newPasswordRequest = (id: string, problem?: string): RegistryEvent => ({
  type: 'request',
  request: { id, kind: 'new-password', profileId: 'texas', profileName: 'Texas ImmTrac2', protocol: 'sftp', username: 'ABC123', timeoutSeconds: 300, ...(problem ? { problem } : {}) },
});

describe('the reducer', () => {
  it('batches transfers started together, says how each ended, and marks the upload folder out of date when a file lands', () => {
    let s = run(reduce(started, { type: 'sign-in-finished', result: { ok: true, connection: connection(), notices: [] } }),
      { type: 'transfer', transfer: transfer('a', 'sending') },
      { type: 'transfer', transfer: transfer('b', 'queued') });
    expect(currentBatch(s.transfers).map((t) => t.id)).toEqual(['a', 'b']);
    s = run(s, { type: 'transfer', transfer: transfer('a', 'done') });
    expect(s.status).toEqual({ tone: 'ok', text: 'Delivered a.hl7 to HL7-Dropoff.' });
    expect(s.browse.stale).toEqual(['dropoff']);
    // The window's call answers late with an older state of a transfer it already heard of: not taken.
    s = reduce(s, { type: 'transfer-seen', transfer: transfer('a', 'queued'), fromCall: true, expectedSize: 100 });
    expect(s.transfers.list.find((t) => t.id === 'a')?.state).toBe('done');
    s = run(s, { type: 'transfer', transfer: transfer('b', 'failed') });
    expect(s.status).toEqual({ tone: 'error', text: 'b.hl7: The connection dropped.' });
    // Everything finished: the next file starts a batch of its own.
    s = run(s, { type: 'transfer', transfer: transfer('c', 'queued') });
    expect(currentBatch(s.transfers).map((t) => t.id)).toEqual(['c']);
    // Listing the folder again uses up the mark.
    expect(reduce(s, { type: 'folder-listed', role: 'dropoff' }).browse.stale).toEqual([]);
  });

  it('a new connection starts on its first folder; "Disconnected." replaces only a status that is no longer true', () => {
    let s = run(started, { type: 'connection', state: 'connected', message: 'Connected.', connection: connection() });
    expect(s.browse.active).toBe('dropoff');
    s = reduce(s, { type: 'folder-shown', role: 'reports' });
    // The same connection said again (a reconnect) keeps the folder shown.
    s = run(s, { type: 'connection', state: 'connected', message: 'Connected.', connection: connection() });
    expect(s.browse.active).toBe('reports');
    expect(reduce(s, { type: 'disconnect-finished', result: { ok: true } }).status).toEqual({ tone: 'idle', text: 'Disconnected.' });
    const problem = reduce(s, { type: 'status', status: { tone: 'error', text: 'The registry closed the connection.' } });
    expect(reduce(problem, { type: 'disconnect-finished', result: { ok: true } }).status.text).toBe('The registry closed the connection.');
  });

  it('offers the first-login change once per login: "Not now" puts it off until the app opens again', () => {
    const due = { ok: true as const, connection: connection({ passwordChangeDue: true }), notices: [] };
    let s = reduce(started, { type: 'sign-in-finished', result: due });
    expect(s.passwordChange).toMatchObject({ reason: 'first-login', way: 'web-page', notAsked: true });
    s = reduce(s, { type: 'password-change-closed' });
    expect(s.status.text).toContain('The password was not changed.');
    s = reduce(reduce(s, { type: 'disconnect-finished', result: { ok: true } }), { type: 'sign-in-finished', result: due });
    expect(s.passwordChange).toBeNull();
  });

  it('a new-password request opens the change dialog; asked again, it says why; a request that ran out closes it', () => {
    let s = reduce(started, { type: 'sign-in-started', progress: 'Connecting to Texas ImmTrac2…' });
    s = run(s, newPasswordRequest('r1'));
    expect(s.passwordChange).toMatchObject({ reason: 'demanded', way: 'form', username: 'ABC123', request: { id: 'r1' } });
    expect(s.status).toEqual({ tone: 'info', text: 'The registry asks you to choose a new password before you can sign in. Nothing has been changed yet.' });
    // Answered with a new password: the dialog waits.
    s = run(s, { type: 'request-closed', id: 'r1', answer: 'new-password-given' });
    expect(s.passwordChange?.request?.id).toBe('r1');
    s = run(s, newPasswordRequest('r2', 'The registry did not accept the new password: it was used before.'));
    expect(s.passwordChange).toMatchObject({ reason: 'demanded', request: { id: 'r2', problem: 'The registry did not accept the new password: it was used before.' } });
    s = run(s, { type: 'request-closed', id: 'r2', answer: 'deny' });
    expect(s.passwordChange).toBeNull();
  });
});

/** A registry whose calls the test answers; every call is recorded. */
function fakeRegistry(answers: Partial<{ [N in keyof CallResults]: (input: unknown) => Promise<CallResults[N]> }>) {
  const calls: { name: string; input: unknown }[] = [];
  const api = new Proxy({} as RegistryApi, {
    get: (_target, name: string) => (input: unknown) => {
      calls.push({ name, input });
      const answer = (answers as Record<string, ((input: unknown) => Promise<unknown>) | undefined>)[name];
      return answer ? answer(input) : Promise.resolve({ ok: true });
    },
  });
  return { api, calls };
}

function flowContext(store: WindowStore, api: RegistryApi): FlowContext {
  return { getState: store.getState, dispatch: store.dispatch, registry: () => api };
}

const emit = (store: WindowStore, event: RegistryEvent) => store.dispatch({ type: 'event', event });

describe('the password change the registry demands at sign-in', () => {
  it('answers the request with the new password, shows a refusal in the dialog, and on close answers deny; the window keeps no password', async () => {
    const store = createWindowStore(started);
    let endSignIn: (result: CallResults['connect']) => void = () => undefined;
    const { api, calls } = fakeRegistry({ connect: () => new Promise((resolve) => (endSignIn = resolve)) });
    const ctx = flowContext(store, api);

    const signingIn = connect(ctx, { protocol: 'sftp', username: 'ABC123', password: 'Issued-By-Registry-58!', rememberPassword: true });
    emit(store, newPasswordRequest('r1'));
    expect(store.getState().passwordChange?.reason).toBe('demanded');

    expect(await submitNewPassword(ctx, 'Issued-By-Registry-58!')).toEqual({ answered: true });
    expect(calls.at(-1)).toEqual({ name: 'answerRequest', input: { id: 'r1', answer: { newPassword: 'Issued-By-Registry-58!' } } });
    emit(store, { type: 'request-closed', id: 'r1', answer: 'new-password-given' });
    emit(store, newPasswordRequest('r2', 'The new password must be different from the current one. Nothing was changed.'));
    expect(store.getState().passwordChange?.request).toEqual({ id: 'r2', problem: 'The new password must be different from the current one. Nothing was changed.' });

    await closePasswordChange(ctx);
    expect(calls.at(-1)).toEqual({ name: 'answerRequest', input: { id: 'r2', answer: 'deny' } });
    expect(store.getState().passwordChange).toBeNull();
    endSignIn({ ok: false, code: 'password-change-required', message: 'Not signed in: the registry needs a new password first. Nothing was changed.' });
    expect(await signingIn).toBe('failed');
    expect(store.getState().status).toEqual({ tone: 'info', text: 'Not signed in: the registry needs a new password first. Nothing was changed.' });
    expect(store.getState().signIn).toBeNull();
    expect(JSON.stringify(store.getState())).not.toContain('Issued-By-Registry-58!');
  });

  it('signed in with the new password: the dialog closes and the status says what the registry said', async () => {
    const store = createWindowStore(started);
    let endSignIn: (result: CallResults['connect']) => void = () => undefined;
    const { api } = fakeRegistry({ connect: () => new Promise((resolve) => (endSignIn = resolve)) });
    const ctx = flowContext(store, api);
    const signingIn = connect(ctx, { protocol: 'sftp', username: 'ABC123', rememberPassword: false });
    emit(store, newPasswordRequest('r1'));
    expect(await submitNewPassword(ctx, 'Quiet-Heron-7731%')).toEqual({ answered: true });
    endSignIn({ ok: true, connection: connection(), notices: ['The registry accepted your new password.'] });
    expect(await signingIn).toBe('connected');
    expect(store.getState().passwordChange).toBeNull();
    expect(store.getState().status).toEqual({ tone: 'ok', text: 'Connected to Texas ImmTrac2 as ABC123. The registry accepted your new password.' });
    expect(JSON.stringify(store.getState())).not.toContain('Quiet-Heron-7731%');
  });

  it('the registry\'s page way: the page is opened and the password chosen there kept for that login; closing answers deny and the status keeps saying it was kept', async () => {
    const webPageProfile = { ...profile, passwordChange: { ...profile.passwordChange, methods: { sftp: 'web-page' as const, ftps: 'web-page' as const } } };
    const store = createWindowStore(reduce(initialState, { type: 'started', profiles: [webPageProfile], version: null }));
    let endSignIn: (result: CallResults['connect']) => void = () => undefined;
    const kept = 'The new password is saved in the system keychain. The next sign-in tries it.';
    const { api, calls } = fakeRegistry({
      connect: () => new Promise((resolve) => (endSignIn = resolve)),
      changePassword: async () => ({ ok: true, method: 'web-page', changed: false, message: 'The page is open.', notices: [] }),
      storeChangedPassword: async () => ({ ok: true, saved: true, message: kept }),
    });
    const ctx = flowContext(store, api);
    const signingIn = connect(ctx, { protocol: 'sftp', username: 'ABC123', password: 'old', rememberPassword: true });
    emit(store, newPasswordRequest('r1'));
    expect(store.getState().passwordChange?.way).toBe('web-page');
    await openPasswordPage(ctx);
    expect(calls.at(-1)).toEqual({ name: 'changePassword', input: { account: { profileId: 'texas', protocol: 'sftp', username: 'ABC123' } } });
    await storeChosenPassword(ctx, 'Chosen-On-Page-1!');
    expect(calls.at(-1)).toEqual({ name: 'storeChangedPassword', input: { newPassword: 'Chosen-On-Page-1!', profileId: 'texas', username: 'ABC123' } });
    await closePasswordChange(ctx);
    expect(calls.at(-1)).toEqual({ name: 'answerRequest', input: { id: 'r1', answer: 'deny' } });
    endSignIn({ ok: false, code: 'password-change-required', message: 'Not signed in: the registry needs a new password first. Nothing was changed.' });
    await signingIn;
    expect(store.getState().status).toEqual({ tone: 'ok', text: kept });
  });
});

describe('the upload checks', () => {
  const check = (localPath: string, fileName: string): UploadCheck => ({
    localPath, fileName, size: 2048, sha256: null, messageCount: 1, lines: [], canUpload: true, warningIds: [],
  });

  it('one check at a time: files given meanwhile are refused with a word; the chosen files are queued with their sizes', async () => {
    const store = createWindowStore(reduce(started, { type: 'sign-in-finished', result: { ok: true, connection: connection(), notices: [] } }));
    store.dispatch({ type: 'folder-shown', role: 'reports' });
    let finishCheck: () => void = () => undefined;
    const { api, calls } = fakeRegistry({
      checkUpload: (input) => new Promise((resolve) => (finishCheck = () => resolve({ ok: true, check: check((input as { localPath: string }).localPath, 'ABC123_1.hl7') }))),
      upload: async () => ({ ok: true, transfer: transfer('t1', 'queued', { total: 0 }) }),
    });
    const ctx = flowContext(store, api);
    const first = startUpload(ctx, ['/home/clinic/ABC123_1.hl7', '/home/clinic/ABC123_1.hl7']);
    // The upload folder is shown, so the file is seen to land.
    expect(store.getState().browse.active).toBe('dropoff');
    expect(store.getState().status).toEqual({ tone: 'busy', text: 'Checking ABC123_1.hl7…' });
    await startUpload(ctx, ['/home/clinic/ABC123_2.hl7']);
    expect(store.getState().status.text).toBe('Still checking the files from before. Send these again when that is done.');
    finishCheck();
    await first;
    expect(calls.filter((c) => c.name === 'checkUpload')).toHaveLength(1);
    expect(store.getState().uploadChecks).toMatchObject({ phase: 'review', files: [{ fileName: 'ABC123_1.hl7', problem: null }] });
    expect(store.getState().status.text).toBe('Checked ABC123_1.hl7. Nothing has been sent yet.');

    await sendChecked(ctx, [{ localPath: '/home/clinic/ABC123_1.hl7', acceptWarnings: [] }]);
    expect(store.getState().uploadChecks).toBeNull();
    expect(store.getState().transfers.expected).toEqual({ t1: 2048 });
    expect(store.getState().status).toEqual({ tone: 'busy', text: 'Sending 1 file to HL7-Dropoff…' });
  });
});
