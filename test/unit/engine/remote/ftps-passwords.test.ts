// What the FTPS adapter may write to a log, and which passwords an FTP password-change command can
// carry at all: a log line never shows a password, whichever command carried it.
import { describe, expect, it } from 'vitest';
import { redactFtpCommand, sitePasswordCommandLine } from '../../../../electron/engine/remote/ftps';
import { ftpPasswordProblem } from '../../../../electron/engine/remote/remote-fs';

describe('redactFtpCommand', () => {
  it.each([
    ['PASS Issued-By-Registry-58!', 'PASS ********'],
    ["PASS Issued-By-Registry-58! Heron-Lantern-2290%", 'PASS ********'],
    ['> PASS Issued-By-Registry-58! Heron-Lantern-2290%', '> PASS ********'],
    ['pass lower-case-too', 'pass ********'],
    ['SITE PSWD Issued-By-Registry-58! Heron-Lantern-2290%', 'SITE PSWD ********'],
    ['> SITE PSWD "Issued By Registry" "Heron Lantern"', '> SITE PSWD ********'],
    ['site  pswd old new', 'site  pswd ********'],
    ['SITE CPWD Heron-Lantern-2290%', 'SITE CPWD ********'],
    ['SITE CHPWD VFg0NDEx aXNzdWVk aGVyb24=', 'SITE CHPWD ********'],
    ['PASS', 'PASS ********'],
  ])('%s', (line, logged) => {
    expect(redactFtpCommand(line)).toBe(logged);
  });

  it('leaves every other command as it is', () => {
    for (const line of ['USER TX4411', '> LIST -a /HL7-Dropoff', 'SITE CHMOD 644 file.HL7', '< 230 User logged in.', 'PASSIVE-looking name', 'STOR PASS.HL7']) {
      expect(redactFtpCommand(line)).toBe(line);
    }
  });

  it('hides a password that holds a line break too', () => {
    expect(redactFtpCommand('SITE PSWD old\r\nnew')).toBe('SITE PSWD ********');
  });
});

describe('the change commands', () => {
  it('are spelled as Serv-U, Titan and WS_FTP expect them', () => {
    expect(sitePasswordCommandLine({ method: 'site-pswd', quoted: false }, 'old-1', 'new-2')).toBe('SITE PSWD old-1 new-2');
    expect(sitePasswordCommandLine({ method: 'site-pswd', quoted: true }, 'old 1', 'new 2')).toBe('SITE PSWD "old 1" "new 2"');
    expect(sitePasswordCommandLine({ method: 'site-cpwd' }, 'old-1', 'new-2')).toBe('SITE CPWD new-2');
  });

  it('refuse passwords the line cannot carry, without repeating them', () => {
    const space = ftpPasswordProblem('pass-old-new', false, ['Issued-1!', 'Has Space-2!']);
    expect(space).toMatch(/separated by a space, so neither may contain a space\.$/);
    expect(space).not.toContain('Has Space');
    expect(ftpPasswordProblem('site-pswd', false, ['a b', 'c'])).not.toBeNull();
    expect(ftpPasswordProblem('site-pswd', true, ['a b', 'c d'])).toBeNull();
    expect(ftpPasswordProblem('site-pswd', true, ['a"b', 'c'])).toMatch(/double quote/);
    expect(ftpPasswordProblem('site-cpwd', false, ['new with space'])).toBeNull();
    expect(ftpPasswordProblem('site-cpwd', false, ['line\nbreak'])).toBe('A password sent over FTP cannot contain a line break or other control character.');
    expect(ftpPasswordProblem('pass-old-new', false, ['Issued-1!', 'Heron-Lantern-2290%'])).toBeNull();
  });
});
