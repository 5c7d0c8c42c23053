// The upload pipeline's ways that no real server here can be made to take on cue (issue 11, items
// 6-9), over a small in-memory folder that follows RemoteFs: the old file moved aside during a
// replacement that cannot be removed afterwards (the delivery's message names it, and it is written
// down to be removed later); and the names the app uses for temporary copies, with and without the
// leading dot, known as such everywhere, never taken for a batch.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteEntry, UploadCheck } from '../../../../shared/contract';
import { parseProfile } from '../../../../electron/engine/profiles';
import { RemoteError, type RemoteFs } from '../../../../electron/engine/remote/remote-fs';
import { leftoverNote } from '../../../../electron/engine/transfers/leftover-journal';
import { isTemporaryName, sendFile, theTemporaryName, withoutNothingChanged, type UploadTarget } from '../../../../electron/engine/transfers/upload';
import { localTexasProfile } from '../../../support/sshd';

/** A dropoff in memory: names to contents; `refuse` says which operations on which names fail. */
class MemoryDropoff implements RemoteFs {
  readonly protocol = 'sftp' as const;
  readonly parallelTransfers = 1;
  readonly usable = true;
  readonly files = new Map<string, Buffer>();
  readonly steps: string[] = [];
  constructor(private readonly refuse: (op: string, path: string) => boolean = () => false) {}
  private check(op: string, path: string): void {
    this.steps.push(`${op} ${path}`);
    if (this.refuse(op, path)) throw new RemoteError('permission-denied', 'The registry does not allow this account to do that.', `550 ${op} refused`);
  }
  async home() {
    return '/';
  }
  async list(): Promise<RemoteEntry[]> {
    return [...this.files].map(([path, bytes]) => ({ name: path.slice(path.lastIndexOf('/') + 1), kind: 'file', size: bytes.length, modified: 0 }));
  }
  async size(path: string) {
    return this.files.get(path)?.length ?? null;
  }
  async upload(from: string | Buffer, path: string) {
    this.check('upload', path);
    if (typeof from === 'string') throw new Error('this test sends bytes');
    this.files.set(path, from);
    return from.length;
  }
  async download() {
    throw new Error('not used');
  }
  async read(): Promise<Buffer> {
    throw new Error('not used');
  }
  async rename(from: string, to: string) {
    this.check('rename', `${from} -> ${to}`);
    const bytes = this.files.get(from);
    if (!bytes) throw new RemoteError('not-found', `${from} was not found.`);
    this.files.delete(from);
    this.files.set(to, bytes);
  }
  async remove(path: string) {
    this.check('remove', path);
    if (!this.files.delete(path)) throw new RemoteError('not-found', `${path} was not found.`);
  }
  async close() {}
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-upload-whole-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const profile = parseProfile({ ...localTexasProfile(22, 'upload-whole'), files: { extension: '.HL7', importCodeInName: true } });
const target: UploadTarget = {
  profile,
  username: 'TX1234',
  folders: profile.folders.map((f) => ({ role: f.role, name: f.name, path: `/${f.path}`, rights: [...f.rights], description: f.description })),
};

function replacing(name: string, bytes: Buffer): UploadCheck {
  const localPath = join(dir, name);
  writeFileSync(localPath, bytes);
  return { localPath, fileName: name, size: bytes.length, sha256: null, messageCount: 1, lines: [], canUpload: true, warningIds: ['replace'] };
}

describe('replacing a waiting file where the server has no one-step replace', () => {
  it('moves the old file aside, renames the new one in, and where the old one cannot be removed after, names it in the delivery and writes it down', async () => {
    const fs = new MemoryDropoff((op, path) => op === 'remove' && path.includes('/.replaced-'));
    fs.files.set('/HL7-Dropoff/TX1234_a.HL7', Buffer.from('old'));
    const fresh = Buffer.from('MSH|new');
    const leftovers: string[] = [];
    const outcome = await sendFile(fs, target, replacing('TX1234_a.HL7', fresh), { contents: fresh, onLeftover: (path) => leftovers.push(path) });

    expect(fs.files.get('/HL7-Dropoff/TX1234_a.HL7')).toEqual(fresh);
    const aside = [...fs.files.keys()].find((p) => p.includes('/.replaced-')) as string;
    expect(fs.files.get(aside)).toEqual(Buffer.from('old'));
    expect(leftovers).toEqual([aside]);
    expect(outcome).toEqual({
      remotePath: '/HL7-Dropoff/TX1234_a.HL7',
      note: `The file it replaced is still in HL7-Dropoff under the hidden name ${aside.slice(aside.lastIndexOf('/') + 1)}; the registry does not process it, and the app removes it the next time it connects to this account.`,
    });
    // At no step was neither file under the name: moved aside, then the new one renamed in.
    const renames = fs.steps.filter((s) => s.startsWith('rename '));
    expect(renames).toEqual([`rename /HL7-Dropoff/TX1234_a.HL7 -> ${aside}`, expect.stringMatching(/^rename \/HL7-Dropoff\/\.upload-[0-9a-f]{12}\.rt-partial -> \/HL7-Dropoff\/TX1234_a\.HL7$/)]);
  });

  it('where the rename in fails once, puts the old file back under its name and removes the new copy', async () => {
    let refusedOnce = false;
    const fs = new MemoryDropoff((op, path) => {
      if (op !== 'rename' || !path.includes('/.upload-') || refusedOnce) return false;
      refusedOnce = true;
      return true;
    });
    fs.files.set('/HL7-Dropoff/TX1234_b.HL7', Buffer.from('old'));
    const fresh = Buffer.from('MSH|new');
    const error = await sendFile(fs, target, replacing('TX1234_b.HL7', fresh), { contents: fresh }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).message).toMatch(
      /^TX1234_b\.HL7 was not delivered: the new copy could not be renamed from \.upload-[0-9a-f]{12}\.rt-partial to TX1234_b\.HL7 \(it answered “550 rename refused”\)\. The file that was already waiting in HL7-Dropoff is back under its name, unchanged\.$/,
    );
    expect([...fs.files]).toEqual([['/HL7-Dropoff/TX1234_b.HL7', Buffer.from('old')]]);
  });
});

describe('temporary names', () => {
  it('are known with and without the leading dot, for new copies and old ones moved aside, and never end as a batch does', () => {
    for (const name of ['.upload-0123456789ab.rt-partial', 'upload-0123456789ab.rt-partial', '.replaced-0123456789ab.rt-partial', 'replaced-0123456789ab.rt-partial']) {
      expect(isTemporaryName(name)).toBe(true);
      expect(name.toLowerCase().endsWith('.hl7')).toBe(false);
    }
    for (const name of ['TX1234_upload-0123456789ab.rt-partial', 'upload-0123456789ab.HL7', 'upload-xyz.rt-partial', 'TX1234_20261203.HL7']) {
      expect(isTemporaryName(name)).toBe(false);
    }
  });

  it('are named in the words the user reads: a hidden one as hidden, one without the dot by its name', () => {
    expect(theTemporaryName('/HL7-Dropoff/.upload-0123456789ab.rt-partial')).toBe('the hidden name .upload-0123456789ab.rt-partial');
    expect(theTemporaryName('/HL7-Dropoff/upload-0123456789ab.rt-partial')).toBe('the temporary name upload-0123456789ab.rt-partial');
    expect(leftoverNote('HL7-Dropoff', '/HL7-Dropoff/.upload-0123456789ab.rt-partial')).toBe(
      'A partial copy under a hidden temporary name may remain in HL7-Dropoff; the registry does not process it, and the app removes it the next time it connects to this account.',
    );
    expect(leftoverNote('HL7-Dropoff', '/HL7-Dropoff/upload-0123456789ab.rt-partial')).toBe(
      'A partial copy under the temporary name upload-0123456789ab.rt-partial may remain in HL7-Dropoff; the registry does not process it, and the app removes it the next time it connects to this account.',
    );
  });

  it('a dropped connection\'s "Nothing was changed" is taken out where something stays behind', () => {
    expect(withoutNothingChanged('X was not delivered. The connection to h port 1 was dropped by the server or the network. Nothing was changed; try again.')).toBe(
      'X was not delivered. The connection to h port 1 was dropped by the server or the network.',
    );
  });
});
