// What the window knows, in one record: the registries, the connection and a sign-in under way, the
// status line, the engine's questions, a password change and an upload's checks under way, the
// transfers, and which registry folder is shown (and which listings are out of date). Only the
// reducer (reducer.ts) makes a new one; components read it with useWindow (context.tsx).
import type {
  CallResults,
  ConnectionInfo,
  ErrorCode,
  FolderRole,
  IdentityRequest,
  ProfileSummary,
  Protocol,
  RoleFolder,
  TransferStatus,
  UploadCheck,
  UploadCheckLine,
} from '../../../shared/contract';
import type { ChangeWay } from '../passwords';
import { canUploadTo, isFinished } from '../transfers';

export interface Status {
  tone: 'idle' | 'busy' | 'ok' | 'info' | 'error';
  text: string;
}

export type ChangeReason = 'demanded' | 'first-login' | 'chosen';

/** A password change under way in the change dialog, and for which login. */
export interface PasswordChange {
  reason: ChangeReason;
  way: ChangeWay;
  profileId: string;
  protocol: Protocol;
  username: string;
  /** The registry changes passwords when it asks at sign-in and did not ask: `web-page` is the way left. */
  notAsked?: boolean;
  /** The new password chosen on the registry's page is kept: closing now says nothing more. */
  finished?: boolean;
  /**
   * `demanded` only: the engine's new-password request this dialog answers (the latest: a refused new
   * password comes back as a new request, with `problem` saying why). The sign-in waits in the main
   * process, which keeps the password it was started with; the window keeps none.
   */
  request?: { id: string; problem?: string };
}

/** One file of an upload, as the checks found it (nothing is sent yet). */
export interface CheckedFile {
  localPath: string;
  fileName: string;
  /** Null when the check itself could not be made (then `problem` says why). */
  check: UploadCheck | null;
  problem: string | null;
}

/** What the user chose to send for one checked file, with the warnings they accepted. */
export interface UploadChoice {
  localPath: string;
  acceptWarnings: UploadCheckLine['id'][];
}

/** From the first check until the check dialog closes: one upload question at a time. */
export type UploadChecks = { phase: 'checking' } | { phase: 'review'; files: CheckedFile[] };

export interface Transfers {
  list: TransferStatus[];
  /** The size the window knew when it asked (a listing, a check), until the engine says its own. */
  expected: Record<string, number>;
  /** Transfers started while nothing else was under way make a batch (a round) for the overall bar. */
  round: number;
  roundOf: Record<string, number>;
}

export interface WindowState {
  profiles: ProfileSummary[];
  /** The registry chosen in the sign-in form (the connection's own wins while connected). */
  chosenProfileId: string | null;
  version: string | null;
  connection: ConnectionInfo | null;
  /** A `connect` call not answered yet (it waits while the registry's new-password request is open). */
  signIn: { progress: string; changedOnPage?: boolean } | null;
  /** Why the last sign-in failed (the form offers the connection check beside it); null after a success. */
  signInFailure: { code: ErrorCode; message: string } | null;
  /** The user chose Disconnect in this window (the sign-in form then takes the keyboard's focus). */
  signedOut: boolean;
  disconnecting: boolean;
  status: Status;
  /** The login last used per registry (kept across a disconnect, so it need not be typed again). */
  lastUsername: Record<string, string>;
  /** The engine's trust questions, shown one at a time. */
  identityRequests: IdentityRequest[];
  passwordChange: PasswordChange | null;
  /** Logins whose first-login change the user put off with "Not now": not offered again until the app reopens. */
  putOff: string[];
  /** The registry folder shown, and folders whose listing is out of date (a file landed or was deleted). */
  browse: { active: FolderRole | null; stale: FolderRole[] };
  uploadChecks: UploadChecks | null;
  deleting: { folder: RoleFolder; names: string[] } | null;
  transfers: Transfers;
  /** The toolbar's dialogs, and the connected registry's "Sent files". */
  openDialog: 'history' | 'trusted-servers' | 'submissions' | null;
  /** A folder of this computer asked to be shown in My Computer (the practice banner's sample files), until it is. */
  localFolderWanted: string | null;
  /** The registry file open in the report viewer (a report, an ACK, a consent file); closed on disconnect. */
  viewer: { role: FolderRole; name: string } | null;
}

export const initialState: WindowState = {
  profiles: [],
  chosenProfileId: null,
  version: null,
  connection: null,
  signIn: null,
  signInFailure: null,
  signedOut: false,
  disconnecting: false,
  status: { tone: 'idle', text: 'Not connected. Choose a registry and sign in.' },
  lastUsername: {},
  identityRequests: [],
  passwordChange: null,
  putOff: [],
  browse: { active: null, stale: [] },
  uploadChecks: null,
  deleting: null,
  transfers: { list: [], expected: {}, round: 0, roundOf: {} },
  openDialog: null,
  localFolderWanted: null,
  viewer: null,
};

export type Connected = Extract<CallResults['connect'], { ok: true }>;

// ------------------------------------------------------------------ what follows from the state

export const loginKey = (profileId: string, username: string) => `${profileId}:${username}`;

/** The registry the window is about: the connected one, else the one chosen in the sign-in form. */
export const activeProfile = (s: WindowState): ProfileSummary | null =>
  s.profiles.find((p) => p.id === (s.connection?.profileId ?? s.chosenProfileId)) ?? null;

export const profileById = (s: WindowState, id: string | undefined): ProfileSummary | null => s.profiles.find((p) => p.id === id) ?? null;

/** The folder uploads go to: the dropoff folder if the account may write there, else any it may. */
export const uploadFolderOf = (connection: ConnectionInfo | null): RoleFolder | null =>
  connection?.folders.find((f) => f.role === 'dropoff' && canUploadTo(f)) ?? connection?.folders.find(canUploadTo) ?? null;

export const uploadFolder = (s: WindowState) => uploadFolderOf(s.connection);

/** A folder's name on the server, as the connection or the profile gives it. */
export const folderName = (s: WindowState, role: FolderRole): string =>
  s.connection?.folders.find((f) => f.role === role)?.name ?? activeProfile(s)?.folders.find((f) => f.role === role)?.name ?? role;

/**
 * What the overall bar measures: while files are on their way, the ones sent or fetched together;
 * afterwards, everything still listed.
 */
export function currentBatch(t: Transfers): TransferStatus[] {
  const inProgress = t.list.some((x) => !isFinished(x));
  return inProgress ? t.list.filter((x) => t.roundOf[x.id] === t.round) : t.list;
}

/** Identifies a connection: a new one (another account, another server) starts the folders afresh. */
export const connectionKey = (c: ConnectionInfo) => `${c.profileId}|${c.username}|${c.fingerprint}`;
