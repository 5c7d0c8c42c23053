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
  'no-password': EXIT.noLogin,
  'keychain-unavailable': EXIT.noLogin,
  unreachable: EXIT.failed,
  timeout: EXIT.failed,
  'tls-required': EXIT.failed,
  'permission-denied': EXIT.refused,
  'not-found': EXIT.failed,
  'folders-missing': EXIT.failed,
  busy: EXIT.failed,
  cancelled: EXIT.failed,
  internal: EXIT.failed,
};

export const EXIT_CODES_HELP = `Exit status:
  0  done
  1  the operation failed (server unreachable, timed out, folder missing, ...)
  2  usage: unknown command or option, missing or bad value, unknown profile or folder
  3  the server's identity is not trusted (new, changed, or not the one given with --trust)
  4  login failed, or no password available
  5  refused by the registry (permission denied)`;
