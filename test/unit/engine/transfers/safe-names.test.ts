// Names from the registry's server become files on a clinic's Windows PC: whatever the server sends,
// the file lands inside the chosen folder, under a name Windows accepts, never over another file.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSafeRemoteName, safeLocalName, uniqueLocalPath } from '../../../../electron/engine/transfers/safe-names';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-names-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const WINDOWS_INVALID = /[<>:"/\\|?*\u0000-\u001f\u007f]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

describe('safeLocalName', () => {
  it.each([
    ['DQA_ABC123_20261114.txt', 'DQA_ABC123_20261114.txt'],
    ['../x', 'x'],
    ['a/b', 'b'],
    ['a/b/', 'b'],
    ['..\\..\\evil.exe', 'evil.exe'],
    ['/etc/passwd', 'passwd'],
    ['C:\\Windows\\System32\\drivers\\etc\\hosts', 'hosts'],
    ['C:report.txt', 'Creport.txt'],
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['Con.tar.gz', '_Con.tar.gz'],
    ['LPT9', '_LPT9'],
    ['com1 .log', '_com1 .log'],
    ['nul.', '_nul'],
    ['CONSENT.CNF', 'CONSENT.CNF'],
    ['LPT10.txt', 'LPT10.txt'],
    ['bell\u0007name.txt', 'bellname.txt'],
    ['line\nbreak.txt', 'linebreak.txt'],
    ['tab\tand\u007fdel.txt', 'tabanddel.txt'],
    ['report\u202Etxt.exe', 'reporttxt.exe'],
    ['what?<now>*"|.txt', 'whatnow.txt'],
    ['..', 'download'],
    ['.', 'download'],
    ['', 'download'],
    ['...', 'download'],
    ['  ', 'download'],
    ['../..', 'download'],
    ['name. ', 'name'],
    ['name . . ', 'name'],
    ['.hidden', '.hidden'],
    ['  leading.txt', 'leading.txt'],
    ['Cafe\u0301.txt', 'Caf\u00e9.txt'],
  ])('%j -> %j', (remote, local) => {
    expect(safeLocalName(remote)).toBe(local);
  });

  it('cuts a 300-character name to 200, keeping its extension', () => {
    const name = `${'a'.repeat(296)}.HL7`;
    const safe = safeLocalName(name);
    expect(safe).toHaveLength(200);
    expect(safe).toBe(`${'a'.repeat(196)}.HL7`);
    expect(safeLocalName('b'.repeat(300))).toBe('b'.repeat(200));
  });

  it('does not split a character made of two code units when it cuts', () => {
    const safe = safeLocalName(`${'😀'.repeat(150)}.txt`);
    expect(safe.length).toBeLessThanOrEqual(200);
    expect(safe.endsWith('.txt')).toBe(true);
    expect(safe).toBe(`${'😀'.repeat(98)}.txt`);
  });

  it('never leaves a trailing dot or space after a cut', () => {
    const safe = safeLocalName(`${'a'.repeat(190)}${'. '.repeat(20)}.txt`);
    expect(safe).toBe(`${'a'.repeat(190)}.txt`);
  });

  it('gives a name Windows accepts for every hostile input', () => {
    const hostile = ['../x', 'a/b', 'CON', 'con.txt', 'LPT9', 'x\u0007y', 'x\ny', '..', '.', '', 'z'.repeat(300), 'name. ', 'AUX.', '\u0000', '/', '\\\\server\\share\\'];
    for (const remote of hostile) {
      const safe = safeLocalName(remote);
      expect(safe, JSON.stringify(remote)).not.toBe('');
      expect(safe, JSON.stringify(remote)).not.toMatch(WINDOWS_INVALID);
      expect(safe, JSON.stringify(remote)).not.toMatch(WINDOWS_RESERVED);
      expect(safe, JSON.stringify(remote)).not.toMatch(/[. ]$/);
      expect(['.', '..']).not.toContain(safe);
      expect(safe.length).toBeLessThanOrEqual(200);
      expect(safeLocalName(safe), `${JSON.stringify(remote)} is stable`).toBe(safe);
    }
  });
});

describe('uniqueLocalPath', () => {
  it('keeps the name when it is free, numbers it when it is taken', async () => {
    const folder = join(dir, 'numbers');
    mkdirSync(folder);
    expect(await uniqueLocalPath(folder, 'DQA report.txt')).toBe(join(folder, 'DQA report.txt'));
    writeFileSync(join(folder, 'DQA report.txt'), 'first');
    expect(await uniqueLocalPath(folder, 'DQA report.txt')).toBe(join(folder, 'DQA report (2).txt'));
    writeFileSync(join(folder, 'DQA report (2).txt'), 'second');
    mkdirSync(join(folder, 'DQA report (3).txt')); // a folder takes the name as much as a file
    symlinkSync(join(folder, 'nowhere'), join(folder, 'DQA report (4).txt')); // so does a broken link
    expect(await uniqueLocalPath(folder, 'DQA report.txt')).toBe(join(folder, 'DQA report (5).txt'));
  });

  it('numbers names without an extension and names that start with a dot', async () => {
    const folder = join(dir, 'plain');
    mkdirSync(folder);
    writeFileSync(join(folder, 'README'), '');
    writeFileSync(join(folder, '.profile'), '');
    expect(await uniqueLocalPath(folder, 'README')).toBe(join(folder, 'README (2)'));
    expect(await uniqueLocalPath(folder, '.profile')).toBe(join(folder, '.profile (2)'));
  });

  it('refuses a name that was not made safe first', async () => {
    await expect(uniqueLocalPath(dir, '../escape.txt')).rejects.toThrow(/safeLocalName/);
    await expect(uniqueLocalPath(dir, 'CON')).rejects.toThrow(/safeLocalName/);
  });
});

describe('isSafeRemoteName', () => {
  it.each(['ABC123_20261114.HL7', 'weekly batch.hl7', '.hidden', 'Café.HL7', 'a'.repeat(255)])('accepts %j', (name) => {
    expect(isSafeRemoteName(name)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['dot', '.'],
    ['dot dot', '..'],
    ['a slash', 'a/b.HL7'],
    ['a climb', '../b.HL7'],
    ['a backslash', 'a\\b.HL7'],
    ['a bell', 'a\u0007.HL7'],
    ['a line break', 'a\n.HL7'],
    ['a NUL', 'a\u0000.HL7'],
    ['DEL', 'a\u007f.HL7'],
    ['a leading space', ' a.HL7'],
    ['a trailing space', 'a.HL7 '],
    ['256 bytes', 'a'.repeat(256)],
    ['over 255 bytes in UTF-8', 'é'.repeat(128)],
  ])('refuses a name with %s', (_what, name) => {
    expect(isSafeRemoteName(name)).toBe(false);
  });
});
