// What the CLI prints: readable tables for people, one JSON document for scripts, and never a
// password, whatever text passes through.
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../electron/cli/errors';
import { folderListing, formatModified, formatSize, Output, table, terminalSafe } from '../../../electron/cli/output';

function captured(json: boolean) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = new Output({ stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t), env: {} }, json);
  return { out, stdout: () => stdout.join(''), stderr: () => stderr.join('') };
}

describe('Output', () => {
  it('blanks a hidden password in everything it prints', () => {
    const { out, stdout, stderr } = captured(true);
    out.hide('Winter-Clinic-2026!');
    out.out('server said: bad password Winter-Clinic-2026! for ABC123');
    out.fail(new CliError('auth-failed', 'Rejected Winter-Clinic-2026!', 'detail Winter-Clinic-2026!'));
    expect(stdout() + stderr()).not.toContain('Winter-Clinic-2026!');
    expect(stdout()).toContain('bad password ******** for ABC123');
  });

  it('reports a failure on stderr, and with --json also as {ok:false, code, message, exitCode} on stdout', () => {
    const human = captured(false);
    expect(human.out.fail(new CliError('permission-denied', 'Not allowed here.'))).toBe(5);
    expect(human.stderr()).toBe('registry-transfer: Not allowed here.\n');
    expect(human.stdout()).toBe('');

    const json = captured(true);
    expect(json.out.fail(new CliError('identity-unknown', 'Not trusted.', undefined, { fingerprint: 'SHA256:x' }))).toBe(3);
    expect(json.stderr()).toBe('registry-transfer: Not trusted.\n');
    expect(JSON.parse(json.stdout())).toEqual({ ok: false, code: 'identity-unknown', message: 'Not trusted.', exitCode: 3, fingerprint: 'SHA256:x' });
  });
});

describe('formatting', () => {
  it('gives sizes in the units a person reads', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(25 * 1024 * 1024)).toBe('25 MB');
  });

  it('gives times in local time to the minute, and a dash when the server did not say', () => {
    const local = new Date(2026, 10, 14, 9, 5, 42);
    expect(formatModified(local.getTime())).toBe('2026-11-14 09:05');
    expect(formatModified(null)).toBe('-');
  });

  it('lines columns up, sizes to the right', () => {
    expect(table([['NAME', 'SIZE', 'MODIFIED'], ['a.txt', '41 B', 'x'], ['long-name.HL7', '1.5 KB', 'y']], new Set([1]))).toEqual([
      'NAME             SIZE  MODIFIED',
      'a.txt            41 B  x',
      'long-name.HL7  1.5 KB  y',
    ]);
  });

  it('lists a folder with its role and path, and says when it is empty', () => {
    const folder = { role: 'dropoff' as const, name: 'HL7-Dropoff', rights: ['write' as const], description: '', path: '/ABC123/HL7-Dropoff' };
    expect(folderListing(folder, [])).toEqual(['HL7-Dropoff (dropoff)  /ABC123/HL7-Dropoff', '  (empty)']);
    const lines = folderListing(folder, [{ name: 'old', kind: 'folder', size: 4096, modified: null }]);
    expect(lines[2]).toMatch(/^ {2}old\/\s+-\s+-$/);
  });
});

describe('terminal-safe text', () => {
  it('shows every character a terminal would act on as an escape, and leaves other text alone', () => {
    expect(terminalSafe('\u001b]0;title\u0007a\tb\r\n\u007f\u0085\u009b\u2028\u202e\u2069')).toBe('\\x1B]0;title\\x07a\\x09b\\x0D\\x0A\\x7F\\x85\\x9B\\u2028\\u202E\\u2069');
    expect(terminalSafe('MYCLINIC_20261114 é 日本 😀.HL7')).toBe('MYCLINIC_20261114 é 日本 😀.HL7');
  });

  it('puts line breaks only between the lines it was given, on both streams', () => {
    const { out, stdout, stderr } = captured(false);
    out.out(['a\nb', '', 'c']);
    out.err('registry-transfer: x\r\u001b[2J');
    expect(stdout()).toBe('a\\x0Ab\n\nc\n');
    expect(stderr()).toBe('registry-transfer: x\\x0D\\x1B[2J\n');
  });

  it('keeps JSON exact while escaping the characters JSON.stringify leaves raw', () => {
    const { out, stdout } = captured(true);
    out.document({ name: 'a\u009b\u202eb\u001b' });
    expect(stdout()).not.toMatch(/[\u007f-\u009f\u202a-\u202e\u001b]/);
    expect(JSON.parse(stdout())).toEqual({ name: 'a\u009b\u202eb\u001b' });
  });
});
