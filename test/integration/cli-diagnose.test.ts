// `registry-transfer diagnose` (issue 16) against real servers on 127.0.0.1, through the built CLI as a
// clinic's IT runs it: Debian's OpenSSH and vsftpd (implicit and explicit TLS, and one capped at TLS
// 1.1), a closed port, a name that does not resolve, a server that takes the TCP connection and never
// answers, an untrusted certificate (vsftpd's log shows no USER), a wrong password (one attempt), and
// passive data ports blocked by an nftables rule in a private network namespace. Each failed step
// says what to ask IT for; the last line names it; the exit status is the CLI's usual one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../shared/contract';
import { CLI_LAUNCHER, cliEnv, runCli } from '../support/cli-runner';
import { createNetns, type Netns } from '../support/netns';
import { freePort } from '../support/ports';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';
import { startVsftpd, type FtpsServer } from '../support/vsftpd';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-diagnose-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function profileFile(name: string, profile: object): string {
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

const dataDir = (name: string) => join(scratch, `data-${name}`);
const stepsOf = (stdout: string) => (JSON.parse(stdout) as Diagnosis).steps.map((s) => `${s.id}:${s.status}`);
const lastLine = (stdout: string) => stdout.trimEnd().split('\n').at(-1) ?? '';

describe('over SFTP (OpenSSH)', () => {
  let server: SshServer;
  beforeAll(async () => {
    server = await startSshd({ tag: 'DG' });
  }, 60_000);
  afterAll(async () => server?.stop());
  const profile = () => profileFile('sftp', localTexasProfile(server.port, 'diag-sftp'));

  it('passes every step with the trusted host key and the password, signing in once', async () => {
    const run = await runCli(
      ['diagnose', '--profile', profile(), '--user', server.home.username, '--password-env', 'RT_PASSWORD', '--trust', server.fingerprint, '--data-dir', dataDir('sftp-ok'), '--json'],
      cliEnv(scratch, server.home.password),
    );
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(stepsOf(run.stdout)).toEqual(['name:warning', 'tcp:passed', 'handshake:passed', 'sign-in:passed', 'folders:passed']);
    const diagnosis = JSON.parse(run.stdout) as Diagnosis;
    expect(diagnosis.steps[0]?.message).toContain('127.0.0.1 is an IP address');
    const handshake = diagnosis.steps.find((s) => s.id === 'handshake');
    expect(handshake?.details.join('\n')).toContain(server.fingerprint);
    expect(handshake?.details.join('\n')).toMatch(/Agreed: .*(curve25519|ecdh|diffie-hellman|sntrup|mlkem).*, ssh-ed25519, /);
    const folderLines = diagnosis.steps.find((s) => s.id === 'folders')?.details ?? [];
    expect(folderLines).toHaveLength(4);
    expect(folderLines[0]).toMatch(/^HL7-Dropoff: listed \(\d+ files?\); the registry gives this account: list, read, write, rename, delete$/);
    expect(folderLines[2]).toMatch(/^DQA-Report: listed \(\d+ files?\); the registry gives this account: list, read$/);
    expect(diagnosis.report).toContain('Registry Transfer connection check'.replace('Registry Transfer', 'registry-transfer'));
    expect(diagnosis.report).toContain('Result: every step that ran passed.');
    expect(diagnosis.report).not.toContain(server.home.password);
    expect(server.log().split('\n').filter((l) => l.includes(`Accepted password for ${server.home.username}`))).toHaveLength(1);
  }, 60_000);

  it('tries a wrong password once, fails the sign-in step, and exits 4 naming it', async () => {
    const failedBefore = server.log().split('\n').filter((l) => /Failed password for/.test(l)).length;
    const run = await runCli(
      ['diagnose', '--profile', profile(), '--user', server.home.username, '--password-env', 'RT_PASSWORD', '--trust', server.fingerprint, '--data-dir', dataDir('sftp-wrong')],
      cliEnv(scratch, 'Not-the-password-1!'),
    );
    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(/4\. Sign-in: FAILED/);
    expect(run.stdout).toMatch(/5\. The registry’s folders: skipped/);
    expect(lastLine(run.stdout)).toMatch(/^Failed at: Sign-in\. Not a network matter: the connection works\./);
    expect(server.log().split('\n').filter((l) => /Failed password for/.test(l)).length - failedBefore).toBe(1);
    expect(run.stdout + run.stderr).not.toContain('Not-the-password-1!');
  }, 60_000);

  it('without a password, checks all it can and says the sign-in was not tried', async () => {
    const run = await runCli(
      ['diagnose', '--profile', profile(), '--user', server.home.username, '--trust', server.fingerprint, '--data-dir', dataDir('sftp-nopw'), '--json'],
      cliEnv(scratch, undefined),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(stepsOf(run.stdout)).toEqual(['name:warning', 'tcp:passed', 'handshake:passed', 'sign-in:skipped', 'folders:skipped']);
  }, 60_000);
});

describe('network failures', () => {
  it('a closed port: the TCP step fails and names the port to open; exit 1', async () => {
    const port = await freePort();
    const run = await runCli(['diagnose', '--profile', profileFile('closed', localTexasProfile(port, 'diag-closed')), '--data-dir', dataDir('closed')], cliEnv(scratch, undefined));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`2. Connection to port ${port}: FAILED`);
    expect(run.stdout).toContain(`The connection to 127.0.0.1 port ${port} was refused`);
    expect(lastLine(run.stdout)).toBe(`Failed at: Connection to port ${port}. Ask IT to allow outbound TCP ${port} from this computer to 127.0.0.1.`);
  }, 60_000);

  it('a name that does not resolve: the first step fails, the rest are skipped', async () => {
    const run = await runCli(
      ['diagnose', '--profile', profileFile('dns', localTexasProfile(22, 'diag-dns')), '--host', 'no-such-registry.invalid', '--data-dir', dataDir('dns'), '--json'],
      cliEnv(scratch, undefined),
    );
    expect(run.code).toBe(1);
    const diagnosis = JSON.parse(run.stdout) as Diagnosis;
    expect(stepsOf(run.stdout)).toEqual(['name:failed', 'tcp:skipped', 'handshake:skipped', 'sign-in:skipped', 'folders:skipped']);
    expect(diagnosis.steps[0]?.message).toContain('The name no-such-registry.invalid was not found');
    expect(diagnosis.steps[0]?.askIt).toContain('look up no-such-registry.invalid (DNS)');
    expect(diagnosis.failedStep).toBe('name');
  }, 60_000);

  it('a server that takes the connection and never answers: the handshake fails at the timeout', async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => held.push(socket));
    const port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
    try {
      const run = await runCli(
        ['diagnose', '--profile', profileFile('silent', localTexasProfile(port, 'diag-silent')), '--timeout', '3', '--data-dir', dataDir('silent'), '--json'],
        cliEnv(scratch, undefined),
      );
      expect(run.code).toBe(1);
      expect(stepsOf(run.stdout).slice(0, 3)).toEqual(['name:warning', 'tcp:passed', 'handshake:failed']);
      const handshake = (JSON.parse(run.stdout) as Diagnosis).steps[2];
      expect(handshake?.askIt).toContain('did not finish the handshake');
      expect(handshake?.askIt).toContain(`allow outbound TCP ${port}`);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  }, 60_000);
});

describe('over FTPS (vsftpd)', () => {
  for (const mode of ['implicit', 'explicit'] as const) {
    describe(`${mode} TLS`, () => {
      let server: FtpsServer;
      beforeAll(async () => {
        server = await startVsftpd({ mode, tag: mode === 'implicit' ? 'DI' : 'DE' });
      }, 60_000);
      afterAll(async () => server?.stop());

      it('passes every step, naming the data port the server gave and that it lies in the published range', async () => {
        const run = await runCli(
          ['diagnose', '--profile', profileFile(`ftps-${mode}`, server.profile(`diag-${mode}`)), '--protocol', 'ftps', '--user', server.account.username, '--password-env', 'RT_PASSWORD', '--trust', server.fingerprint, '--data-dir', dataDir(`ftps-${mode}`), '--json'],
          cliEnv(scratch, server.account.password),
        );
        expect(run.code, run.stderr + run.stdout).toBe(0);
        expect(stepsOf(run.stdout)).toEqual(['name:warning', 'tcp:passed', 'handshake:passed', 'sign-in:passed', 'folders:passed', 'data-connection:passed']);
        const diagnosis = JSON.parse(run.stdout) as Diagnosis;
        const handshake = diagnosis.steps.find((s) => s.id === 'handshake');
        expect(handshake?.details).toContain(`SHA-256 fingerprint: ${server.fingerprint}`);
        expect(handshake?.details.join('\n')).toMatch(/TLS version: TLSv1\.[23]/);
        expect(handshake?.details.join('\n')).toMatch(/Agreed: TLSv1\.[23], TLS_/);
        const data = diagnosis.steps.find((s) => s.id === 'data-connection');
        const port = Number(/data port (\d+)/.exec(data?.message ?? '')?.[1]);
        expect(port).toBeGreaterThanOrEqual(server.passivePorts.from);
        expect(port).toBeLessThanOrEqual(server.passivePorts.to);
        expect(data?.message).toContain(`inside the range the registry publishes (${server.passivePorts.from}-${server.passivePorts.to})`);
        expect(diagnosis.report).toContain(`FTPS, ${mode} TLS, passive data ports ${server.passivePorts.from}-${server.passivePorts.to}`);
        expect(diagnosis.report).not.toContain(server.account.password);
      }, 60_000);

      if (mode === 'implicit') {
        it('an untrusted certificate: shown and judged, the sign-in skipped, and no USER sent', async () => {
          const logBefore = server.log().length;
          const run = await runCli(
            ['diagnose', '--profile', profileFile('ftps-untrusted', server.profile('diag-untrusted')), '--protocol', 'ftps', '--user', server.account.username, '--password-env', 'RT_PASSWORD', '--data-dir', dataDir('ftps-untrusted'), '--json'],
            cliEnv(scratch, server.account.password),
          );
          expect(run.code, run.stderr).toBe(0);
          expect(stepsOf(run.stdout)).toEqual(['name:warning', 'tcp:passed', 'handshake:warning', 'sign-in:skipped', 'folders:skipped', 'data-connection:skipped']);
          const diagnosis = JSON.parse(run.stdout) as Diagnosis;
          const handshake = diagnosis.steps.find((s) => s.id === 'handshake');
          expect(handshake?.message).toContain('is not trusted on this computer yet');
          expect(handshake?.details.join('\n')).toContain('not vouched for by a certificate authority this computer trusts');
          expect(diagnosis.steps.find((s) => s.id === 'sign-in')?.message).toContain('no password is sent to a server whose certificate is not trusted yet');
          expect(server.log().slice(logBefore)).toContain('CONNECT: Client "127.0.0.1"');
          expect(server.log().slice(logBefore)).not.toContain(`"USER ${server.account.username}"`);
        }, 60_000);
      }
    });
  }

  it('a server limited to TLS 1.1: the handshake fails before anything is sent, and says whose side it is on', async () => {
    const server = await startVsftpd({ mode: 'implicit', tag: 'DO', maxTls: 'TLSv1.1' });
    try {
      const run = await runCli(
        ['diagnose', '--profile', profileFile('ftps-old', server.profile('diag-old')), '--protocol', 'ftps', '--user', server.account.username, '--password-env', 'RT_PASSWORD', '--data-dir', dataDir('ftps-old'), '--json'],
        cliEnv(scratch, server.account.password),
      );
      expect(run.code).not.toBe(0);
      const diagnosis = JSON.parse(run.stdout) as Diagnosis;
      expect(diagnosis.failedStep).toBe('handshake');
      expect(diagnosis.code).toBe('tls-required');
      expect(diagnosis.steps.find((s) => s.id === 'handshake')?.askIt).toContain('on the server’s side');
      expect(server.log()).not.toContain('"USER ');
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe('passive data ports blocked by a firewall (nftables, private network namespace)', () => {
  let netns: Netns;
  let server: FtpsServer;
  beforeAll(async () => {
    netns = createNetns('dg');
    server = await startVsftpd({ mode: 'implicit', tag: 'DF', netns });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    netns?.remove();
  });

  it('signs in, then fails the data connection step naming the port the server gave and the range to open', () => {
    netns.rejectTcpPorts(server.passivePorts.from, server.passivePorts.to);
    const profile = profileFile('firewalled', server.profile('diag-firewalled'));
    const result = netns.run(
      process.execPath,
      [CLI_LAUNCHER, 'diagnose', '--profile', profile, '--protocol', 'ftps', '--user', server.account.username, '--password-env', 'RT_PASSWORD', '--trust', server.fingerprint, '--data-dir', dataDir('firewalled'), '--timeout', '5', '--json'],
      { env: { ...cliEnv(scratch, server.account.password) } },
    );
    expect(result.status).toBe(1);
    const diagnosis = JSON.parse(result.stdout) as Diagnosis;
    expect(stepsOf(result.stdout)).toEqual(['name:warning', 'tcp:passed', 'handshake:passed', 'sign-in:passed', 'folders:failed', 'data-connection:failed']);
    const data = diagnosis.steps.find((s) => s.id === 'data-connection');
    const port = Number(/data port (\d+)/.exec(data?.message ?? '')?.[1]);
    expect(port).toBeGreaterThanOrEqual(server.passivePorts.from);
    expect(port).toBeLessThanOrEqual(server.passivePorts.to);
    expect(data?.askIt).toBe(`Ask IT to allow outbound TCP ${server.passivePorts.from}-${server.passivePorts.to} from this computer to 127.0.0.1.`);
    expect(diagnosis.report).toContain(`allow outbound TCP ${server.passivePorts.from}-${server.passivePorts.to}`);
    expect(result.stdout + result.stderr).not.toContain(server.account.password);
  }, 60_000);
});
