// A server that refuses names starting with a dot (issue 11, item 7): Pure-FTPd started with `-x`
// answers `553 Prohibited file name` to the app's hidden temporary name, and the app sends under the
// same name without the dot (upload-<12 hex>.rt-partial, which the registry does not take for a
// batch: it does not end in .HL7). Where that is refused too, the message and the history say what
// was refused and what the server answered each time, and nothing is left. Where the connection is
// lost in the middle of such a file, the temporary copy without the dot is named in the message,
// written down, and removed on the next connection like any other.
import { chmodSync, existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hl7Batch, writeLargeHl7Batch } from '../support/hl7-samples';
import { startPureFtpd, type PureFtpdServer } from '../support/pure-ftpd';
import { openApp, pureFtpdRegistry, signal, type App, type TestRegistry } from '../support/transfer-harness';

const UNDOTTED_TEMPORARY = /^upload-[0-9a-f]{12}\.rt-partial$/;
const DOTTED_TEMPORARY = /^\.upload-[0-9a-f]{12}\.rt-partial$/;

let server: PureFtpdServer;
let registry: TestRegistry;
let scratch: string;
const apps: App[] = [];
let frozen: number[] = [];

beforeAll(async () => {
  server = await startPureFtpd({ tag: 'WD1', prohibitDotFilesWrite: true });
  registry = pureFtpdRegistry(server);
  scratch = mkdtempSync(join(tmpdir(), 'rt-whole-dotnames-'));
});
afterEach(async () => {
  signal(frozen.splice(0), 'SIGCONT');
  await Promise.all(apps.splice(0).map((app) => app.dispose()));
  chmodSync(server.dropoffDir, 0o755);
  for (const name of readdirSync(server.dropoffDir)) rmSync(join(server.dropoffDir, name), { force: true });
});
afterAll(async () => {
  signal(frozen.splice(0), 'SIGCONT');
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const dropoff = () => readdirSync(server.dropoffDir);
async function connected(profileId: string, timeoutSeconds?: number): Promise<App> {
  const app = openApp(registry, { profileId, ...(timeoutSeconds ? { timeoutSeconds } : {}) });
  apps.push(app);
  await app.connect();
  return app;
}

it('where the name without the dot is refused too, says what was refused and what the server answered each time, and leaves nothing', async () => {
  const app = await connected('whole-dotnames-refused');
  const name = `${server.account.username}_20261203_dots.HL7`;
  const path = join(scratch, name);
  writeFileSync(path, hl7Batch({ importCode: server.account.username, messages: 3, variant: 'D' }));
  // The account may not write in its dropoff at all (as a registry does while an account is suspended).
  chmodSync(server.dropoffDir, 0o555);
  const logBefore = server.log().length;
  const started = await app.call('upload', { localPath: path, acceptWarnings: [] });
  if (!started.ok) throw new Error(started.message);
  const final = await app.finished(started.transfer.id, 60_000);

  expect(final.state).toBe('failed');
  const stored = [...server.log().slice(logBefore).matchAll(/Command \[stor\] \[([^\]]+)\]/gi)].map((m) => m[1] as string);
  expect(stored).toHaveLength(2);
  const [dotted, undotted] = stored.map((p) => p.slice(p.lastIndexOf('/') + 1)) as [string, string];
  expect(dotted).toMatch(DOTTED_TEMPORARY);
  expect(undotted).toMatch(UNDOTTED_TEMPORARY);
  expect(final.message).toMatch(
    new RegExp(
      `^The registry does not allow this account to do that in /HL7-Dropoff/${undotted.replace(/\./g, '\\.')}\\. ${name.replace(/\./g, '\\.')} was not delivered: the registry's server refused it under the temporary name ${dotted.replace(/\./g, '\\.')} ` +
        `\\(it answered “553 Prohibited file name: [^”]*${dotted.replace(/\./g, '\\.')}”\\), and again under ${undotted.replace(/\./g, '\\.')}, without the leading dot some servers refuse ` +
        `\\(it answered “553 Can't open that file: Permission denied”\\)\\. The app sends every file under a temporary name first so that the registry never takes half a file\\. ` +
        `The registry's support team \\(Texas Immunization Registry Interoperability Team\\) can say what this account may do in HL7-Dropoff\\.$`,
    ),
  );
  expect(dropoff()).toEqual([]);
  const history = await app.call('listHistory', { limit: 1 });
  expect(history.ok && history.entries[0]).toMatchObject({ remoteName: name, result: 'failed', error: final.message });
});

it('a connection lost in the middle of a file under the name without the dot: the copy is named, written down, and removed on the next connection', async () => {
  const name = `${server.account.username}_20261203_dots_large.HL7`;
  const path = join(scratch, name);
  if (!existsSync(path)) {
    await writeLargeHl7Batch(join(scratch, 'large.HL7'), { importCode: server.account.username, minBytes: 64 * 1024 * 1024 });
    linkSync(join(scratch, 'large.HL7'), path);
  }
  const app = await connected('whole-dotnames-lost', 3);
  // Stop the server at the first bytes the app sends under the temporary name without the dot.
  app.onUpdate(
    (t) => t.direction === 'upload' && t.state === 'sending' && t.bytes > 0,
    () => {
      const { listener, sessions } = server.processes();
      frozen = [listener, ...sessions];
      signal(frozen, 'SIGSTOP');
    },
  );
  const started = await app.call('upload', { localPath: path, acceptWarnings: [] });
  if (!started.ok) throw new Error(started.message);
  const final = await app.finished(started.transfer.id, 60_000);

  expect(final.state).toBe('failed');
  const left = dropoff();
  expect(left).toHaveLength(1);
  const [leftName] = left as [string];
  expect(leftName).toMatch(UNDOTTED_TEMPORARY);
  expect(final.message.startsWith(`${name} was not delivered. `)).toBe(true);
  expect(final.message.endsWith(
    ` A partial copy under the temporary name ${leftName} may remain in HL7-Dropoff; the registry does not process it, and the app removes it the next time it connects to this account.`,
  )).toBe(true);
  const journal = JSON.parse(readFileSync(join(app.dataDir, 'upload-leftovers.json'), 'utf8')) as { path: string }[];
  expect(journal.map((e) => e.path.slice(e.path.lastIndexOf('/') + 1))).toEqual([leftName]);

  // The stopped sessions die, the copy stays on the disk; the server answers again.
  const { listener } = server.processes();
  signal(frozen.filter((pid) => pid !== listener), 'SIGKILL');
  signal([listener], 'SIGCONT');
  frozen = [];
  expect(dropoff()).toEqual([leftName]);

  const listing = await app.call('listRemoteFolder', { role: 'dropoff' });
  expect(listing.ok).toBe(true);
  expect(dropoff()).toEqual([]);
  expect(listing.ok && listing.entries.map((e) => e.name)).toEqual([]);
  expect(JSON.parse(readFileSync(join(app.dataDir, 'upload-leftovers.json'), 'utf8'))).toEqual([]);
});
