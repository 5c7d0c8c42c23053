// A scheduled `upload` goes through the same sign-in as the window (issue 12, item 2). The clinic
// changed the password on the registry's web page and saved the new one in the app, which keeps it as
// pending until a sign-in proves it. The nightly job, with no --password-env, must try the saved
// password and then the pending one (one attempt each, as sshd's log counts them), send the file,
// and keep the one that worked, so that the next night signs in at the first attempt.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_LAUNCHER } from '../support/cli-runner';
import { writeHl7Batch } from '../support/hl7-samples';
import { createKeyring, type Keyring } from '../support/keyring';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';

const PROFILE_ID = 'pending-texas';
const CHANGED_ON_WEB_PAGE = 'Changed-On-Web-Page-72!';
const KEYCHAIN_SERVICE = 'org.registrytransfer.app';

let sshd: SshServer;
let keyring: Keyring;
let scratch: string;

beforeAll(async () => {
  sshd = await startSshd({ tag: 'YP' });
  scratch = mkdtempSync(join(tmpdir(), 'rt cli pending '));
  keyring = await createKeyring(scratch);
}, 120_000);

afterAll(async () => {
  keyring?.dispose();
  await sshd?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const account = () => `${PROFILE_ID}:${sshd.home.username}`;
const count = (text: string, needle: string) => text.split(needle).length - 1;

async function store(keychainAccount: string, password: string): Promise<void> {
  const stored = await keyring.run('unlocked', ['secret-tool', 'store', '--label', 'Registry Transfer', 'service', KEYCHAIN_SERVICE, 'account', keychainAccount], { input: password });
  expect(stored.code, stored.stderr).toBe(0);
}

/** sshd's log since `mark`, once it shows `until` (its children append late), and a little after. */
async function logSince(mark: number, until: RegExp): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (!until.test(sshd.log().slice(mark)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // A little longer, so a further attempt (which would come straight after) would be logged too.
  await new Promise((r) => setTimeout(r, 300));
  return sshd.log().slice(mark);
}

describe('a scheduled upload after the password was changed on the registry\'s web page', () => {
  it('tries the saved password, then the pending one, once each; sends the file; and keeps the one that worked', async () => {
    const user = sshd.home.username;
    const issued = sshd.home.password;
    const profileFile = join(scratch, 'texas.json');
    writeFileSync(profileFile, JSON.stringify(localTexasProfile(sshd.port, PROFILE_ID)));
    const dataDir = join(scratch, 'data');
    const exports = join(scratch, 'Clinic Exports');
    mkdirSync(exports, { recursive: true });
    const file = join(exports, `${user}_20261203_nightly.HL7`);
    const bytes = writeHl7Batch(file, { importCode: user, messages: 2, variant: 'YP1' });

    // What the app holds after "I changed it on the web page": the old password as current, the new as pending.
    await store(account(), issued);
    await store(`${account()}#pending`, CHANGED_ON_WEB_PAGE);
    // What the registry holds now: the new password only.
    execFileSync('chpasswd', { input: `${user}:${CHANGED_ON_WEB_PAGE}\n` });

    const options = ['--profile', profileFile, '--user', user, '--trust', sshd.fingerprint, '--data-dir', dataDir];
    const mark = sshd.log().length;
    const nightly = await keyring.run('unlocked', [process.execPath, CLI_LAUNCHER, 'upload', file, ...options], { timeoutMs: 120_000 });
    expect(nightly.code, nightly.stderr).toBe(0);
    expect(nightly.stdout.trimEnd().split('\n').at(-1)).toBe('1 sent, 0 failed.');
    expect(readFileSync(join(sshd.home.accountDir, 'HL7-Dropoff', `${user}_20261203_nightly.HL7`))).toEqual(bytes);

    const log = await logSince(mark, new RegExp(`Accepted password for ${user} `));
    expect(count(log, `Failed password for ${user} `)).toBe(1);
    expect(count(log, `Accepted password for ${user} `)).toBe(1);
    // The pending password proved itself: it is the saved one now, and nothing is pending.
    expect(await keyring.lookup(account())).toBe(CHANGED_ON_WEB_PAGE);
    expect(await keyring.lookup(`${account()}#pending`)).toBeNull();
    for (const secret of [issued, CHANGED_ON_WEB_PAGE]) {
      expect(nightly.stdout + nightly.stderr).not.toContain(secret);
      expect(existsSync(join(dataDir, 'transfers.jsonl')) ? readFileSync(join(dataDir, 'transfers.jsonl'), 'utf8') : '').not.toContain(secret);
    }

    // The next night signs in at the first attempt.
    const mark2 = sshd.log().length;
    const next = await keyring.run('unlocked', [process.execPath, CLI_LAUNCHER, 'list', 'HL7-Dropoff', ...options], { timeoutMs: 120_000 });
    expect(next.code, next.stderr).toBe(0);
    const log2 = await logSince(mark2, new RegExp(`Accepted password for ${user} `));
    expect(count(log2, `Failed password for ${user} `)).toBe(0);
    expect(count(log2, `Accepted password for ${user} `)).toBe(1);
  });
});
