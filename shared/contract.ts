// The one contract between the renderer and the main process (and the e2e bridge, and the CLI's
// engine calls). Every call has a name, a zod schema for its input and a result type; every event the
// main process pushes is listed here too. Results are plain records: never class instances, never
// secrets. Expected failures are `{ ok: false, code, message }` with a message in plain words.
import { z } from 'zod';
import type { CallName } from './call-names';
import type { PasswordRules } from './password-rules';

export type { PasswordRules } from './password-rules';
// The call names and channels live in a zod-free module, for the preload; every other file takes them from here.
export { CALL_NAMES, callChannel, DROPPED_FILE_CHANNEL, EVENT_CHANNEL, type CallName } from './call-names';

export const PROTOCOLS = ['sftp', 'ftps'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** What a registry folder is for. The names on the server come from the profile. */
export const FOLDER_ROLES = ['dropoff', 'accepted', 'reports', 'receive'] as const;
export type FolderRole = (typeof FOLDER_ROLES)[number];

/** Rights an account has in a folder, as the registries list them. */
export const FOLDER_RIGHTS = ['list', 'read', 'write', 'rename', 'delete'] as const;
export type FolderRight = (typeof FOLDER_RIGHTS)[number];

/** The formats registries write data quality reports in (REGISTRIES.md: ImmTrac2's is unconfirmed). */
export const REPORT_FORMATS = ['text', 'csv', 'html', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const ERROR_CODES = [
  'invalid-input', // the call's payload did not match the contract
  'forbidden-sender', // the call did not come from the app's own page
  'unknown-profile',
  'not-connected',
  'identity-unknown', // server host key / certificate not trusted yet
  'identity-changed', // a trusted key / certificate changed
  'identity-denied', // the user (or a timeout) said "do not allow"
  'auth-failed',
  'no-password',
  'password-change-required', // the registry wants a new password first (or did not take the one given)
  'unreachable', // host did not answer / refused / not found
  'timeout',
  'tls-required', // server does not offer TLS, or only an old version
  'permission-denied',
  'quota-full', // the registry refused a file because the account's storage or its dropoff folder is full: not a permission, and another name will not help
  'not-found',
  'folders-missing', // the registry's folders were not where the profile says
  'busy',
  'too-many-connections', // the account's connection limit is reached (another program is signed in): not a wrong password
  'algorithm-mismatch', // the SSH server and the app share no key exchange, host key, cipher or MAC algorithm
  'incomplete', // a download ended short of, or ran past, the size the server stated: nothing was saved
  'cancelled',
  'keychain-unavailable',
  'key-problem', // the account's SSH key cannot be used (missing file, wrong passphrase, a public key): found before connecting
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface Failure {
  ok: false;
  code: ErrorCode;
  /** One or two sentences in plain words for the clinic's staff. */
  message: string;
  /** Optional extra facts for the clinic's IT (never a secret, never file contents). */
  detail?: string;
}
export type Result<T extends object = object> = ({ ok: true } & T) | Failure;

// ---------------------------------------------------------------------------------------------
// Plain records
// ---------------------------------------------------------------------------------------------

export interface Endpoint {
  protocol: Protocol;
  host: string;
  port: number;
  /** FTPS only: implicit TLS (Texas, port 990) or explicit AUTH TLS (Colorado, port 1971). */
  tls?: 'implicit' | 'explicit';
  /** FTPS only: the passive data ports the clinic's firewall must let through. */
  passivePorts?: { from: number; to: number };
}

export interface FolderSummary {
  role: FolderRole;
  /** The folder's name on the server, e.g. `HL7-Dropoff`. */
  name: string;
  rights: FolderRight[];
  /** What the folder holds, in the registry's words. */
  description: string;
}

export interface SupportContact {
  team: string;
  phone?: string;
  email?: string;
  /** When the team answers, in the registry's words (only where the registry publishes it). */
  hours?: string;
}

/**
 * How a registry has its users change a password, per protocol. SFTP: `server-prompt` (the server
 * asks at sign-in: RFC 4252 or keyboard-interactive) or `web-page`. FTPS: `pass-old-new` (WS_FTP
 * Server: reply 560 at login, then `PASS old new`), `site-pswd` (Serv-U, Titan), `site-cpwd` (older
 * WS_FTP) or `web-page` (the registry's own page, e.g. EFT's /manageaccount).
 */
export const SFTP_PASSWORD_CHANGE_METHODS = ['server-prompt', 'web-page'] as const;
export const FTPS_PASSWORD_CHANGE_METHODS = ['pass-old-new', 'site-pswd', 'site-cpwd', 'web-page'] as const;
export type SftpPasswordChangeMethod = (typeof SFTP_PASSWORD_CHANGE_METHODS)[number];
export type FtpsPasswordChangeMethod = (typeof FTPS_PASSWORD_CHANGE_METHODS)[number];
export type PasswordChangeMethod = SftpPasswordChangeMethod | FtpsPasswordChangeMethod;

/**
 * How an account signs in over SFTP: its password; its key (the registry has the public key on
 * file); or its key and then its password (servers that want both, as OpenSSH's
 * `AuthenticationMethods publickey,password`). FTPS signs in by password only.
 */
export const SIGN_IN_METHODS = ['password', 'key', 'key+password'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];
export const KEY_TYPES = ['ed25519', 'rsa'] as const;

/** An account's SSH key as the window shows it: never the private key, never its passphrase. */
export interface SignInKey {
  /** The private key file's name (the full path stays in the main process). */
  fileName: string;
  /** e.g. `ssh-ed25519`, `ssh-rsa`. */
  type: string;
  /** The public key on one line, as the registry puts it on file: `ssh-ed25519 AAAA... comment`. */
  publicKey: string;
  /** `SHA256:...`, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  /** Made by the app (kept in its data folder, its passphrase in the system keychain). */
  madeByApp: boolean;
}

/** How one saved account signs in, and its key when it has one. */
export interface AccountSignIn {
  profileId: string;
  username: string;
  method: SignInMethod;
  key: SignInKey | null;
  /** The account has a key that cannot be used now (moved, its passphrase gone): plain words. */
  keyProblem: string | null;
  hasSavedPassword: boolean;
}

export interface ProfileSummary {
  id: string;
  name: string;
  builtIn: boolean;
  endpoints: Endpoint[];
  /** How the registry names the login: "Import code" for Texas, "Username" elsewhere. */
  usernameLabel: string;
  usernameHint: string;
  folders: FolderSummary[];
  quotaFiles: number | null;
  retentionDays: number | null;
  /** The formats the registry writes its data quality reports in (the viewer opens each). */
  reportFormats: ReportFormat[];
  webClientUrl: string | null;
  support: SupportContact;
  /** How to give the registry a public key, in the registry's words (the window shows it beside the key). */
  publicKeyInstructions: string;
  /** The connection settings the registry recommends, as the app follows them. */
  network: { timeoutSeconds: number; retries: number; keepAlive: boolean; disconnectAfterTransfers: boolean };
  /** How the registry has its users change their password, and the rules a new one must meet. */
  passwordChange: {
    requiredAtFirstLogin: boolean;
    webPageUrl: string | null;
    rules: PasswordRules;
    methods: { sftp: SftpPasswordChangeMethod; ftps: FtpsPasswordChangeMethod };
  };
  /** Only the practice registry built into the app (a local server; nothing sent there reaches a state). */
  practice?: PracticeAccountSummary;
}

/** The practice registry's account, for the window's banner and sign-in form. */
export interface PracticeAccountSummary {
  username: string;
  /**
   * The password the practice registry issued, until its first-login change is made (then null):
   * a practice password on this computer only, shown so a trainee can sign in as a clinic would
   * with the password a registry mails them.
   */
  issuedPassword: string | null;
  /** Seconds after a file lands in the dropoff folder before the practice registry processes it. */
  processAfterSeconds: number;
  /** The sample HL7 files shipped with the app (also a place of My Computer); null when not installed. */
  samplesFolder: string | null;
}

export interface RoleFolder extends FolderSummary {
  /** Absolute path on the server. */
  path: string;
}

export interface ConnectionInfo {
  profileId: string;
  profileName: string;
  protocol: Protocol;
  host: string;
  port: number;
  username: string;
  folders: RoleFolder[];
  /** The fingerprint of the server identity this connection verified. */
  fingerprint: string;
  /** Whether the system keychain holds a password for this login (the password itself never crosses). */
  hasSavedPassword: boolean;
  /**
   * The profile says new accounts must change their password, and the app has not seen this account
   * do it yet: the window offers the change right after this first successful login.
   */
  passwordChangeDue: boolean;
  /** How this sign-in was made: by password, key, or key and password. */
  signInMethod: SignInMethod;
}

export type EntryKind = 'file' | 'folder' | 'other';

export interface RemoteEntry {
  name: string;
  kind: EntryKind;
  size: number;
  /** Milliseconds since the epoch, or null when the server does not say. */
  modified: number | null;
  /**
   * How exact `modified` is, where it is not to the second (SFTP and FTP MLSD are). `minute`: an FTP
   * listing's time of day, moved to UTC with the server's offset as the app learned it. `day`: the
   * server gave a date without a time (FTP listings do for files older than six months); `modified`
   * is then midnight UTC of that calendar date, shown as that date and never with a time.
   */
  modifiedPrecision?: 'minute' | 'day';
}

export interface LocalEntry {
  name: string;
  path: string;
  kind: EntryKind;
  size: number;
  modified: number | null;
  hidden: boolean;
}

/** A whole folder's entries, files among them, and hidden (dot) entries among them. */
export interface ListingCounts {
  all: number;
  files: number;
  hidden: number;
}

export interface LocalPlace {
  label: string;
  path: string;
  kind: 'home' | 'drive' | 'folder';
}

export type IdentityKind = 'ssh-host-key' | 'tls-certificate';

export interface TrustedIdentity {
  id: string;
  host: string;
  port: number;
  kind: IdentityKind;
  fingerprint: string;
  /** e.g. `ED25519` for a host key, the subject for a certificate. */
  description: string;
  firstTrusted: string; // ISO date
}

/** What the certificate prompt shows about a TLS certificate. */
export interface CertificateDetails {
  subject: string;
  /** The names it is valid for (DNS names and addresses). */
  names: string[];
  issuer: string;
  validFrom: string; // ISO date
  validTo: string; // ISO date
  /** Whether the operating system's certificate authorities vouch for it. */
  authorityTrusted: boolean;
  authorityProblem: string | null;
  /** Whether the host name the app connected to is one of its names. */
  hostnameMatches: boolean;
  /** The TLS version agreed, e.g. `TLSv1.3`. */
  protocol: string;
}

export const TRUST_ANSWERS = ['trust', 'allow-once', 'deny'] as const;
export type TrustAnswer = (typeof TRUST_ANSWERS)[number];

/**
 * A question the engine asks the user, and waits for (`answerRequest`). Unanswered = deny.
 * Trust in a server's identity: its SSH host key, or its TLS certificate.
 */
export interface IdentityRequest {
  id: string;
  kind: 'host-key' | 'certificate';
  profileId: string;
  profileName: string;
  host: string;
  port: number;
  /** Host key: its type, e.g. `ED25519`. Certificate: its subject. */
  algorithm: string;
  /**
   * Host key: `SHA256:<base64>` exactly as `ssh-keygen -l` prints it. Certificate: SHA-256 in
   * colon-separated hex, as browsers and OpenSSL print it.
   */
  fingerprint: string;
  /** Certificates only: what the certificate says about itself, and who vouches for it. */
  certificate?: CertificateDetails;
  /** Set when a different identity was trusted before for this server. */
  previous?: { fingerprint: string; algorithm: string; firstTrusted: string };
  /** Seconds until an unanswered request counts as "Do not allow". */
  timeoutSeconds: number;
}

/**
 * The registry demands a new password before it lets this login in. The sign-in waits in the main
 * process, which keeps the password it signed in with: the window only asks for the new one and
 * answers `{ newPassword }` (or `deny`: not signed in, nothing changed). A new password the app's
 * checks or the registry refused comes back as a new request with `problem` saying why.
 */
export interface NewPasswordRequest {
  id: string;
  kind: 'new-password';
  profileId: string;
  profileName: string;
  protocol: Protocol;
  username: string;
  /** Why the new password given last did not work, in plain words; absent the first time. */
  problem?: string;
  /** Seconds until an unanswered request counts as "deny" (not signed in, nothing changed). */
  timeoutSeconds: number;
}

export type PromptRequest = IdentityRequest | NewPasswordRequest;
/** What answers a request: a trust decision for an identity, the new password (or `deny`) for a demand. */
export type RequestAnswer = TrustAnswer | { newPassword: string };
/** How a request ended, as the `request-closed` event says it (never the password itself). */
export type RequestOutcome = TrustAnswer | 'new-password-given';

/**
 * What the HL7 checks can find in a file (a batch's counts, its framing, the import code in its
 * name, ...). Each finding is a line of the upload check, numbered within the file.
 * No longer given (issue 13, item 4), kept so that ids naming them still type-check:
 * `bts-count-missing` and `fts-count-missing` (BTS-1 and FTS-1 are optional; the CDC guide's own
 * example is `BTS||`), `line-feeds` and `mixed-line-ends` (registries' batch readers split
 * segments on CR, CR LF and LF alike).
 */
export const HL7_FINDING_CODES = [
  'empty',
  'not-hl7',
  'binary',
  'control-character',
  'mllp-framing',
  'byte-order-mark',
  'truncated',
  'segment-name',
  'delimiters',
  'segment-before-message',
  'message-outside-batch',
  'after-file-trailer',
  'fhs-misplaced',
  'fhs-missing',
  'bhs-missing',
  'no-batch-headers',
  'no-messages',
  'bts-unexpected',
  'bts-missing',
  'bts-count',
  'bts-count-missing',
  'bts-count-unreadable',
  'fts-unexpected',
  'fts-missing',
  'fts-count',
  'fts-count-missing',
  'fts-count-unreadable',
  'line-feeds',
  'mixed-line-ends',
  'import-code-case',
  'import-code-missing',
  'extension',
] as const;
export type Hl7FindingCode = (typeof HL7_FINDING_CODES)[number];

/**
 * What a line of the upload check is about. `file`: the local file could not be used (missing, a
 * folder, empty, unreadable); `folder`: the account has no folder it may upload to; `name`: the name
 * cannot be used on the server; `hl7`: a valid batch (no findings); `quota`: room in the dropoff
 * folder; `replace`: a file of that name is waiting in the dropoff folder (a warning: sending replaces
 * it, the CLI's --replace); `duplicate`: the registry already accepted a file of that name (a
 * warning); `hl7-<finding>-<n>`: the n-th finding of the HL7 checks.
 */
export const UPLOAD_CHECK_IDS = ['file', 'folder', 'name', 'hl7', 'quota', 'replace', 'duplicate'] as const;
export type Hl7CheckId = `hl7-${Hl7FindingCode}-${number}`;
export type UploadCheckId = (typeof UPLOAD_CHECK_IDS)[number] | Hl7CheckId;

/** One line of the checks made before a file is sent. */
export interface UploadCheckLine {
  /** Stable for this file: a warning is accepted by its id. */
  id: UploadCheckId;
  severity: 'ok' | 'warning' | 'error';
  message: string;
}

export interface UploadCheck {
  localPath: string;
  fileName: string;
  size: number;
  /** SHA-256 of the local file, hex; null when it could not be read. */
  sha256: string | null;
  messageCount: number;
  lines: UploadCheckLine[];
  /** False when any line is an error: the file cannot be sent as it is. */
  canUpload: boolean;
  /** Warnings the user must accept, one file at a time, before it is sent. */
  warningIds: UploadCheckId[];
}

export type TransferState = 'queued' | 'sending' | 'verifying' | 'done' | 'failed' | 'cancelled';

export interface TransferStatus {
  id: string;
  direction: 'upload' | 'download';
  /** The file's name (on the server for uploads and downloads alike). */
  name: string;
  folder: FolderRole;
  state: TransferState;
  bytes: number;
  total: number;
  bytesPerSecond: number | null;
  secondsLeft: number | null;
  /** A plain-words line: what happened, or what went wrong. */
  message: string;
  /** Downloads: where the file was saved. */
  savedTo?: string;
}

export interface HistoryEntry {
  time: string;
  profileId: string;
  account: string;
  direction: 'upload' | 'download' | 'delete';
  localName: string;
  remoteName: string;
  folder: string;
  size: number;
  sha256: string | null;
  result: 'done' | 'failed' | 'cancelled';
  error?: string;
}

// ---------------------------------------------------------------------------------------------
// What comes back: submissions, reports, ACKs, scores
// ---------------------------------------------------------------------------------------------

/**
 * Where a file this computer sent stands, from the registry's folders (matched by name: registries
 * name their replies after the batch):
 * - `waiting`: still in the dropoff folder, not picked up yet;
 * - `picked-up`: gone from the dropoff, nothing back yet (the registry is processing it);
 * - `accepted`: in the Accepted folder, no report or ACK yet;
 * - `report-ready`: in Accepted, and its ACK or data quality report is in the reports folder;
 * - `consent-received`: all of that, and its consent notification is in the receive folder;
 * - `rejected`: a report or ACK came back, and the file is not in Accepted;
 * - `gone`: nothing of it is on the server any more (the registry's purge, or someone removed it).
 */
export const SUBMISSION_STATES = ['waiting', 'picked-up', 'accepted', 'report-ready', 'consent-received', 'rejected', 'gone'] as const;
export type SubmissionState = (typeof SUBMISSION_STATES)[number];

export interface Submission {
  /** The name the file was sent under (as it is in the dropoff and, once accepted, in Accepted). */
  name: string;
  state: SubmissionState;
  /** When this computer sent it (ISO 8601, from the local history). */
  sentAt: string;
  size: number;
  /** Its name in the accepted folder, where it is there. */
  accepted: string | null;
  /** The names of its ACK files and data quality reports in the reports folder. */
  reports: string[];
  /** The names of its consent notification files in the receive folder. */
  consent: string[];
  /** When the registry's answer appeared, as the server lists it (ms since the epoch), or null. */
  answeredAt: number | null;
  /** A plain-words hint for a file that is late (still waiting after the registry's usual time). */
  hint?: string;
}

/** A file in one of the registry's folders that matches nothing this computer sent. */
export interface UnmatchedRemoteFile {
  role: FolderRole;
  name: string;
  size: number;
  modified: number | null;
}

/** How a registry's file is shown by the viewer (from its name and its first bytes). */
export const REPORT_VIEW_KINDS = ['text', 'csv', 'html', 'pdf', 'ack'] as const;
export type ReportViewKind = (typeof REPORT_VIEW_KINDS)[number];

/** One error, warning or note of an ACK message (HL7 v2.5.1 ERR segment). */
export interface AckError {
  /** ERR-2, where in the submitted message, e.g. "RXA-5" or "PID-7". */
  location: string;
  /** ERR-3 (HL7 table 0357), e.g. "101" with its text "Required field missing". */
  hl7Code: string | null;
  hl7Text: string | null;
  /** ERR-4: E error, W warning, I information. */
  severity: 'E' | 'W' | 'I' | null;
  /** ERR-5 (table 0533, the CDC guide's application error codes, or a registry's own). */
  applicationCode: string | null;
  applicationText: string | null;
  /** ERR-8 (or ERR-7), the registry's words for people. */
  message: string;
}

/** One ACK message: the answer to one submitted message. */
export interface AckMessage {
  /** MSA-2: the submitted message's control id (MSH-10). */
  controlId: string;
  /** MSA-1: AA accepted, AE accepted with errors, AR rejected (CA/CE/CR read as the same). */
  outcome: 'accepted' | 'errors' | 'rejected' | 'unknown';
  /** MSA-3, where the registry put a text there. */
  text: string;
  errors: AckError[];
}

export interface AckSummary {
  /** Whether the file came wrapped in FHS/BHS ... BTS/FTS. */
  batchWrapped: boolean;
  totals: { messages: number; accepted: number; errors: number; rejected: number; unknown: number };
  /** The most common errors over the file, most frequent first (at most 10). */
  commonErrors: { location: string; code: string | null; message: string; count: number }[];
  messages: AckMessage[];
  /** The messages list was cut (the file holds more than the viewer keeps); the totals count them all. */
  truncated: boolean;
}

export interface ReportScores {
  completeness: number | null;
  quality: number | null;
  timeliness: number | null;
  overall: number | null;
}

export type ReportView =
  | { kind: 'text'; text: string }
  | { kind: 'csv'; header: string[]; rows: string[][]; truncated: boolean }
  /** Shown in a sandboxed frame: no scripts, no forms, no network (the window adds its own policy). */
  | { kind: 'html'; html: string }
  /** The PDF's bytes, base64 (drawn by pdf.js in the window). */
  | { kind: 'pdf'; base64: string }
  | { kind: 'ack'; ack: AckSummary };

export interface OpenedReport {
  role: FolderRole;
  name: string;
  size: number;
  modified: number | null;
  view: ReportView;
  /** Scores the report carries (completeness, quality, timeliness), where it does. */
  scores: ReportScores | null;
}

/** One data quality report's scores, for the chart of scores over time. */
export interface ScorePoint {
  name: string;
  /** The report's time on the server (ms since the epoch), or null. */
  at: number | null;
  scores: ReportScores;
}

/** The connection check's steps, in the order they run. */
export const DIAGNOSIS_STEPS = ['name', 'tcp', 'handshake', 'sign-in', 'folders', 'data-connection'] as const;
export type DiagnosisStepId = (typeof DIAGNOSIS_STEPS)[number];

export interface DiagnosisStep {
  id: DiagnosisStepId;
  /** e.g. "Connection to port 990". */
  title: string;
  /** `warning`: it worked, with something to know (an IP address given, a certificate near its end). */
  status: 'passed' | 'warning' | 'failed' | 'skipped';
  /** What happened, in plain words. */
  message: string;
  /** Facts for IT: addresses, versions, ciphers, fingerprints, ports. */
  details: string[];
  /** What to ask IT (or the registry) for, in words they can act on; null when nothing is needed. */
  askIt: string | null;
  /** How long the step took, or null when it did not run. */
  milliseconds: number | null;
}

/** The connection check: every step, and a plain-text report to copy or save (no password, no file contents). */
export interface Diagnosis {
  checkedAt: string;
  profileId: string;
  profileName: string;
  protocol: Protocol;
  host: string;
  port: number;
  steps: DiagnosisStep[];
  /** Every step that ran passed (warnings included). */
  passed: boolean;
  /** The first step that failed, and what kind of failure it was. */
  failedStep: DiagnosisStepId | null;
  code: ErrorCode | null;
  /** The sign-in was not tried only for want of a password: the window offers a field for one. */
  wantsPassword: boolean;
  report: string;
}

/** "Send automatically from this folder" for one account. */
export interface AutoSendState {
  profileId: string;
  username: string;
  /** The export folder the user chose, or null when none. */
  folder: string | null;
  paused: boolean;
  /** Watching and sending now (a folder, not paused, and signed in to this account). */
  active: boolean;
  /** Files in the folder not sent yet. */
  waiting: { name: string; size: number }[];
  /** Delivered from the folder (by the window or a scheduled run), newest first. */
  sent: { name: string; at: string }[];
  /** Stopped by their checks: sent once they change. */
  refused: { name: string; at: string; message: string }[];
}

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'failed';

export type RegistryEvent =
  | {
      type: 'connection';
      state: ConnectionState;
      /** A plain-words status line. */
      message: string;
      connection?: ConnectionInfo;
      failure?: Failure;
    }
  | { type: 'request'; request: PromptRequest }
  | { type: 'request-closed'; id: string; answer: RequestOutcome }
  | { type: 'transfer'; transfer: TransferStatus }
  /** A file of an account's export folder was sent or stopped: its "Send automatically" view is out of date. */
  | { type: 'auto-send'; profileId: string; username: string };

// ---------------------------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------------------------

const empty = z.object({}).strict();
/** Names one listing's next page (the engine's random UUID). */
const listingToken = z.uuid();
const id = z.string().min(1).max(100).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits, . _ : - only');
const noControlChars = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);
const localPath = z
  .string()
  .min(1)
  .max(4096)
  .refine(noControlChars, 'a path cannot contain control characters')
  // Absolute only (POSIX, a Windows drive, or a UNC share): the main process never resolves a path
  // against a working folder the user cannot see.
  .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'a full path is needed');
/** Usernames are sent to the server: printable, no spaces, bounded. */
const username = z
  .string()
  .trim()
  .min(1, 'Enter the username the registry gave you.')
  .max(128)
  .regex(/^[^\s\u0000-\u001f\u007f]+$/, 'A username cannot contain spaces or control characters.');
const password = z.string().min(1).max(1024);

export const calls = {
  getAppInfo: { input: empty },
  listProfiles: { input: empty },
  listLocalPlaces: { input: empty },
  listLocalFolder: { input: z.object({ path: localPath }).strict() },
  /** The next page of a big folder's listing (`more` from the page before). */
  listLocalFolderMore: { input: z.object({ listing: listingToken }).strict() },
  connect: {
    input: z
      .object({
        profileId: id,
        protocol: z.enum(PROTOCOLS),
        username,
        /** Absent: the password saved in the system keychain for this login is used. */
        password: password.optional(),
        /**
         * Save the password in the system keychain once the registry has accepted it. Absent = false
         * (optional rather than defaulted, so callers of the handlers written before it still fit).
         */
        rememberPassword: z.boolean().optional(),
        /**
         * A new password known before signing in (the command line's change-password). The window
         * leaves it out: when the registry demands one, the sign-in asks with a new-password request.
         */
        newPassword: password.optional(),
        /**
         * How to sign in (SFTP only; the account's key is the one made or chosen for it). Absent: the
         * way the account signed in last, password for a new one. Kept for the account on success.
         */
        signInMethod: z.enum(SIGN_IN_METHODS).optional(),
      })
      .strict(),
  },
  /** Whether a password is saved for a login; never the password itself. */
  getSavedPassword: { input: z.object({ profileId: id, username }).strict() },
  /** Remove a login's saved password from the system keychain. */
  forgetPassword: { input: z.object({ profileId: id, username }).strict() },
  /**
   * Change the password the way the registry's profile says. For the connected account unless
   * `account` names another login (a web page needs no connection). `newPassword` is needed by every
   * method the app carries out itself; for `web-page` the page is opened instead.
   */
  changePassword: {
    input: z
      .object({
        newPassword: password.optional(),
        account: z.object({ profileId: id, protocol: z.enum(PROTOCOLS), username }).strict().optional(),
      })
      .strict(),
  },
  /**
   * After a change on the registry's web page: keep the new password (as pending) so the next sign-in
   * proves it. For the connected account unless `profileId` and `username` name another login.
   */
  storeChangedPassword: {
    input: z
      .object({ newPassword: password, profileId: id.optional(), username: username.optional() })
      .strict()
      .refine((v) => (v.profileId === undefined) === (v.username === undefined), 'give both profileId and username, or neither'),
  },
  /**
   * The connected account's password was already changed somewhere else (the registry's web page, or
   * another computer): the app stops offering the first-login change. Nothing is sent to the server
   * and the keychain is left as it is.
   */
  markPasswordChanged: { input: empty },
  /** What to do about a forgotten password: only the registry can reset it. */
  forgotPassword: { input: z.object({ profileId: id }).strict() },
  disconnect: { input: empty },
  listRemoteFolder: { input: z.object({ role: z.enum(FOLDER_ROLES) }).strict() },
  /** The next page of a big registry folder's listing (`more` from the page before). */
  listRemoteFolderMore: { input: z.object({ listing: listingToken }).strict() },
  /** `answer`: a trust decision for an identity request; `{ newPassword }` or `deny` for a new-password one. */
  answerRequest: { input: z.object({ id, answer: z.union([z.enum(TRUST_ANSWERS), z.object({ newPassword: password }).strict()]) }).strict() },
  listTrusted: { input: empty },
  removeTrusted: { input: z.object({ id }).strict() },
  openWebClient: { input: z.object({ profileId: id }).strict() },
  checkUpload: { input: z.object({ localPath }).strict() },
  upload: {
    input: z
      .object({
        localPath,
        /** The warning ids (from checkUpload) the user has read and accepted for this file. */
        acceptWarnings: z.array(z.string().min(1).max(120)).max(100).default([]),
      })
      .strict(),
  },
  cancelTransfer: { input: z.object({ transferId: id }).strict() },
  retryTransfer: { input: z.object({ transferId: id }).strict() },
  download: {
    input: z
      .object({
        role: z.enum(FOLDER_ROLES),
        /**
         * Names as the server listed them. They may hold control characters (a server chose them);
         * the engine gives each a safe local name, and refuses paths.
         */
        names: z.array(z.string().min(1).max(255).refine((s) => !s.includes('\u0000'), 'no NUL characters')).min(1).max(300),
        toFolder: localPath,
      })
      .strict(),
  },
  /** The registries ask clients to "verify deletions": the window asks first and says so here. */
  deleteRemoteFile: {
    input: z.object({ name: z.string().min(1).max(255), confirmed: z.literal(true) }).strict(),
  },
  listHistory: { input: z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict() },
  /**
   * Every file this computer sent to the connected account, with where it stands on the registry,
   * and the registry's files that match none. `from`/`to`: sent on or after `from` and on or before
   * `to` (ISO dates, days of this computer's calendar, both included).
   */
  listSubmissions: {
    input: z
      .object({
        from: z.iso.date().optional(),
        to: z.iso.date().optional(),
        states: z.array(z.enum(SUBMISSION_STATES)).max(SUBMISSION_STATES.length).optional(),
      })
      .strict(),
  },
  /** A registry file read for the viewer (a report, an ACK, a consent file); nothing is kept on disk. */
  openReport: {
    input: z.object({ role: z.enum(FOLDER_ROLES), name: z.string().min(1).max(255).refine((s) => !s.includes('\u0000'), 'no NUL characters') }).strict(),
  },
  /** The scores of every data quality report in the reports folder, oldest first. */
  listScores: { input: empty },
  /** The system's own file and folder pickers (Electron's dialog in the app). */
  chooseFilesToUpload: { input: empty },
  chooseDownloadFolder: { input: empty },
  /** How an account signs in, and its key (public half only). */
  getAccountSignIn: { input: z.object({ profileId: id, username }).strict() },
  /** Choose how an account signs in; a method with a key needs the account to have one. */
  setAccountSignIn: { input: z.object({ profileId: id, username, method: z.enum(SIGN_IN_METHODS) }).strict() },
  /** Make a new key for the account, kept in the app's data folder, its passphrase in the system keychain. */
  makeSignInKey: { input: z.object({ profileId: id, username, type: z.enum(KEY_TYPES).default('ed25519') }).strict() },
  /** The system's file picker, for a private key file the user already has. */
  chooseKeyFile: { input: empty },
  /**
   * Use the key file the user picked with chooseKeyFile (no other path) for the account; `passphrase`
   * when the file is protected by one (then kept in the system keychain).
   */
  useKeyFile: { input: z.object({ profileId: id, username, path: localPath, passphrase: z.string().min(1).max(1024).optional() }).strict() },
  /** Save the account's public key as a .pub file in a folder the user picks in the system's dialog. */
  savePublicKey: { input: z.object({ profileId: id, username }).strict() },
  /**
   * Check the connection to a registry step by step (name, TCP, handshake, sign-in, folders, FTPS
   * data connection). Sign-in only when the server's identity is already trusted and a password
   * (typed, or saved) or the account's key is there. Nothing is uploaded, nothing changed.
   */
  diagnose: {
    input: z
      .object({ profileId: id, protocol: z.enum(PROTOCOLS), username: username.optional(), password: password.optional() })
      .strict(),
  },
  /** Save a connection check's report as a text file in a folder the user picks. */
  saveDiagnosisReport: { input: z.object({ report: z.string().min(1).max(200_000) }).strict() },
  /** An account's "Send automatically from this folder": its folder, and what waits, was sent or was stopped. */
  getAutoSend: { input: z.object({ profileId: id, username }).strict() },
  /** Choose the export folder in the system's dialog (the app then watches it while signed in to the account). */
  chooseAutoSendFolder: { input: z.object({ profileId: id, username }).strict() },
  setAutoSendPaused: { input: z.object({ profileId: id, username, paused: z.boolean() }).strict() },
  /** Stop sending from the folder (its files stay where they are). */
  stopAutoSend: { input: z.object({ profileId: id, username }).strict() },
  /**
   * Uploads that failed while the window was closed (a scheduled send-new, any command line run),
   * from the history, newest first; none the first time the app opens.
   */
  listMissedFailures: { input: empty },
  /** The user has read them: those up to `upTo` (a history entry's time) are not shown again. */
  dismissMissedFailures: { input: z.object({ upTo: z.iso.datetime({ offset: true }) }).strict() },
} as const satisfies Record<CallName, { input: z.ZodType }>;

export type CallInput<N extends CallName> = z.input<(typeof calls)[N]['input']>;
export type ParsedInput<N extends CallName> = z.output<(typeof calls)[N]['input']>;

export interface CallResults {
  getAppInfo: Result<{ name: string; version: string; platform: string }>;
  /** `startWith`: the profile the window opens on (the practice registry until a real one was used). */
  listProfiles: Result<{ profiles: ProfileSummary[]; startWith: string | null }>;
  listLocalPlaces: Result<{ places: LocalPlace[] }>;
  /**
   * A folder on this computer, in the order of shared/listing-order.ts (an entry's place is its rank
   * by name). `entries`: the first page; `more`: the token for the next (null when none); `counts`:
   * the whole folder's, known at once.
   */
  listLocalFolder: Result<{ path: string; parent: string | null; entries: LocalEntry[]; counts: ListingCounts; more: string | null }>;
  listLocalFolderMore: Result<{ entries: LocalEntry[]; more: string | null }>;
  /** `notices`: plain sentences the user should read (the keychain could not be used, a password changed). */
  connect: Result<{ connection: ConnectionInfo; notices: string[] }>;
  getSavedPassword: Result<{ hasSavedPassword: boolean }>;
  forgetPassword: Result<{ forgotten: boolean }>;
  /**
   * `changed`: the registry confirmed the new password. `web-page`: nothing changed yet; `url` is the
   * page opened in the browser. `message` says what happened and what comes next, in plain words.
   */
  changePassword: Result<{ method: PasswordChangeMethod; changed: boolean; message: string; url?: string; notices: string[] }>;
  /** `saved`: the system keychain holds the new password (pending until a sign-in proves it). */
  storeChangedPassword: Result<{ saved: boolean; message: string }>;
  /** `connection`: the connected account as it is now (`passwordChangeDue` false). */
  markPasswordChanged: Result<{ connection: ConnectionInfo; message: string }>;
  /** `message` explains; whom to contact is only in `support`, which the window lists beside it. */
  forgotPassword: Result<{ message: string; support: SupportContact; webPageUrl: string | null }>;
  disconnect: Result;
  /** A registry folder, paged and ordered as `listLocalFolder`. */
  listRemoteFolder: Result<{ role: FolderRole; path: string; entries: RemoteEntry[]; counts: ListingCounts; more: string | null }>;
  listRemoteFolderMore: Result<{ entries: RemoteEntry[]; more: string | null }>;
  answerRequest: Result;
  listTrusted: Result<{ identities: TrustedIdentity[] }>;
  removeTrusted: Result;
  openWebClient: Result<{ url: string }>;
  checkUpload: Result<{ check: UploadCheck }>;
  upload: Result<{ transfer: TransferStatus }>;
  cancelTransfer: Result;
  retryTransfer: Result<{ transfer: TransferStatus }>;
  download: Result<{ transfers: TransferStatus[] }>;
  deleteRemoteFile: Result;
  listHistory: Result<{ entries: HistoryEntry[] }>;
  /** `checkedAt`: when the folders were listed (ISO 8601). */
  /** `notes`: what could not be looked at, in plain words (a folder the account may not list). */
  listSubmissions: Result<{ submissions: Submission[]; unmatched: UnmatchedRemoteFile[]; checkedAt: string; notes: string[] }>;
  openReport: Result<{ report: OpenedReport }>;
  listScores: Result<{ points: ScorePoint[] }>;
  chooseFilesToUpload: Result<{ paths: string[] }>;
  chooseDownloadFolder: Result<{ path: string | null }>;
  getAccountSignIn: Result<{ account: AccountSignIn }>;
  setAccountSignIn: Result<{ account: AccountSignIn }>;
  makeSignInKey: Result<{ account: AccountSignIn }>;
  /** `path`: null when the user cancelled. `needsPassphrase`: ask for it before useKeyFile. */
  chooseKeyFile: Result<{ path: string | null; fileName: string | null; needsPassphrase: boolean }>;
  useKeyFile: Result<{ account: AccountSignIn }>;
  /** `savedAs`: the file written, or null when the user cancelled. */
  savePublicKey: Result<{ savedAs: string | null }>;
  diagnose: Result<{ diagnosis: Diagnosis }>;
  saveDiagnosisReport: Result<{ savedAs: string | null }>;
  getAutoSend: Result<{ autoSend: AutoSendState }>;
  chooseAutoSendFolder: Result<{ autoSend: AutoSendState }>;
  setAutoSendPaused: Result<{ autoSend: AutoSendState }>;
  stopAutoSend: Result<{ autoSend: AutoSendState }>;
  listMissedFailures: Result<{ failures: HistoryEntry[] }>;
  dismissMissedFailures: Result;
}

/** What `window.registry` is: one method per call, plus the event subscription. */
export type RegistryApi = {
  readonly [N in CallName]: (input: CallInput<N>) => Promise<CallResults[N]>;
} & {
  /** Subscribe to events; returns the unsubscribe function. */
  readonly onEvent: (listener: (event: RegistryEvent) => void) => () => void;
  /**
   * The path on disk of a file dragged in from the system (Chromium hides it from the page; the
   * preload reads it with Electron's webUtils). '' when the File is not backed by a file on disk.
   */
  readonly pathForFile: (file: File) => string;
};

export type CallHandlers = {
  [N in CallName]: (input: ParsedInput<N>) => Promise<CallResults[N]>;
};

/** What the dropped-file channel (DROPPED_FILE_CHANNEL) carries: one full path. */
export const droppedFilePath = localPath;

export function failure(code: ErrorCode, message: string, detail?: string): Failure {
  return detail === undefined ? { ok: false, code, message } : { ok: false, code, message, detail };
}

/**
 * Validate a call by name and payload against the contract. Used by the main process (after its
 * sender check) and by the e2e bridge, so both dispatch exactly the same way.
 */
export async function dispatchCall(
  handlers: CallHandlers,
  name: unknown,
  payload: unknown,
): Promise<Result<object>> {
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(calls, name)) {
    return failure('invalid-input', 'The app asked for something it does not know how to do.');
  }
  const call = name as CallName;
  const parsed = calls[call].input.safeParse(payload ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? ` (${first.path.join('.')})` : '';
    return failure('invalid-input', `That request was not valid${where}: ${first?.message ?? 'unknown'}.`);
  }
  const handler = handlers[call] as (input: unknown) => Promise<Result<object>>;
  try {
    return await handler(parsed.data);
  } catch {
    // Handlers return expected failures themselves; anything thrown is a bug. Its message may carry
    // server text or paths, so only a generic message crosses to the renderer.
    return failure('internal', 'Something went wrong inside the app. Nothing was changed. Please try again.');
  }
}
