// The practice registry (issue 13) as clients nobody here wrote meet it: OpenSSH's `sftp` (sshpass
// types the password), `curl` over SFTP (libssh2), and `curl` over FTPS with implicit and explicit
// TLS, each against a registry started here on a fresh data folder, its identity checked strictly
// (the host key pinned in known_hosts or by its SHA-256, the certificate verified with --cacert).
// Each client lists the root and the folders, sends a batch to HL7-Dropoff under a temporary name and
// renames it there, fetches the batch from Accepted and the registry's answers from DQA-Report and
// Receive once processed, deletes what it sent by mistake, and is refused, in the words it shows a
// person, a write to a read-only folder, a write at the root, the 301st file and a path that climbs
// out of the account. Then the first-login change as each client can make it (OpenSSH's sftp through
// SSH_ASKPASS over SFTP, curl's `PASS old new` over FTPS; sshpass and libssh2 cannot answer the
// change request), and a script's flood of connections on each door, refused plainly while a proper
// client is served again once it has gone.
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, mkdtempSync, existsSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPracticeRegistry } from '../../electron/practice/practice-registry';
import { outputNames } from '../../electron/practice/processing/names';
import { filesUnder } from '../support/files';
import {
  batchOutput,
  curlFtps,
  curlSftp,
  eventually,
  keysDir,
  opensshSftp,
  opensshSftpAskpass,
  pinHostKey,
  practiceClients,
  serverReplies,
  type ClientTarget,
  type Run,
} from '../support/practice-clients';

const ROOT = new URL('../..', import.meta.url).pathname;
/** A clean weekly batch the registry accepts (electron/practice/samples/README.md). */
const SAMPLE = join(ROOT, 'electron', 'practice', 'samples', 'PRAC01_20261201_weekly.HL7');
const FOLDERS = ['Accepted', 'DQA-Report', 'HL7-Dropoff', 'Receive'];
/** A new password that meets the Texas rules (upper, lower, digit, symbol, 10 or more). */
const CHOSEN = 'Lantern-Harbor-2291#';

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-practice-clients-'));
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A practice registry on a fresh data folder of its own, its host key pinned for OpenSSH. */
async function startTarget(name: string, options: { ready: boolean }): Promise<ClientTarget & { stop(): Promise<void> }> {
  const place = join(scratch, name);
  mkdirSync(join(place, 'home'), { recursive: true });
  const dataDir = join(place, 'data');
  // Processing a moment after a file lands, so the tests see the registry's answers soon.
  const registry = await startPracticeRegistry({ dataDir, ready: options.ready, processAfterSeconds: 0.2 });
  const knownHosts = join(place, 'known_hosts');
  await pinHostKey(dataDir, registry.sftp.port, knownHosts, join(place, 'home'));
  const issued = registry.issuedPassword() as string;
  return { registry, dataDir, scratch: place, knownHosts, password: () => issued, stop: () => registry.stop() };
}

/**
 * A registry (account ready) for the tests of one describe: started before them, stopped after. The
 * object is filled in before the first test runs, so clients made from it at collection time reach it.
 */
function registryForThisDescribe(name: string, prepare: (target: ClientTarget) => void = () => undefined): ClientTarget {
  const target = {} as ClientTarget;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const started = await startTarget(name, { ready: true });
    stop = started.stop;
    Object.assign(target, started);
    prepare(target);
  });
  afterAll(async () => {
    await stop?.();
  });
  return target;
}

const sorted = (names: string[]) => [...names].sort();
const onDisk = (target: ClientTarget, folder: string) => sorted(readdirSync(target.registry.files.folderPath(folder)));
const whatWasSaid = (run: Run) => `exit ${run.code}\n${run.stdout}\n${run.stderr}`;

describe('clients nobody here wrote, on a registry whose account is ready', () => {
  // One registry for the four clients; each client's files carry its own tag, so none meets another's.
  const target = registryForThisDescribe('ready', ({ registry }) => {
    // What the registry had answered before: something to list in each read-only folder.
    writeFileSync(join(registry.files.folderPath('Accepted'), 'PRAC01_20261101_earlier.HL7'), readFileSync(SAMPLE));
    writeFileSync(join(registry.files.folderPath('DQA-Report'), 'PRAC01_20261101_earlier_DQA.txt'), 'Data quality report for an earlier batch.\r\n');
    writeFileSync(join(registry.files.folderPath('Receive'), 'PRAC01_20261101_earlier.CNF'), 'consent\r\n');
  });

  /** Nothing waiting in HL7-Dropoff or being processed: the next test starts from a quiet registry. */
  const quiet = () => eventually(() => target.registry.processor.pending === 0 && onDisk(target, 'HL7-Dropoff').length === 0, 'HL7-Dropoff empty and nothing being processed');

  describe.each(practiceClients(target))('$name', (client) => {
    it('lists the root (the four folders) and each folder as the registry holds it', async () => {
      await quiet();
      const top = await client.list('/');
      expect(top.run.code, whatWasSaid(top.run)).toBe(0);
      expect(sorted(top.names)).toEqual(FOLDERS);
      for (const folder of FOLDERS) {
        const listed = await client.list(`/${folder}`);
        expect(listed.run.code, whatWasSaid(listed.run)).toBe(0);
        expect(sorted(listed.names), folder).toEqual(onDisk(target, folder));
      }
      expect((await client.list('/Receive')).names).toContain('PRAC01_20261101_earlier.CNF');
    });

    it('sends a batch to HL7-Dropoff under a temporary name, renames it there, and fetches it from Accepted and its answers from DQA-Report and Receive once processed', async () => {
      await quiet();
      const name = `PRAC01_20261210_${client.tag}.HL7`;
      const partial = `${name}.partial`;
      const sent = await client.upload(SAMPLE, `/HL7-Dropoff/${partial}`);
      expect(sent.code, whatWasSaid(sent)).toBe(0);
      expect(readFileSync(join(target.registry.files.folderPath('HL7-Dropoff'), partial))).toEqual(readFileSync(SAMPLE));
      // A temporary name is left alone: the registry has nothing waiting to process.
      expect(target.registry.processor.pending).toBe(0);
      expect((await client.list('/HL7-Dropoff')).names).toEqual([partial]);

      const renamed = await client.rename(`/HL7-Dropoff/${partial}`, `/HL7-Dropoff/${name}`);
      expect(renamed.code, whatWasSaid(renamed)).toBe(0);
      // Under its final name the batch has landed: a moment later the registry has answered it.
      const accepted = join(target.registry.files.folderPath('Accepted'), name);
      await eventually(() => existsSync(accepted) && target.registry.processor.pending === 0, `${name} processed and moved to Accepted`);
      expect(onDisk(target, 'HL7-Dropoff')).toEqual([]);

      const answers = outputNames(name);
      const fetched = [
        { remote: `/Accepted/${name}`, local: accepted },
        { remote: `/DQA-Report/${answers.ack}`, local: join(target.registry.files.folderPath('DQA-Report'), answers.ack) },
        { remote: `/DQA-Report/${answers.report('text')}`, local: join(target.registry.files.folderPath('DQA-Report'), answers.report('text')) },
        { remote: `/DQA-Report/${answers.report('html')}`, local: join(target.registry.files.folderPath('DQA-Report'), answers.report('html')) },
        { remote: `/Receive/${answers.consent}`, local: join(target.registry.files.folderPath('Receive'), answers.consent) },
      ];
      for (const { remote, local } of fetched) {
        const saved = join(target.scratch, `${client.tag}-${basename(remote)}`);
        const got = await client.download(remote, saved);
        expect(got.code, whatWasSaid(got)).toBe(0);
        expect(readFileSync(saved), remote).toEqual(readFileSync(local));
      }
      expect(readFileSync(join(target.scratch, `${client.tag}-${name}`))).toEqual(readFileSync(SAMPLE));
      // What a person reads first: the ACK accepts every message, the report names the batch.
      expect(readFileSync(join(target.scratch, `${client.tag}-${answers.ack}`), 'utf8')).toMatch(/MSA\|AA\|/);
      expect(readFileSync(join(target.scratch, `${client.tag}-${answers.report('text')}`), 'utf8')).toContain(name);
      expect((await client.list('/DQA-Report')).names).toEqual(expect.arrayContaining([answers.ack, answers.report('text'), answers.report('html')]));
    });

    it('deletes a file it sent to HL7-Dropoff by mistake', async () => {
      await quiet();
      const mistake = `PRAC01_20261211_${client.tag}_mistake.tmp`;
      expect((await client.upload(SAMPLE, `/HL7-Dropoff/${mistake}`)).code).toBe(0);
      expect(onDisk(target, 'HL7-Dropoff')).toEqual([mistake]);
      const removed = await client.remove(`/HL7-Dropoff/${mistake}`);
      expect(removed.code, whatWasSaid(removed)).toBe(0);
      expect(onDisk(target, 'HL7-Dropoff')).toEqual([]);
      expect((await client.list('/HL7-Dropoff')).names).toEqual([]);
    });

    it('is refused a write to Accepted (read-only) and at the root (list-only), and nothing is written', async () => {
      await quiet();
      const accepted = onDisk(target, 'Accepted');
      const intoAccepted = await client.upload(SAMPLE, `/Accepted/PRAC01_20261212_${client.tag}.HL7`);
      expect(intoAccepted.code).not.toBe(0);
      expect(intoAccepted.stderr).toMatch(client.saysPermission);
      expect(onDisk(target, 'Accepted')).toEqual(accepted);

      const atRoot = await client.upload(SAMPLE, `/PRAC01_20261212_${client.tag}.HL7`);
      expect(atRoot.code).not.toBe(0);
      expect(atRoot.stderr).toMatch(client.saysPermission);
      expect(sorted(readdirSync(target.registry.files.accountDir))).toEqual(FOLDERS);
      if (client.tag.startsWith('curlftp')) {
        expect(serverReplies(intoAccepted.stderr)).toContain('550 Permission denied. Accepted is read-only: only the registry puts files there. Send files to HL7-Dropoff.');
        expect(serverReplies(atRoot.stderr)).toContain('550 Permission denied. Files go in HL7-Dropoff: the top folder is list-only.');
      }
    });

    it("is refused the 301st file in HL7-Dropoff with the registry's quota refusal, and the refused upload leaves no file behind", async () => {
      await quiet();
      const dropoff = target.registry.files.folderPath('HL7-Dropoff');
      // 300 small files put there directly (not through a client: the test is about the 301st).
      for (let i = 0; i < 300; i++) writeFileSync(join(dropoff, `PRAC01_20261213_earlier_${String(i).padStart(3, '0')}.HL7`), 'MSH|^~\\&|\r');
      try {
        const oneTooMany = `PRAC01_20261213_${client.tag}_301st.HL7`;
        const refused = await client.upload(SAMPLE, `/HL7-Dropoff/${oneTooMany}`);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toMatch(client.saysQuota);
        expect(onDisk(target, 'HL7-Dropoff')).toHaveLength(300);
        expect(onDisk(target, 'HL7-Dropoff')).not.toContain(oneTooMany);
        expect(target.registry.processor.pending).toBe(0);
      } finally {
        for (const name of readdirSync(dropoff)) rmSync(join(dropoff, name));
      }
    });

    it('is refused a path that climbs out of its folders (../ and ..\\), reads nothing above them, and writes nothing anywhere', async () => {
      await quiet();
      const before = filesUnder(target.dataDir).sort();
      // Five levels up from HL7-Dropoff would be this test's scratch folder, if the registry followed them.
      const climb = await client.upload(SAMPLE, '/HL7-Dropoff/../../../../../escape.HL7');
      expect(climb.code).not.toBe(0);
      // The registry keeps `..` inside the account: this names /escape.HL7, the list-only top folder.
      expect(climb.stderr).toMatch(client.saysPermission);
      const backslashes = await client.upload(SAMPLE, client.tag === 'openssh' ? '/HL7-Dropoff/..\\\\..\\\\escape.HL7' : '/HL7-Dropoff/..%5C..%5Cescape.HL7');
      expect(backslashes.code).not.toBe(0);
      expect(backslashes.stderr).toMatch(client.saysBadName);
      // Three levels up from HL7-Dropoff is the registry's own folder, with its keys.
      const saved = join(target.scratch, `${client.tag}-climbed.pem`);
      const key = await client.download('/HL7-Dropoff/../../../keys/tls-key.pem', saved);
      expect(key.code).not.toBe(0);
      expect(key.stderr).toMatch(client.saysNotFound);
      expect(existsSync(saved) ? readFileSync(saved, 'utf8') : '').not.toContain('PRIVATE KEY');
      expect(`${key.stdout}${key.stderr}`).not.toContain('PRIVATE KEY');

      expect(filesUnder(scratch).filter((path) => basename(path).includes('escape'))).toEqual([]);
      expect(filesUnder(target.dataDir).sort()).toEqual(before);
    });
  });
});

describe('the first-login change, on a registry started with ready: false', () => {
  it("over SFTP: sshpass and curl (libssh2) cannot answer the registry's change request; OpenSSH's sftp answers it through SSH_ASKPASS, a new password breaking the rules is answered with another change request (three rounds, then refused, the issued one kept), the chosen one taken in the same sign-in", async () => {
    const target = await startTarget('first-login-sftp', { ready: false });
    const { registry } = target;
    const issued = target.password();
    try {
      expect(registry.files.mustChangePassword).toBe(true);

      // sshpass types the password once; the registry's change request brings more prompts, which
      // sshpass takes for a wrong password (its exit code 5), so it gives up.
      const bySshpass = await opensshSftp(target, ['ls -1']);
      expect(bySshpass.code, whatWasSaid(bySshpass)).toBe(5);
      // libssh2 (curl) has no answer to SSH_MSG_USERAUTH_PASSWD_CHANGEREQ: a plain authentication failure.
      const byCurl = await curlSftp(target, '/', ['--list-only']);
      expect(byCurl.code).toBe(67);
      expect(byCurl.stderr).toMatch(/Authentication failure/);
      expect(registry.issuedPassword()).toBe(issued);
      expect(registry.files.mustChangePassword).toBe(true);

      // OpenSSH answers the change request (RFC 4252 section 8) with three prompts of its own. A new
      // password breaking the rules is answered with another change request saying why (the RFC's
      // way), so OpenSSH asks again; after three such rounds the sign-in ends, the issued one kept.
      const prompts = join(target.scratch, 'prompts-weak.txt');
      const weak = await opensshSftpAskpass(target, ['ls -1'], { old: issued, new: 'short' }, prompts);
      expect(weak.code).not.toBe(0);
      expect(weak.stderr).toContain('Your password has expired: choose a new one to sign in.');
      expect(weak.stderr).toContain("New password not accepted: it does not meet the registry's password rules. Choose another one.");
      expect(weak.stderr).toMatch(/Permission denied \(password\)/);
      const round = ["Enter PRAC01@127.0.0.1's old password:", "Enter PRAC01@127.0.0.1's new password:", "Retype PRAC01@127.0.0.1's new password:"];
      expect(readFileSync(prompts, 'utf8').trim().split('\n').map((line) => line.trim())).toEqual(["PRAC01@127.0.0.1's password:", ...round, ...round, ...round]);
      expect(registry.issuedPassword()).toBe(issued);
      expect(registry.files.mustChangePassword).toBe(true);

      // A weak one first, then one the registry takes: the same sign-in goes on and succeeds.
      const secondTry = join(target.scratch, 'prompts-chosen.txt');
      const changed = await opensshSftpAskpass(target, ['cd /', 'ls -1'], { old: issued, new: ['short', CHOSEN] }, secondTry);
      expect(changed.code, whatWasSaid(changed)).toBe(0);
      expect(changed.stderr).toContain('Your password has expired: choose a new one to sign in.');
      expect(changed.stderr).toContain("New password not accepted: it does not meet the registry's password rules. Choose another one.");
      expect(readFileSync(secondTry, 'utf8').trim().split('\n').map((line) => line.trim())).toEqual(["PRAC01@127.0.0.1's password:", ...round, ...round]);
      expect(sorted(batchOutput(changed.stdout, 'ls -1'))).toEqual(FOLDERS);
      expect(registry.issuedPassword()).toBeNull();
      expect(registry.files.mustChangePassword).toBe(false);
      const accounts = readFileSync(join(target.dataDir, 'practice', 'accounts.json'), 'utf8');
      expect(accounts).not.toContain(CHOSEN);
      expect(accounts).not.toContain(issued);

      // From now on the chosen password signs in, by any client and door; the issued one no more.
      const after = await opensshSftp(target, ['ls -1'], CHOSEN);
      expect(after.code, whatWasSaid(after)).toBe(0);
      expect((await curlSftp(target, '/', ['--list-only'], CHOSEN)).code).toBe(0);
      expect((await curlFtps(target, 'implicit', '/', ['--list-only'], CHOSEN)).code).toBe(0);
      const byIssued = await opensshSftp(target, ['ls -1'], issued);
      expect(byIssued.code).not.toBe(0);
      expect(byIssued.stderr).toMatch(/Permission denied \(password\)/);
    } finally {
      await target.stop();
    }
  });

  it("over FTPS: curl is answered 560 with the issued password, and `PASS old new` (curl's --user PRAC01:'old new') makes the change; one breaking the rules is refused with the reason", async () => {
    const target = await startTarget('first-login-ftps', { ready: false });
    const { registry } = target;
    const issued = target.password();
    try {
      const due = await curlFtps(target, 'implicit', '/', ['--list-only']);
      expect(due.code).toBe(67);
      expect(due.stderr).toMatch(/curl: \(67\) Access denied: 560/);
      expect(serverReplies(due.stderr)).toContain("560 Password expired, use 'pass oldpassword newpassword'");
      expect(registry.files.mustChangePassword).toBe(true);

      const weak = await curlFtps(target, 'explicit', '/', ['--list-only'], `${issued} short`);
      expect(weak.code).toBe(67);
      expect(serverReplies(weak.stderr)).toContain("530 New password not accepted: it does not meet the registry's password rules. The password was not changed.");
      expect(registry.issuedPassword()).toBe(issued);
      expect(registry.files.mustChangePassword).toBe(true);

      const changed = await curlFtps(target, 'implicit', '/', ['--list-only'], `${issued} ${CHOSEN}`);
      expect(changed.code, whatWasSaid(changed)).toBe(0);
      expect(serverReplies(changed.stderr)).toContain('230 Password changed; signed in as PRAC01.');
      expect(sorted(changed.stdout.split('\n').filter(Boolean))).toEqual(FOLDERS);
      expect(registry.issuedPassword()).toBeNull();
      expect(registry.files.mustChangePassword).toBe(false);

      const after = await curlFtps(target, 'explicit', '/', ['--list-only'], CHOSEN);
      expect(after.code, whatWasSaid(after)).toBe(0);
      expect(serverReplies(after.stderr)).toContain('230 Signed in as PRAC01.');
      const old = await curlFtps(target, 'explicit', '/', ['--list-only'], issued);
      expect(old.code).toBe(67);
      expect(serverReplies(old.stderr)).toContain('530 Login incorrect.');
      // The same account behind the SFTP door.
      expect((await opensshSftp(target, ['ls -1'], CHOSEN)).code).toBe(0);
    } finally {
      await target.stop();
    }
  });
});

/** A connection a script opens and leaves: what the registry said first, and a way to close it. */
interface Knock {
  /** 'kex' (OpenSSH-like key exchange offered), `disconnect <code>: <text>`, an FTP reply line, or 'closed'. */
  first: Promise<string>;
  close(): Promise<void>;
}

function closer(socket: Socket): () => Promise<void> {
  return () => new Promise<void>((resolve) => (socket.destroyed ? resolve() : (socket.once('close', () => resolve()), socket.destroy())));
}

/** An SSH connection that says which SSH it speaks, then waits: the first packet is KEXINIT (let in) or DISCONNECT (refused). */
function sshKnock(port: number): Knock {
  const socket = connectTcp(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.write('SSH-2.0-FloodScript_1.0\r\n'));
  let received = Buffer.alloc(0);
  const first = new Promise<string>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const identEnd = received.indexOf('\r\n');
      const packet = identEnd < 0 ? null : received.subarray(identEnd + 2);
      if (!packet || packet.length < 6) return;
      const type = packet[5];
      if (type === 20) return resolve('kex');
      if (type === 1 && packet.length >= 14) {
        const length = packet.readUInt32BE(10);
        if (packet.length >= 14 + length) resolve(`disconnect ${packet.readUInt32BE(6)}: ${packet.subarray(14, 14 + length).toString('utf8')}`);
      }
    });
    socket.on('close', () => resolve('closed'));
  });
  return { first, close: closer(socket) };
}

/** An FTPS control connection (TLS from the start, or plain until AUTH TLS): the first reply line. */
function ftpKnock(port: number, mode: 'implicit' | 'explicit', ca: string): Knock {
  const socket: Socket = mode === 'implicit' ? connectTls({ host: '127.0.0.1', port, ca }) : connectTcp(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let text = '';
  const first = new Promise<string>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\r\n');
      if (end >= 0) resolve(text.slice(0, end));
    });
    socket.on('close', () => resolve('closed'));
  });
  return { first, close: closer(socket) };
}

describe('a flood of connections from one address (a script gone wrong)', () => {
  // A registry of their own: no connection of another test counts against the address.
  const target = registryForThisDescribe('flood');

  /** 20 at once: `limit` are let in, the rest refused in words; a real client is refused alike meanwhile, and served once they have gone. */
  async function flood(knock: () => Knock, limit: number, refusal: string, letIn: string, client: () => Promise<Run>, clientRefused: RegExp): Promise<void> {
    const knocks = Array.from({ length: 20 }, knock);
    try {
      const answers = await Promise.all(knocks.map((k) => k.first));
      expect(answers.filter((answer) => answer === letIn)).toHaveLength(limit);
      expect(answers.filter((answer) => answer !== letIn)).toEqual(Array(20 - limit).fill(refusal));
      const meanwhile = await client();
      expect(meanwhile.code).not.toBe(0);
      expect(meanwhile.stderr).toMatch(clientRefused);
    } finally {
      await Promise.all(knocks.map((k) => k.close()));
    }
    // The registry counts a connection gone when it sees it close; the next sign-in waits for that.
    let again: Run = { code: null, stdout: '', stderr: '' };
    await eventually(async () => (again = await client()).code === 0, 'a proper client served again after the flood');
    expect(again.code, whatWasSaid(again)).toBe(0);
  }

  it('on SFTP: 10 let in, the other 10 told SSH_DISCONNECT_TOO_MANY_CONNECTIONS in words before any key exchange; OpenSSH then signs in again', async () => {
    await flood(
      () => sshKnock(target.registry.sftp.port),
      10,
      'disconnect 12: Too many connections from your address: the practice registry takes 10 at once. Close some, or wait for them to finish, then try again.',
      'kex',
      () => opensshSftp(target, ['ls -1']),
      /Received disconnect from 127\.0\.0\.1 port \d+:12: Too many connections from your address/,
    );
  });

  for (const mode of ['implicit', 'explicit'] as const) {
    it(`on FTPS with ${mode} TLS: 8 greeted, the other 12 answered 421 in words; curl then signs in again`, async () => {
      const ca = readFileSync(join(keysDir(target.dataDir), 'tls-cert.pem'), 'utf8');
      const port = mode === 'implicit' ? target.registry.ftpsImplicit.port : target.registry.ftpsExplicit.port;
      await flood(
        () => ftpKnock(port, mode, ca),
        8,
        '421 There are too many connections from your internet address (this registry allows 8 at once). Close one, then try again.',
        `220 Registry Transfer practice registry ready (FTPS, ${mode === 'implicit' ? 'implicit TLS' : 'explicit TLS: send AUTH TLS before signing in'}).`,
        () => curlFtps(target, mode, '/', ['--list-only']),
        /^< 421 There are too many connections from your internet address/m,
      );
    });
  }
});
