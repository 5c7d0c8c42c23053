// What the CLI's exit status means, so a Task Scheduler job or a cron script can react without
// reading the words: every engine error code lands on exactly one of these.
import type { ErrorCode } from '../../shared/contract';

export const EXIT = {
  done: 0,
  failed: 1,
  usage: 2,
  untrusted: 3,
  noLogin: 4,
  refused: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One row per engine error code; the type makes a new code fail to compile until it is placed. */
export const EXIT_CODE_FOR: Record<ErrorCode, ExitCode> = {
  'invalid-input': EXIT.usage,
  'unknown-profile': EXIT.usage,
  'forbidden-sender': EXIT.failed,
  'not-connected': EXIT.failed,
  'identity-unknown': EXIT.untrusted,
  'identity-changed': EXIT.untrusted,
  'identity-denied': EXIT.untrusted,
  'auth-failed': EXIT.noLogin,
  // A job cannot choose a new password: someone runs change-password (or the desktop app) once.
  'password-change-required': EXIT.noLogin,
  'no-password': EXIT.noLogin,
  'keychain-unavailable': EXIT.noLogin,
  // The key given cannot be opened (said before connecting): the command line's input is wrong.
  'key-problem': EXIT.usage,
  unreachable: EXIT.failed,
  timeout: EXIT.failed,
  'tls-required': EXIT.failed,
  'permission-denied': EXIT.refused,
  // A full quota is the registry refusing the file by its rule, as a permission is: the same status as before it had a code of its own.
  'quota-full': EXIT.refused,
  'not-found': EXIT.failed,
  'folders-missing': EXIT.failed,
  busy: EXIT.failed,
  // Another program holds the account's connections: the job runs again later, no password to change.
  'too-many-connections': EXIT.failed,
  'algorithm-mismatch': EXIT.failed,
  incomplete: EXIT.failed,
  cancelled: EXIT.failed,
  internal: EXIT.failed,
};

/**
 * The status of a run that handled several files: the worst of theirs. The codes are ordered so
 * that a larger one is the one a person must act on first (a refusal beats one failed file).
 */
export const worstExitCode = (codes: readonly ExitCode[]): ExitCode => codes.reduce<ExitCode>((worst, code) => (code > worst ? code : worst), EXIT.done);

/** One file's failure: a bad value in what the user sent is that file failing, not a usage error. */
export const fileExitCode = (code: ErrorCode): ExitCode => (EXIT_CODE_FOR[code] === EXIT.usage ? EXIT.failed : EXIT_CODE_FOR[code]);

export const EXIT_CODES_HELP = `Exit status (for several files, the worst of them):
  0  done
  1  the operation failed (server unreachable, timed out, folder missing, a file failed its
     checks or was not sent, ...)
  2  usage: unknown command or option, missing or bad value, unknown profile or folder
  3  the server's identity is not trusted (new, changed, or not the one given with --trust)
  4  login failed, no password available, or the registry wants a new password first
     (choose it with registry-transfer change-password, or the desktop app) or did not
     take the new one
  5  refused by the registry (permission denied, or its file quota is full)`;
