// Where a CLI run gets its password: the environment variable named by --password-env, or (in the
// engine's sign-in) the ones the desktop app saved in the system keychain. Never an argument, never
// a prompt.
import { CliError } from './errors';

export const NO_PASSWORD = 'No password available: set --password-env VAR, or save the password in the desktop app.';

/** The password in the variable --password-env names; undefined when the option is not given. */
export function passwordFromEnv(passwordEnv: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (passwordEnv === undefined) return undefined;
  const value = env[passwordEnv];
  if (value === undefined || value === '') {
    throw new CliError('no-password', `No password available: the environment variable ${passwordEnv} named by --password-env is not set or is empty.`);
  }
  return value;
}
