// The one reducer of the window. It is fed the engine's events (connection, request, request-closed,
// transfer) as they come, and what the flows learned from their calls. Whatever depends on the state
// as it is when something happens (a transfer's batch, whether "Disconnected." replaces the status
// line, whether a first-login change is offered) is decided here, never from a copy of older state.
import type { ConnectionInfo, Failure, FolderRole, ProfileSummary, Protocol, RegistryEvent, RoleFolder, TransferStatus } from '../../../shared/contract';
import { changesWhenAsked, chosenChangeWay, demandedChangeWay } from '../passwords';
import { isFinished } from '../transfers';
import {
  connectionKey,
  loginKey,
  profileById,
  uploadFolderOf,
  type CheckedFile,
  type Connected,
  type PasswordChange,
  type Status,
  type WindowState,
} from './state';

export type Action =
  | { type: 'event'; event: RegistryEvent }
  | { type: 'status'; status: Status }
  | { type: 'started'; profiles: ProfileSummary[] | null; startWith?: string | null; version: string | null }
  | { type: 'profile-chosen'; profileId: string }
  | { type: 'local-folder-wanted'; path: string }
  | { type: 'local-folder-shown' }
  | { type: 'sign-in-started'; progress: string }
  | { type: 'sign-in-finished'; result: Connected | Failure }
  | { type: 'disconnect-started' }
  | { type: 'disconnect-finished'; result: { ok: true } | Failure }
  | { type: 'identity-answered'; id: string }
  | { type: 'password-change-started' }
  | { type: 'password-change-closed'; after?: Status }
  | { type: 'password-changed'; after: Status; connection?: ConnectionInfo }
  | { type: 'password-kept'; after: Status }
  | { type: 'checks-started' }
  | { type: 'checks-done'; files: CheckedFile[]; after: Status }
  | { type: 'checks-closed' }
  | { type: 'transfer-seen'; transfer: TransferStatus; fromCall?: boolean; expectedSize?: number }
  | { type: 'finished-cleared' }
  | { type: 'folder-shown'; role: FolderRole }
  | { type: 'folder-listed'; role: FolderRole }
  | { type: 'delete-asked'; folder: RoleFolder; names: string[] }
  | { type: 'delete-closed' }
  | { type: 'deleted'; role: FolderRole; after: Status }
  | { type: 'dialog-opened'; dialog: NonNullable<WindowState['openDialog']> }
  | { type: 'dialog-closed' }
  /** Open a registry file in the report viewer (from a folder's row, or a submission's). */
  | { type: 'viewer-opened'; role: FolderRole; name: string }
  | { type: 'viewer-closed' };

const NEW_PASSWORD_DEMANDED = 'The registry asks you to choose a new password before you can sign in. Nothing has been changed yet.';
const FIRST_LOGIN_PUT_OFF = 'The password was not changed. The registry still expects you to choose your own; use “Change password…” when you are ready.';

/** "Connected to … as …." and what the engine wants read (a keychain that could not be used, a change accepted). */
export const connectedWords = (result: Connected) =>
  [`Connected to ${result.connection.profileName} as ${result.connection.username}.`, ...result.notices].join(' ');

const withStale = (stale: FolderRole[], role: FolderRole) => (stale.includes(role) ? stale : [...stale, role]);
const without = (stale: FolderRole[], role: FolderRole) => (stale.includes(role) ? stale.filter((r) => r !== role) : stale);

/** The way a change the user (or a first login) chooses is made, for this login. */
export function chosenChange(profile: ProfileSummary, protocol: Protocol): Pick<PasswordChange, 'way' | 'notAsked'> {
  const method = profile.passwordChange.methods[protocol];
  const way = chosenChangeWay(method, profile.passwordChange.webPageUrl);
  return { way, notAsked: way === 'web-page' && changesWhenAsked(method) };
}

/** A (new) connection: a new account or server starts on its first folder, with nothing stale. */
function connectedTo(state: WindowState, info: ConnectionInfo): WindowState {
  const same = state.connection !== null && connectionKey(state.connection) === connectionKey(info);
  return same ? { ...state, connection: info } : { ...state, connection: info, browse: { active: info.folders[0]?.role ?? null, stale: [] } };
}

function connectionEvent(state: WindowState, event: Extract<RegistryEvent, { type: 'connection' }>): WindowState {
  switch (event.state) {
    case 'connecting':
      return { ...state, signIn: state.signIn ? { ...state.signIn, progress: event.message } : null, status: { tone: 'busy', text: event.message } };
    case 'connected':
      return { ...(event.connection ? connectedTo(state, event.connection) : state), status: { tone: 'ok', text: event.message } };
    case 'failed':
      return { ...state, status: { tone: 'error', text: event.message } };
    case 'disconnected':
      return { ...state, connection: null, viewer: null, openDialog: state.openDialog === 'submissions' ? null : state.openDialog, status: { tone: 'idle', text: event.message } };
  }
}

/** The engine asks a question: trust a server (queued, one shown at a time), or a new password (the change dialog). */
function requestEvent(state: WindowState, request: Extract<RegistryEvent, { type: 'request' }>['request']): WindowState {
  if (request.kind !== 'new-password') {
    return state.identityRequests.some((r) => r.id === request.id) ? state : { ...state, identityRequests: [...state.identityRequests, request] };
  }
  const profile = profileById(state, request.profileId);
  if (!profile) return state;
  const asked = { id: request.id, ...(request.problem !== undefined ? { problem: request.problem } : {}) };
  const open = state.passwordChange;
  // Asked again for the same login: the new password given last was refused; the dialog stays open and says why.
  if (open?.reason === 'demanded' && open.profileId === request.profileId && open.username === request.username) {
    return { ...state, passwordChange: { ...open, request: asked } };
  }
  return {
    ...state,
    passwordChange: {
      reason: 'demanded',
      way: demandedChangeWay(profile.passwordChange.methods[request.protocol]),
      profileId: request.profileId,
      protocol: request.protocol,
      username: request.username,
      request: asked,
    },
    status: { tone: 'info', text: NEW_PASSWORD_DEMANDED },
  };
}

function requestClosed(state: WindowState, event: Extract<RegistryEvent, { type: 'request-closed' }>): WindowState {
  const identityRequests = state.identityRequests.filter((r) => r.id !== event.id);
  const change = state.passwordChange;
  // A new-password request that ends unanswered (its time ran out) ends its dialog; the sign-in then
  // says it did not happen. One the window answered with a new password keeps the dialog waiting.
  const closesChange = change?.request?.id === event.id && event.answer === 'deny';
  if (identityRequests.length === state.identityRequests.length && !closesChange) return state;
  return { ...state, identityRequests, passwordChange: closesChange ? null : change };
}

/**
 * What the engine says about a transfer. An answer to a call (`fromCall`) only adds a transfer not
 * heard of yet: its events may already have moved it further. A transfer that starts while nothing
 * else is under way begins a new batch for the overall bar. An upload delivered makes its folder's
 * listing out of date.
 */
function transferSeen(state: WindowState, transfer: TransferStatus, fromCall: boolean, expectedSize: number | undefined): WindowState {
  const t = state.transfers;
  const expected = expectedSize === undefined ? t.expected : { ...t.expected, [transfer.id]: expectedSize };
  const index = t.list.findIndex((x) => x.id === transfer.id);
  if (index >= 0 && fromCall) return expected === t.expected ? state : { ...state, transfers: { ...t, expected } };
  const before = index >= 0 ? t.list[index] : undefined;
  const list = index >= 0 ? t.list.map((x) => (x.id === transfer.id ? transfer : x)) : [...t.list, transfer];
  let { round, roundOf } = t;
  if (!isFinished(transfer) && (before === undefined || isFinished(before))) {
    const othersFinished = t.list.every((x) => x.id === transfer.id || isFinished(x));
    round = othersFinished ? round + 1 : round;
    roundOf = { ...roundOf, [transfer.id]: round };
  }
  const next: WindowState = { ...state, transfers: { list, expected, round, roundOf } };
  if (before?.state === transfer.state || fromCall) return next;
  switch (transfer.state) {
    case 'done':
      return {
        ...next,
        status: { tone: 'ok', text: transfer.message },
        browse: transfer.direction === 'upload' ? { ...next.browse, stale: withStale(next.browse.stale, transfer.folder) } : next.browse,
      };
    case 'failed':
      return { ...next, status: { tone: 'error', text: `${transfer.name}: ${transfer.message}` } };
    case 'cancelled':
      return { ...next, status: { tone: 'info', text: `${transfer.name}: ${transfer.message}` } };
    default:
      return next;
  }
}

/** `connect` answered: signed in (and the first-login change offered when due), or not, and why. */
function signInFinished(state: WindowState, result: Connected | Failure): WindowState {
  const changedOnPage = state.signIn?.changedOnPage === true;
  // A change dialog the registry's demand opened belongs to this sign-in: it ends with it.
  const passwordChange = state.passwordChange?.reason === 'demanded' ? null : state.passwordChange;
  const base: WindowState = { ...state, signIn: null, passwordChange, signInFailure: result.ok ? null : { code: result.code, message: result.message } };
  if (!result.ok) {
    if (result.code === 'password-change-required') {
      // After a new password kept from the registry's page, the status line keeps saying so.
      return changedOnPage ? base : { ...base, status: { tone: 'info', text: result.message } };
    }
    return { ...base, status: { tone: 'error', text: result.message } };
  }
  const info = result.connection;
  const next: WindowState = {
    ...connectedTo(base, info),
    lastUsername: { ...base.lastUsername, [info.profileId]: info.username },
    status: { tone: 'ok', text: connectedWords(result) },
  };
  const profile = profileById(state, info.profileId);
  // Every way of changing offers the dialog: even where the app cannot change it here, the user can
  // say it was already changed elsewhere.
  if (profile && info.passwordChangeDue && !state.putOff.includes(loginKey(info.profileId, info.username))) {
    next.passwordChange = { reason: 'first-login', ...chosenChange(profile, info.protocol), profileId: info.profileId, protocol: info.protocol, username: info.username };
  }
  return next;
}

/** The change dialog closes: with words for the status line, or with what closing it means. */
function passwordChangeClosed(state: WindowState, after: Status | undefined): WindowState {
  const was = state.passwordChange;
  const base: WindowState = { ...state, passwordChange: null };
  if (after) return { ...base, status: after };
  if (!was) return state;
  if (was.reason === 'demanded') {
    // The sign-in is told 'deny' and says itself that it did not happen (unless a password kept from
    // the registry's page is what the status line should go on saying).
    return was.finished && base.signIn ? { ...base, signIn: { ...base.signIn, changedOnPage: true } } : base;
  }
  if (was.finished) return base;
  if (was.reason === 'first-login') {
    return { ...base, putOff: [...base.putOff, loginKey(was.profileId, was.username)], status: { tone: 'info', text: FIRST_LOGIN_PUT_OFF } };
  }
  return base;
}

export function reduce(state: WindowState, action: Action): WindowState {
  switch (action.type) {
    case 'event': {
      const event = action.event;
      switch (event.type) {
        case 'connection':
          return connectionEvent(state, event);
        case 'request':
          return requestEvent(state, event.request);
        case 'request-closed':
          return requestClosed(state, event);
        case 'transfer':
          return transferSeen(state, event.transfer, false, undefined);
      }
      return state;
    }
    case 'status':
      return { ...state, status: action.status };
    case 'started': {
      const practice = action.profiles?.find((p) => p.practice);
      return {
        ...state,
        version: action.version ?? state.version,
        profiles: action.profiles ?? state.profiles,
        // The engine says where to start (the practice registry until a real one was used).
        chosenProfileId: state.chosenProfileId ?? action.startWith ?? action.profiles?.[0]?.id ?? null,
        // The practice registry's account is filled in for the trainee, as a clinic's own would be.
        lastUsername: practice?.practice && state.lastUsername[practice.id] === undefined ? { ...state.lastUsername, [practice.id]: practice.practice.username } : state.lastUsername,
      };
    }
    case 'profile-chosen':
      // The last failure was another registry's: its check is offered there, not here.
      return { ...state, chosenProfileId: action.profileId, signInFailure: action.profileId === state.chosenProfileId ? state.signInFailure : null };
    case 'local-folder-wanted':
      return { ...state, localFolderWanted: action.path };
    case 'local-folder-shown':
      return { ...state, localFolderWanted: null };
    case 'sign-in-started':
      return { ...state, signIn: { progress: action.progress }, status: { tone: 'busy', text: action.progress } };
    case 'sign-in-finished':
      return signInFinished(state, action.result);
    case 'disconnect-started':
      return { ...state, disconnecting: true, signedOut: true };
    case 'disconnect-finished':
      if (!action.result.ok) return { ...state, disconnecting: false, status: { tone: 'error', text: action.result.message } };
      return {
        ...state,
        disconnecting: false,
        connection: null,
        viewer: null,
        openDialog: state.openDialog === 'submissions' ? null : state.openDialog,
        // What the engine said meanwhile (a problem, a note) stays; "Connected" or "Working" does not.
        status: state.status.tone === 'ok' || state.status.tone === 'busy' ? { tone: 'idle', text: 'Disconnected.' } : state.status,
      };
    case 'identity-answered':
      return { ...state, identityRequests: state.identityRequests.filter((r) => r.id !== action.id) };
    case 'password-change-started': {
      const info = state.connection;
      const profile = info ? profileById(state, info.profileId) : null;
      if (!info || !profile) return state;
      return {
        ...state,
        passwordChange: {
          reason: info.passwordChangeDue ? 'first-login' : 'chosen',
          ...chosenChange(profile, info.protocol),
          profileId: info.profileId,
          protocol: info.protocol,
          username: info.username,
        },
      };
    }
    case 'password-change-closed':
      return passwordChangeClosed(state, action.after);
    case 'password-changed': {
      // The connected account's change is done: not due any more.
      const connection = action.connection ?? (state.connection ? { ...state.connection, passwordChangeDue: false } : null);
      return { ...state, connection, passwordChange: null, status: action.after };
    }
    case 'password-kept': {
      const change = state.passwordChange;
      if (!change) return state;
      const connection = state.connection && change.reason !== 'demanded' ? { ...state.connection, passwordChangeDue: false } : state.connection;
      return { ...state, connection, status: action.after, passwordChange: { ...change, finished: true } };
    }
    case 'checks-started': {
      // The upload folder is shown, so the file is seen to land.
      const role = uploadFolderOf(state.connection)?.role;
      return {
        ...state,
        uploadChecks: { phase: 'checking' },
        browse: role ? { active: role, stale: without(state.browse.stale, role) } : state.browse,
      };
    }
    case 'checks-done':
      return { ...state, uploadChecks: { phase: 'review', files: action.files }, status: action.after };
    case 'checks-closed':
      return { ...state, uploadChecks: null };
    case 'transfer-seen':
      return transferSeen(state, action.transfer, action.fromCall === true, action.expectedSize);
    case 'finished-cleared': {
      const list = state.transfers.list.filter((t) => !isFinished(t));
      return { ...state, transfers: { ...state.transfers, list } };
    }
    case 'folder-shown':
      // Showing a folder lists it afresh, so it is no longer out of date.
      return { ...state, browse: { active: action.role, stale: without(state.browse.stale, action.role) } };
    case 'folder-listed': {
      const stale = without(state.browse.stale, action.role);
      return stale === state.browse.stale ? state : { ...state, browse: { ...state.browse, stale } };
    }
    case 'delete-asked':
      return { ...state, deleting: { folder: action.folder, names: action.names } };
    case 'delete-closed':
      return { ...state, deleting: null };
    case 'deleted':
      return { ...state, deleting: null, status: action.after, browse: { ...state.browse, stale: withStale(state.browse.stale, action.role) } };
    case 'dialog-opened':
      return { ...state, openDialog: action.dialog };
    case 'dialog-closed':
      return { ...state, openDialog: null };
    case 'viewer-opened':
      return state.connection ? { ...state, viewer: { role: action.role, name: action.name } } : state;
    case 'viewer-closed':
      return { ...state, viewer: null };
  }
}
