// change-password's command line and its new-password prompt: the new password is never an
// argument, is asked for only on a terminal (twice, unseen), and a mistake changes nothing.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../electron/cli/args';
import { readNewPassword } from '../../../electron/cli/commands/change-password';
import { CliError } from '../../../electron/cli/errors';
import type { CliIo } from '../../../electron/cli/output';
import { readHiddenLine } from '../../../electron/cli/prompt';

const io = (extra: Partial<CliIo>): CliIo => ({ stdout: () => undefined, stderr: () => undefined, env: {}, ...extra });
const usage = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('invalid-input');
    return (error as CliError).message;
  }
  throw new Error('it was accepted');
};

describe('parseCommandLine for change-password', () => {
  it('takes the connection options and --new-password-env', () => {
    expect(parseCommandLine(['change-password', '--profile', 'texas-immtrac2', '--protocol', 'ftps', '--user', 'ABC123', '--password-env', 'RT_PASSWORD', '--new-password-env', 'RT_NEW'])).toEqual({
      kind: 'run',
      command: 'change-password',
      positionals: [],
      options: { json: false, profile: 'texas-immtrac2', protocol: 'ftps', user: 'ABC123', passwordEnv: 'RT_PASSWORD', newPasswordEnv: 'RT_NEW' },
    });
  });

  it('refuses a password as an argument or as the variable name, and options of other commands', () => {
    expect(() => parseCommandLine(['change-password', '--user', 'ABC123', 'Heron-Lantern-2290%'])).toThrow(/takes no arguments besides its options/);
    expect(() => parseCommandLine(['change-password', '--new-password-env', 'Heron-Lantern-2290%'])).toThrow(
      '--new-password-env takes the NAME of an environment variable (letters, digits and _), not the new password itself.',
    );
    expect(() => parseCommandLine(['change-password', '--new-password', 'x'])).toThrow(CliError);
    expect(() => parseCommandLine(['list', '--new-password-env', 'RT_NEW'])).toThrow('list does not take --new-password-env. See registry-transfer list --help.');
  });
});

describe('readNewPassword', () => {
  it('reads the variable --new-password-env names', async () => {
    expect(await readNewPassword({ json: false, newPasswordEnv: 'RT_NEW' }, io({ env: { RT_NEW: 'Heron-Lantern-2290%' } }), 'ABC123')).toBe('Heron-Lantern-2290%');
    expect(await usage(readNewPassword({ json: false, newPasswordEnv: 'RT_NEW' }, io({ env: {} }), 'ABC123'))).toMatch(/RT_NEW named by --new-password-env is not set or is empty/);
  });

  it('asks twice on a terminal, and nowhere else', async () => {
    const asked: string[] = [];
    const answers = ['Heron-Lantern-2290%', 'Heron-Lantern-2290%'];
    const tty = io({ stdinIsTTY: true, readSecret: async (prompt) => (asked.push(prompt), answers.shift() ?? '') });
    expect(await readNewPassword({ json: false }, tty, 'ABC123 at Texas ImmTrac2')).toBe('Heron-Lantern-2290%');
    expect(asked).toEqual(['New password for ABC123 at Texas ImmTrac2: ', 'Type the new password again: ']);

    const noTty = io({ stdinIsTTY: false, readSecret: async () => 'never asked' });
    expect(await usage(readNewPassword({ json: false }, noTty, 'ABC123'))).toMatch(/^change-password needs the new password, and there is no terminal/);
  });

  it('two different entries, or none, change nothing', async () => {
    const answers = ['Heron-Lantern-2290%', 'Heron-Lantern-2291%'];
    const typo = io({ stdinIsTTY: true, readSecret: async () => answers.shift() ?? '' });
    expect(await usage(readNewPassword({ json: false }, typo, 'ABC123'))).toBe('The two new passwords were not the same. Nothing was changed.');
    const nothing = io({ stdinIsTTY: true, readSecret: async () => '' });
    expect(await usage(readNewPassword({ json: false }, nothing, 'ABC123'))).toBe('No new password was entered. Nothing was changed.');
  });
});

describe('readHiddenLine', () => {
  const terminal = () => {
    const input = Object.assign(new PassThrough(), { isRaw: false, modes: [] as boolean[] });
    (input as unknown as { setRawMode: (raw: boolean) => void }).setRawMode = (raw: boolean) => {
      input.isRaw = raw;
      input.modes.push(raw);
    };
    let shown = '';
    const output = { write: (text: string) => ((shown += text), true) };
    return { input, output, shown: () => shown };
  };

  it('reads a line in raw mode without echoing it; backspace and arrow keys edit nothing unseen', async () => {
    const t = terminal();
    const line = readHiddenLine(t.input as unknown as NodeJS.ReadStream, t.output as unknown as NodeJS.WriteStream, 'New password: ');
    t.input.write('Heron-Lantern-22');
    t.input.write('9x\u007f0\u001b[D%\r');
    expect(await line).toBe('Heron-Lantern-2290%');
    expect(t.shown()).toBe('New password: \n');
    expect(t.input.modes).toEqual([true, false]);
  });

  it('Ctrl+C stops with nothing changed, and the terminal is put back', async () => {
    const t = terminal();
    const line = readHiddenLine(t.input as unknown as NodeJS.ReadStream, t.output as unknown as NodeJS.WriteStream, 'New password: ');
    t.input.write('Heron\u0003');
    await expect(line).rejects.toMatchObject({ code: 'cancelled', message: 'Stopped. Nothing was changed.' });
    expect(t.input.isRaw).toBe(false);
  });
});
