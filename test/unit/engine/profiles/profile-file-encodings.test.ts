// A custom profile saved by Windows Notepad (issue 11, item 14): UTF-8 with a byte order mark, or
// Notepad's "Unicode" (UTF-16 little-endian with a mark), is read like plain UTF-8.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTextFile, loadProfileFile } from '../../../../electron/engine/profiles';
import { localTexasProfile } from '../../../support/sshd';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-profile-encodings-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// A name with characters beyond ASCII, so a wrong decoding would show.
const profile = { ...localTexasProfile(2222, 'clinic-bom'), name: 'Texas ImmTrac2 — Clínica Año Nuevo' };
const json = JSON.stringify(profile, null, 2).replace(/\n/g, '\r\n');

describe('loadProfileFile', () => {
  it.each([
    ['UTF-8 without a mark', Buffer.from(json, 'utf8')],
    ['UTF-8 with a byte order mark (Notepad)', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json, 'utf8')])],
    ['UTF-16 little-endian with a mark (Notepad "Unicode")', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')])],
    ['UTF-16 big-endian with a mark', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(json, 'utf16le').swap16()])],
  ])('reads a profile saved as %s', async (label, bytes) => {
    const file = join(dir, `${label.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, bytes);
    const loaded = await loadProfileFile(file);
    expect(loaded.id).toBe('clinic-bom');
    expect(loaded.name).toBe('Texas ImmTrac2 — Clínica Año Nuevo');
    expect(loaded.endpoints).toEqual([{ protocol: 'sftp', host: '127.0.0.1', port: 2222 }]);
  });

  it('still says a file that is not JSON is not JSON', async () => {
    const file = join(dir, 'not-json.json');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id = clinic', 'utf8')]));
    await expect(loadProfileFile(file)).rejects.toThrow(`The profile file ${file} is not valid JSON.`);
  });

  it('keeps a mark-like character that is not at the start', () => {
    expect(decodeTextFile(Buffer.from('{"a":"\uFEFF"}', 'utf8'))).toBe('{"a":"\uFEFF"}');
  });
});
