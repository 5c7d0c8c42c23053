// Where a CLI run gets its password: the environment variable named by --password-env, or the one
// the desktop app saved in the system keychain. Never an argument, never a prompt.
import { VaultError, vaultAccount, type CredentialVault } from '../engine/credentials/vault';
import { CliError } from './errors';

export const NO_PASSWORD = 'No password available: set --password-env VAR, or save the password in the desktop app.';

export async function resolvePassword(
  request: { passwordEnv?: string; profileId: string; username: string },
  env: NodeJS.ProcessEnv,
  vault: () => CredentialVault,
): Promise<string> {
  if (request.passwordEnv !== undefined) {
    const value = env[request.passwordEnv];
    if (value === undefined || value === '') {
      throw new CliError(
        'no-password',
        `No password available: the environment variable ${request.passwordEnv} named by --password-env is not set or is empty.`,
      );
    }
    return value;
  }
  const account = vaultAccount(request.profileId, request.username);
  let saved: string | null;
  try {
    saved = await vault().get(account);
  } catch (error) {
    if (error instanceof VaultError) throw new CliError('keychain-unavailable', `${NO_PASSWORD} ${error.message}`, error.detail);
    throw error;
  }
  if (saved === null || saved === '') {
    throw new CliError(
      'no-password',
      `${NO_PASSWORD} The system keychain has none saved for ${account} (a locked keychain also shows none).`,
    );
  }
  return saved;
}
