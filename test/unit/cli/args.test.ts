// How the CLI reads its command line: everything a scheduled job could get wrong is a usage error
// (exit 2) with a plain sentence, found before any connection is made.
import { describe, expect, it } from 'vitest';
import { parseCommandLine, wantsJson } from '../../../electron/cli/args';
import { CliError } from '../../../electron/cli/errors';

const usage = (argv: string[]): CliError => {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('invalid-input');
    return error as CliError;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('parseCommandLine', () => {
  it('reads a full list command, with options before or after the command', () => {
    const argv = ['--data-dir', '/srv/rt', 'list', 'DQA-Report', '--profile', 'texas-immtrac2', '--protocol', 'SFTP', '--host', 'sftp.test.example', '--port', '2222', '--user', 'ABC123', '--password-env', 'RT_PASSWORD', '--trust', `SHA256:${'A'.repeat(43)}`, '--timeout', '30', '--json'];
    expect(parseCommandLine(argv)).toEqual({
      kind: 'run',
      command: 'list',
      positionals: ['DQA-Report'],
      options: {
        dataDir: '/srv/rt',
        profile: 'texas-immtrac2',
        protocol: 'sftp',
        host: 'sftp.test.example',
        port: 2222,
        user: 'ABC123',
        passwordEnv: 'RT_PASSWORD',
        trust: `SHA256:${'A'.repeat(43)}`,
        timeoutSeconds: 30,
        json: true,
      },
    });
  });

  it('takes help and version before anything else', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help', command: null });
    expect(parseCommandLine(['list', '-h', '--port', 'abc'])).toEqual({ kind: 'help', command: 'list' });
    expect(parseCommandLine(['help', 'profiles'])).toEqual({ kind: 'help', command: 'profiles' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version', json: false });
  });

  it.each([
    [['send'], /Unknown command "send"/],
    [[], /Say what to do/],
    [['list', '--colour'], /Unknown option --colour/],
    [['list', '--port'], /--port needs a value/],
    [['list', '--port', 'abc'], /--port must be a whole number from 1 to 65535/],
    [['list', '--port', '0'], /--port must be/],
    [['list', '--port', '65536'], /--port must be/],
    [['list', '--port', '22.5'], /--port must be/],
    [['list', '--protocol', 'ftp'], /--protocol must be sftp or ftps/],
    [['list', '--host', 'sftp://registry.example/'], /--host must be a host name/],
    [['list', '--timeout', '0'], /--timeout must be/],
    [['list', '--timeout', 'soon'], /--timeout must be/],
    [['list', '--trust', 'SHA256:abc'], /--trust must be a SHA-256 fingerprint/],
    [['list', '--trust', 'AB:CD'], /--trust must be a SHA-256 fingerprint/],
    [['list', '--user', ''], /--user needs a value/],
    [['list', '--json=yes'], /--json does not take a value/],
    [['list', 'DQA-Report', 'Receive'], /at most one folder/],
    [['profiles', 'extra'], /takes no arguments/],
    [['profiles', '--trust', `SHA256:${'A'.repeat(43)}`], /profiles does not take --trust/],
    [['help', 'send'], /There is no command "send"/],
  ])('refuses %j', (argv, message) => {
    expect(usage(argv).message).toMatch(message);
  });

  it('never echoes what may be a password typed where an option or a variable name belongs', () => {
    const typed = 'Winter-Clinic-2026!';
    for (const argv of [
      ['list', '--password', typed],
      ['list', `--password=${typed}`],
      ['list', '-p', typed],
      ['list', '--password-env', typed],
    ]) {
      const error = usage(argv);
      expect(error.message).not.toContain(typed);
      expect(error.message).toMatch(/--password-env/);
    }
  });

  it('accepts both fingerprint forms for --trust', () => {
    const hex = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0')).join(':');
    const line = parseCommandLine(['list', '--trust', hex]);
    expect(line.kind === 'run' && line.options.trust).toBe(hex);
  });

  it('reads practice with its ports, --process-after and --ready (issue 13, item 5)', () => {
    const argv = ['practice', '--data-dir', '/srv/p', '--sftp-port', '2222', '--ftps-implicit-port', '990', '--ftps-explicit-port', '2121', '--process-after', '0.2', '--ready', '--json'];
    expect(parseCommandLine(argv)).toEqual({
      kind: 'run',
      command: 'practice',
      positionals: [],
      options: { dataDir: '/srv/p', sftpPort: 2222, ftpsImplicitPort: 990, ftpsExplicitPort: 2121, processAfterSeconds: 0.2, ready: true, json: true },
    });
    const zero = parseCommandLine(['practice', '--process-after', '0']);
    expect(zero.kind === 'run' && zero.options.processAfterSeconds).toBe(0);
  });

  it.each([
    [['practice', '--sftp-port', '0'], /--sftp-port must be a whole number from 1 to 65535/],
    [['practice', '--ftps-implicit-port', '65536'], /--ftps-implicit-port must be a whole number from 1 to 65535/],
    [['practice', '--ftps-explicit-port', '21.5'], /--ftps-explicit-port must be a whole number from 1 to 65535/],
    [['practice', '--sftp-port', '2222', '--ftps-implicit-port', '2222'], /must be three different ports/],
    [['practice', '--process-after=-1'], /--process-after must be a number of seconds/],
    [['practice', '--process-after', '-1'], /--process-after needs a value/],
    [['practice', '--process-after', 'soon'], /--process-after must be a number of seconds/],
    [['practice', '--user', 'PRAC01'], /practice does not take --user/],
    [['practice', '--trust', `SHA256:${'A'.repeat(43)}`], /practice does not take --trust/],
    [['practice', 'now'], /practice takes no arguments besides its options/],
    [['list', '--sftp-port', '2222'], /list does not take --sftp-port/],
  ])('refuses practice options where they do not belong or are wrong: %j', (argv, message) => {
    expect(usage(argv).message).toMatch(message);
  });

  it('knows --json was asked for even when the rest does not parse', () => {
    expect(wantsJson(['list', '--port', 'abc', '--json'])).toBe(true);
    expect(wantsJson(['list'])).toBe(false);
  });
});
