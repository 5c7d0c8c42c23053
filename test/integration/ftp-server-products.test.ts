// The app against two server products nobody here wrote, run from Debian's packages on 127.0.0.1
// (test/support/install-ftp-servers.sh unpacks them): ProFTPD with mod_tls (implicit and explicit
// FTPS) and mod_sftp, and Pure-FTPd with explicit TLS. What a clinic needs from each: the certificate
// or host key is put to the user before any password, sign-in works once it is trusted, the four
// Texas folders list, a real HL7 batch arrives whole under its own name, and a DQA report downloads
// whole. A last part pins the replies the helpers promise other tests (limits, refused names).
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'basic-ftp';
import { Client as SshClient } from 'ssh2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityRequest, RegistryEvent, TrustAnswer } from '../../shared/contract';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { hl7Batch } from '../support/hl7-samples';
import { startProftpd, type ProftpdServer } from '../support/proftpd';
import { startPureFtpd, type PureFtpdServer } from '../support/pure-ftpd';
import { openApp, proftpdFtpsRegistry, proftpdSftpRegistry, pureFtpdRegistry, type App, type TestRegistry } from '../support/transfer-harness';

// A real batch from the AIRA/NIST test sets where this machine has them; the suite's own generated
// batch elsewhere (the samples are not part of the repository).
const SAMPLES_DIR = process.env.REGISTRY_TRANSFER_HL7_SAMPLES ?? '/work/shared/samples/hl7';
const SAMPLE_FILE = join(SAMPLES_DIR, 'v06_batch_nist2015_6msgs_CR.hl7');

interface Product {
  label: string;
  registry: TestRegistry;
  kind: IdentityRequest['kind'];
  fingerprint: string;
  /** The lines of the server's log that show a USER or PASS (or an SSH authentication) for the account. */
  signInRecord: () => string;
  /** Resolves once the server's session processes have ended and their logs are complete. */
  sessionsEnded(): Promise<void>;
  stop(): Promise<void>;
}

function proftpdFtps(server: ProftpdServer): Product {
  return {
    label: `ProFTPD mod_tls (${server.tls} TLS)`,
    kind: 'certificate',
    fingerprint: server.fingerprint,
    // ProFTPD logs every command with its reply; the account's name appears once USER is sent.
    signInRecord: () => server.log().split('\n').filter((l) => / (USER|PASS) /.test(l)).join('\n'),
    registry: proftpdFtpsRegistry(server),
    sessionsEnded: () => server.sessionsEnded(),
    stop: () => server.stop(),
  };
}

function proftpdSftp(server: ProftpdServer): Product {
  if (server.sftpPort === undefined || !server.hostKeyFingerprint) throw new Error('ProFTPD was started without mod_sftp');
  return {
    label: 'ProFTPD mod_sftp',
    kind: 'host-key',
    fingerprint: server.hostKeyFingerprint,
    // mod_sftp logs each authentication request it receives, with the method and the user.
    signInRecord: () => server.sftpLog().split('\n').filter((l) => /userauth|authenticated/i.test(l)).join('\n'),
    registry: proftpdSftpRegistry(server),
    sessionsEnded: () => server.sessionsEnded(),
    stop: () => server.stop(),
  };
}

function pureFtpd(server: PureFtpdServer): Product {
  return {
    label: 'Pure-FTPd (explicit TLS)',
    kind: 'certificate',
    fingerprint: server.fingerprint,
    // Pure-FTPd's verbose log (caught by its helper) names each command; PASS is masked.
    signInRecord: () => server.log().split('\n').filter((l) => /Command \[(user|pass)\]/.test(l)).join('\n'),
    registry: pureFtpdRegistry(server),
    sessionsEnded: () => server.sessionsEnded(),
    stop: () => server.stop(),
  };
}

/** The registry service with one custom profile, answering every identity prompt with `answer`. */
function serviceAnswering(product: Product, profileId: string, answer: TrustAnswer) {
  const settings = new MemorySettings();
  settings.set('customProfiles', [product.registry.profile(profileId)]);
  const prompts: IdentityRequest[] = [];
  const service: RegistryService = createRegistryService({
    settings,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    openExternal: async () => undefined,
    emit: (event: RegistryEvent) => {
      if (event.type !== 'request' || event.request.kind === 'new-password') return;
      prompts.push(event.request);
      setImmediate(() => void service.handlers.answerRequest({ id: event.request.id, answer }));
    },
  });
  return { service, prompts };
}

const PRODUCTS: [string, () => Promise<Product>][] = [
  ['ProFTPD mod_tls, explicit TLS', async () => proftpdFtps(await startProftpd({ tag: 'PE' }))],
  ['ProFTPD mod_tls, implicit TLS', async () => proftpdFtps(await startProftpd({ tag: 'PI', tls: 'implicit' }))],
  ['ProFTPD mod_sftp', async () => proftpdSftp(await startProftpd({ tag: 'PS', sftp: true }))],
  ['Pure-FTPd, explicit TLS', async () => pureFtpd(await startPureFtpd({ tag: 'PU' }))],
];

for (const [title, start] of PRODUCTS) {
  describe(`a Texas-shaped registry on ${title}`, () => {
    let product: Product;
    let localDir: string;
    const apps: App[] = [];
    const profileId = `product-${title.replace(/[^a-z]+/gi, '-').toLowerCase()}`;
    const importCode = () => product.registry.account.username;

    beforeAll(async () => {
      product = await start();
      localDir = mkdtempSync(join(tmpdir(), 'rt-products-local-'));
    }, 60_000);
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.dispose()));
    });
    afterAll(async () => {
      await product?.stop();
      if (localDir) rmSync(localDir, { recursive: true, force: true });
    });

    const connected = async () => {
      const app = openApp(product.registry, { profileId });
      apps.push(app);
      await app.connect();
      return app;
    };

    it(`shows the ${title} server's identity before any password, and sends nothing when the user does not allow it`, async () => {
      const { service, prompts } = serviceAnswering(product, profileId, 'deny');
      const result = await service.handlers.connect({
        profileId,
        protocol: product.registry.protocol,
        username: importCode(),
        password: product.registry.account.password,
      });
      await service.dispose();
      expect(result).toMatchObject({ ok: false, code: 'identity-denied' });
      expect(prompts.map((p) => [p.kind, p.fingerprint])).toEqual([[product.kind, product.fingerprint]]);
      // The server has logged all it will of that connection once its session process is gone.
      await product.sessionsEnded();
      expect(product.signInRecord()).toBe('');
    });

    it('signs in once the identity is trusted and lists the four Texas folders', async () => {
      const app = await connected();
      const expected = {
        dropoff: [],
        accepted: [`${importCode()}_20261114.HL7`],
        reports: [`${importCode()}_20261114_DQA.txt`],
        receive: [`${importCode()}_20261114.CNF`],
      } as const;
      for (const [role, names] of Object.entries(expected)) {
        const listing = await app.call('listRemoteFolder', { role: role as keyof typeof expected });
        expect(listing.ok, `${role}: ${listing.ok ? '' : listing.message}`).toBe(true);
        if (listing.ok) {
          expect(listing.entries.map((e) => e.name)).toEqual(names);
          for (const entry of listing.entries) expect(entry.modified, `${role}/${entry.name}`).not.toBeNull();
        }
      }
      // The same record shows this sign-in, so its silence above meant something.
      await app.dispose();
      apps.splice(apps.indexOf(app), 1);
      await product.sessionsEnded();
      expect(product.signInRecord()).toContain(importCode());
    });

    it('delivers an HL7 batch whole, under its own name, with nothing else left in the dropoff folder', async () => {
      const app = await connected();
      const name = `${importCode()}_20261121.HL7`;
      const path = join(localDir, name);
      if (existsSync(SAMPLE_FILE)) copyFileSync(SAMPLE_FILE, path);
      else writeFileSync(path, hl7Batch({ importCode: importCode(), messages: 6 }));
      const bytes = readFileSync(path);

      const checked = await app.call('checkUpload', { localPath: path });
      if (!checked.ok) throw new Error(`checkUpload failed: ${checked.message}`);
      expect(checked.check.canUpload, JSON.stringify(checked.check.lines)).toBe(true);
      const started = await app.call('upload', { localPath: path, acceptWarnings: checked.check.warningIds });
      if (!started.ok) throw new Error(`upload refused: ${started.message}`);
      const done = await app.finished(started.transfer.id, 60_000);
      expect(done.state, done.message).toBe('done');
      expect(done.message).toBe(`Delivered: ${name} is in the dropoff folder, ${bytes.length.toLocaleString('en-US')} bytes, checked.`);
      expect(readdirSync(product.registry.dropoffDir)).toEqual([name]);
      expect(readFileSync(join(product.registry.dropoffDir, name)).equals(bytes)).toBe(true);
    });

    it('downloads a DQA report whole', async () => {
      const app = await connected();
      const reportName = `${importCode()}_20261114_DQA.txt`;
      const onServer = readFileSync(join(product.registry.account.accountDir, 'DQA-Report', reportName));
      const target = mkdtempSync(join(localDir, 'reports-'));
      const started = await app.call('download', { role: 'reports', names: [reportName], toFolder: target });
      if (!started.ok) throw new Error(`download refused: ${started.message}`);
      const [transfer] = started.transfers;
      if (!transfer) throw new Error('no download transfer started');
      const done = await app.finished(transfer.id, 60_000);
      expect(done).toMatchObject({ state: 'done', savedTo: join(target, reportName), bytes: onServer.length, total: onServer.length });
      expect(readdirSync(target)).toEqual([reportName]);
      expect(readFileSync(join(target, reportName)).equals(onServer)).toBe(true);
    });
  });
}

// The replies the helpers document for other tests (a product's exact words are what the app must
// recognise), checked here with basic-ftp itself so that a product update that changes them shows.
describe('the test servers reply as their helpers say', () => {
  const servers: { stop(): Promise<void> }[] = [];
  const clients: Client[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  const signIn = async (server: { port: number; account: { username: string; password: string } }, secure: true | 'implicit' = true) => {
    const client = new Client(30_000);
    clients.push(client);
    await client.access({
      host: '127.0.0.1',
      port: server.port,
      user: server.account.username,
      password: server.account.password,
      secure,
      secureOptions: { rejectUnauthorized: false },
    });
    return client;
  };
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => 'accepted',
      (error: Error) => error.message,
    );

  it('ProFTPD: a second session of the account past MaxClientsPerUser 1, and a rename or delete in a write-only dropoff', async () => {
    const server = await startProftpd({ tag: 'PL', maxClientsPerUser: 1, writeOnlyDropoff: true });
    servers.push(server);
    const first = await signIn(server);
    expect(await refusal(signIn(server))).toBe('530 Sorry, the maximum number of clients (1) for this user are already connected.');

    const local = join(mkdtempSync(join(tmpdir(), 'rt-products-')), 'x.HL7');
    writeFileSync(local, 'MSH|^~\\&|\r');
    await first.uploadFrom(local, 'HL7-Dropoff/x.HL7');
    expect((await first.list('HL7-Dropoff')).map((f) => f.name)).toEqual(['x.HL7']);
    expect(await refusal(first.rename('HL7-Dropoff/x.HL7', 'HL7-Dropoff/y.HL7'))).toBe('550 HL7-Dropoff/x.HL7: Operation not permitted');
    expect(await refusal(first.remove('HL7-Dropoff/x.HL7'))).toBe('550 HL7-Dropoff/x.HL7: Operation not permitted');
    expect(readdirSync(server.dropoffDir)).toEqual(['x.HL7']);
    rmSync(join(local, '..'), { recursive: true, force: true });
  });

  it('ProFTPD mod_sftp: a second session of the account past MaxClientsPerUser 1 is disconnected after its password', async () => {
    const server = await startProftpd({ tag: 'PM', sftp: true, maxClientsPerUser: 1 });
    servers.push(server);
    const sshSignIn = () =>
      new Promise<{ client: SshClient; outcome: string }>((resolve) => {
        const client = new SshClient();
        let ready = false;
        client.once('ready', () => {
          ready = true;
          // A refused session gets its disconnect right after the success; wait for one round trip.
          client.sftp((error) => resolve({ client, outcome: error ? `ready, then ${error.message}` : 'ready' }));
        });
        // Only the first error is the outcome; the socket's reset after a disconnect follows it.
        client.on('error', (error: Error & { code?: unknown }) => resolve({ client, outcome: `${ready ? 'ready, then ' : ''}error ${String(error.code)}: ${error.message}` }));
        client.connect({ host: '127.0.0.1', port: server.sftpPort, username: server.account.username, password: server.account.password, hostVerifier: () => true });
      });
    const first = await sshSignIn();
    try {
      expect(first.outcome).toBe('ready');
      const second = await sshSignIn();
      second.client.end();
      expect(second.outcome).toBe('ready, then error 12: Maximum connections for host/user reached');
      expect(server.sftpLog()).toContain('disconnecting 127.0.0.1 (Maximum connections for host/user reached)');
    } finally {
      first.client.end();
    }
  });

  it('Pure-FTPd: a name starting with a dot (-x), and a second session of the account past -y 1', async () => {
    const server = await startPureFtpd({ tag: 'PL', prohibitDotFilesWrite: true, maxClientsPerUser: 1 });
    servers.push(server);
    const first = await signIn(server);
    const local = join(mkdtempSync(join(tmpdir(), 'rt-products-')), 'x.HL7');
    writeFileSync(local, 'MSH|^~\\&|\r');
    expect(await refusal(first.uploadFrom(local, 'HL7-Dropoff/.x.HL7.part'))).toBe('553 Prohibited file name: HL7-Dropoff/.x.HL7.part');
    await first.uploadFrom(local, 'HL7-Dropoff/x.HL7');
    expect(await refusal(first.rename('HL7-Dropoff/x.HL7', 'HL7-Dropoff/.x.HL7'))).toBe('553 Prohibited file name: HL7-Dropoff/.x.HL7');
    expect(readdirSync(server.dropoffDir)).toEqual(['x.HL7']);
    expect(await refusal(signIn(server))).toBe("421 I can't accept more than 1 connections as the same user");
    rmSync(join(local, '..'), { recursive: true, force: true });
  });
});
