// A path chosen for upload that is neither a file nor a folder (issue 11, item 14): a named pipe
// (mkfifo) or a socket is "not a regular file", named for what it is; a folder is still "a folder".
// The check only looks (stat): it never opens a pipe, which would wait for a writer for ever, and it
// asks the registry's server nothing.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProfile } from '../../../../electron/engine/profiles';
import type { RemoteFs } from '../../../../electron/engine/remote/remote-fs';
import { checkUpload, type UploadTarget } from '../../../../electron/engine/transfers/upload';
import { localTexasProfile } from '../../../support/sshd';

let dir: string;
let socketServer: Server;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rt-special-files-'));
  execFileSync('mkfifo', [join(dir, 'TX1234_20261203.HL7')]);
  mkdirSync(join(dir, 'TX1234_folder.HL7'));
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(join(dir, 'TX1234_socket.HL7'), resolve));
});
afterAll(async () => {
  await new Promise((resolve) => socketServer.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** A connection that fails the test if the check asks the server anything. */
const untouchable = new Proxy({} as RemoteFs, {
  get: (_target, property) => {
    throw new Error(`the check used the server (${String(property)})`);
  },
});

const profile = parseProfile({ ...localTexasProfile(22, 'special-files'), files: { extension: '.HL7', importCodeInName: true } });
const target: UploadTarget = {
  profile,
  username: 'TX1234',
  folders: profile.folders.map((f) => ({ role: f.role, name: f.name, rights: f.rights, description: f.description, path: `/TX1234/${f.path}` })),
};

describe('checkUpload on a path that is not a regular file', () => {
  it.each([
    ['a named pipe', 'TX1234_20261203.HL7', 'TX1234_20261203.HL7 is not a regular file (it is a named pipe), so it cannot be sent. Choose the HL7 file itself.'],
    ['a socket', 'TX1234_socket.HL7', 'TX1234_socket.HL7 is not a regular file (it is a socket), so it cannot be sent. Choose the HL7 file itself.'],
    ['a folder', 'TX1234_folder.HL7', 'TX1234_folder.HL7 is a folder, not a file. Choose the HL7 file itself.'],
  ])('%s: says what it is, and nothing can be sent', async (_kind, name, message) => {
    const check = await checkUpload(untouchable, target, join(dir, name));
    expect(check.canUpload).toBe(false);
    expect(check.lines).toEqual([{ id: 'file', severity: 'error', message }]);
  });

  it('a device', async () => {
    const check = await checkUpload(untouchable, target, '/dev/null');
    expect(check.lines).toEqual([{ id: 'file', severity: 'error', message: 'null is not a regular file (it is a device), so it cannot be sent. Choose the HL7 file itself.' }]);
  });
});
