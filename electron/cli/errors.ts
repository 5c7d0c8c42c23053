// Every way the CLI can stop short, as one error type with an engine error code, so the exit status,
// the plain-words message on stderr and the JSON on stdout all come from the same place.
import type { ErrorCode } from '../../shared/contract';
import { VaultError } from '../engine/credentials/vault';
import { ProfileError } from '../engine/profiles';
import { RemoteError } from '../engine/remote/remote-fs';

export class CliError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra facts for the clinic's IT (never a secret). */
    readonly detail?: string,
    /** Machine-readable facts added to the JSON error (fingerprints, host, port). */
    readonly facts: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError('invalid-input', message);

export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof RemoteError) {
    // The engine's words ask the user to choose a password; a scheduled job has nobody to do that.
    const hint =
      error.code === 'password-change-required'
        ? ' Choose it with registry-transfer change-password (see registry-transfer change-password --help), or sign in once with the desktop app, then run this again.'
        : '';
    return new CliError(error.code, `${error.message}${hint}`, error.detail);
  }
  if (error instanceof ProfileError) return new CliError('invalid-input', error.message);
  if (error instanceof VaultError) return new CliError(error.code, error.message, error.detail);
  // Anything else is a bug; its text may help IT, so it goes in the detail, not the message.
  return new CliError(
    'internal',
    'Something went wrong inside registry-transfer. Nothing was changed on the registry.',
    error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500),
  );
}
