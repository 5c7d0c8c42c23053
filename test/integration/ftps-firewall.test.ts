// A clinic whose firewall lets the FTPS control port through but blocks the registry's passive data
// ports: the user signs in, then no listing can arrive. The app must say which ports to open. Played
// in a private network namespace with an nftables rule, with the real vsftpd and the real CLI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNetns, type Netns } from '../support/netns';
import { startVsftpd, type FtpsServer } from '../support/vsftpd';

const CLI = new URL('../../electron/cli/registry-transfer.mjs', import.meta.url).pathname;
let netns: Netns;
let server: FtpsServer;
let scratch: string;

beforeAll(async () => {
  netns = createNetns('fw');
  server = await startVsftpd({ mode: 'implicit', tag: 'FW', netns });
  scratch = mkdtempSync(join(tmpdir(), 'rt-firewall-'));
  writeFileSync(join(scratch, 'profile.json'), JSON.stringify(server.profile('firewalled')));
});
afterAll(async () => {
  await server?.stop();
  netns?.remove();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const listReports = () =>
  netns.run(
    process.execPath,
    [CLI, 'list', 'DQA-Report', '--profile', join(scratch, 'profile.json'), '--protocol', 'ftps', '--user', server.account.username,
      '--password-env', 'REGISTRY_PASSWORD', '--trust', server.fingerprint, '--data-dir', join(scratch, 'data'), '--timeout', '5', '--json'],
    { env: { ...process.env, REGISTRY_PASSWORD: server.account.password } },
  );

it('lists the folder when the data ports are open', () => {
  const result = listReports();
  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout).toContain(`${server.account.username}_20261114_DQA.txt`);
});

it('names the data ports the firewall must open when they are blocked', () => {
  netns.rejectTcpPorts(server.passivePorts.from, server.passivePorts.to);
  const result = listReports();
  expect(result.status).toBe(1);
  const output = JSON.parse(result.stdout) as { ok: boolean; folders?: { error?: { message: string } }[]; message?: string };
  const text = JSON.stringify(output);
  expect(text).toContain(`ports ${server.passivePorts.from}-${server.passivePorts.to}`);
  expect(text).toMatch(/firewall must allow outgoing connections to 127\.0\.0\.1/);
  expect(result.stderr).toContain(`ports ${server.passivePorts.from}-${server.passivePorts.to}`);
  expect(result.stdout + result.stderr).not.toContain(server.account.password);
});
