// "Send automatically from this folder" (issue 17, item 3) in the engine the window drives, against
// Debian's OpenSSH: a file an EHR writes slowly into the export folder is sent once, whole, after it
// has stopped growing; a file its checks stop is recorded and notified, not tried again until it
// changes; the command line's send-new then finds nothing new (one ledger for both); pause stops
// the watching; signing out stops it.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryEvent } from '../../shared/contract';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { cliEnv, runCli } from '../support/cli-runner';
import { hl7Batch } from '../support/hl7-samples';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';

let server: SshServer;
let scratch: string;
let exportDir: string;
let dataDir: string;
let service: RegistryService;
const notes: { title: string; body: string }[] = [];
const events: RegistryEvent[] = [];

beforeAll(async () => {
  server = await startSshd({ tag: 'AS' });
  scratch = mkdtempSync(join(tmpdir(), 'rt-auto-send-'));
  exportDir = join(scratch, 'EHR Export');
  dataDir = join(scratch, 'data');
  mkdirSync(exportDir);
  const settings = new MemorySettings();
  settings.set('customProfiles', [localTexasProfile(server.port, 'auto-send')]);
  service = createRegistryService({
    settings,
    emit: (event) => {
      events.push(event);
      // The user trusts the test server's host key when asked.
      if (event.type === 'request' && event.request.kind === 'host-key') void service.handlers.answerRequest({ id: event.request.id, answer: 'trust' });
    },
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    dataDir,
    timeoutSeconds: 20,
    chooseFolder: async () => exportDir,
    notify: (note) => notes.push(note),
  });
  const connected = await service.handlers.connect({ profileId: 'auto-send', protocol: 'sftp', username: server.home.username, password: server.home.password });
  expect(connected).toMatchObject({ ok: true });
}, 60_000);

afterAll(async () => {
  await service?.dispose();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const account = () => ({ profileId: 'auto-send', username: server.home.username });
const dropoff = () => readdirSync(join(server.home.accountDir, 'HL7-Dropoff'));
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 100 });

describe('an export folder watched while signed in', () => {
  it('sends a file written slowly once, whole, after it stops growing, and says so', async () => {
    const chosen = await service.handlers.chooseAutoSendFolder(account());
    expect(chosen).toMatchObject({ ok: true, autoSend: { folder: exportDir, paused: false, active: true } });
    const name = `${server.home.username}_20261204_SLOW.HL7`;
    const bytes = hl7Batch({ importCode: server.home.username, messages: 40, variant: 'slow' });
    // The EHR writes it in pieces, pausing between them: a tenth of the two seconds the app waits for a
    // file to keep its size, so that a busy machine's slower timers still leave it growing.
    const path = join(exportDir, name);
    writeFileSync(path, bytes.subarray(0, 200));
    for (let at = 200; at < bytes.length; at += 400) {
      await new Promise((r) => setTimeout(r, 100));
      appendFileSync(path, bytes.subarray(at, Math.min(at + 400, bytes.length)));
    }
    await poll(() => dropoff().includes(name)).toBe(true);
    await poll(() => notes.some((n) => n.body.startsWith(name))).toBe(true);
    expect(readFileSync(join(server.home.accountDir, 'HL7-Dropoff', name)).equals(bytes)).toBe(true);
    expect(notes.filter((n) => n.body.startsWith(name))).toEqual([{ title: 'Sent to Texas ImmTrac2 (test server)', body: `${name} is in the dropoff folder, checked.` }]);
    // Once: no second transfer of it, and the window's view lists it as sent.
    expect(events.filter((e) => e.type === 'transfer' && e.transfer.name === name && e.transfer.state === 'done')).toHaveLength(1);
    const state = await service.handlers.getAutoSend(account());
    expect(state.ok && state.autoSend.sent.map((s) => s.name)).toEqual([name]);
    expect(state.ok && state.autoSend.waiting).toEqual([]);
  }, 60_000);

  it('records a file its checks stop, notifies once, and the command line’s send-new finds nothing new', async () => {
    const bad = 'patient-list.HL7';
    writeFileSync(join(exportDir, bad), 'Not an HL7 batch\r\n');
    await poll(() => notes.some((n) => n.title === `Not sent: ${bad}`)).toBe(true);
    expect(dropoff()).not.toContain(bad);
    const state = await service.handlers.getAutoSend(account());
    expect(state.ok && state.autoSend.refused.map((r) => r.name)).toEqual([bad]);
    // The same ledger: the scheduled run has nothing to send (and does not connect).
    const profileFile = join(scratch, 'profile.json');
    writeFileSync(profileFile, JSON.stringify(localTexasProfile(server.port, 'auto-send')));
    const run = await runCli(
      ['send-new', exportDir, '--profile', profileFile, '--user', server.home.username, '--password-env', 'RT_PASSWORD', '--trust', server.fingerprint, '--data-dir', dataDir],
      cliEnv(scratch, server.home.password),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Nothing new to send in ${exportDir} (1 already sent).`);
    expect(run.stdout).toContain(`Not sent again: ${bad}`);
  }, 60_000);

  it('while paused, a new file waits; resumed, it goes', async () => {
    const paused = await service.handlers.setAutoSendPaused({ ...account(), paused: true });
    expect(paused).toMatchObject({ ok: true, autoSend: { paused: true, active: false } });
    const name = `${server.home.username}_20261204_PAUSED.HL7`;
    writeFileSync(join(exportDir, name), hl7Batch({ importCode: server.home.username, messages: 2, variant: 'paused' }));
    await poll(async () => {
      const state = await service.handlers.getAutoSend(account());
      return state.ok ? state.autoSend.waiting.map((w) => w.name) : [];
    }).toEqual([name]);
    // Given the time a watcher would need, nothing went.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(dropoff()).not.toContain(name);
    await service.handlers.setAutoSendPaused({ ...account(), paused: false });
    await poll(() => dropoff().includes(name)).toBe(true);
  }, 60_000);

  it('records a file sent by hand too, so the scheduled send-new does not send it again', async () => {
    const elsewhere = join(scratch, 'Desktop');
    mkdirSync(elsewhere, { recursive: true });
    const name = `${server.home.username}_20261204_BYHAND.HL7`;
    const bytes = hl7Batch({ importCode: server.home.username, messages: 3, variant: 'by-hand' });
    writeFileSync(join(elsewhere, name), bytes);
    service.grantDropped([join(elsewhere, name)]);
    const queued = await service.handlers.upload({ localPath: join(elsewhere, name), acceptWarnings: [] });
    expect(queued).toMatchObject({ ok: true });
    await poll(() => dropoff().includes(name)).toBe(true);
    const otherExport = join(scratch, 'Second Export');
    mkdirSync(otherExport);
    writeFileSync(join(otherExport, name), bytes);
    const profileFile = join(scratch, 'profile.json');
    const run = await runCli(
      ['send-new', otherExport, '--profile', profileFile, '--user', server.home.username, '--password-env', 'RT_PASSWORD', '--trust', server.fingerprint, '--data-dir', dataDir],
      cliEnv(scratch, server.home.password),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Nothing new to send in ${otherExport} (1 already sent).`);
  }, 60_000);

  it('does not send beside another run that holds the account (a scheduled send-new): says so, and sends once it has let go', async () => {
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    const locks = join(dataDir, 'locks');
    mkdirSync(locks, { recursive: true });
    const lockFile = join(locks, `auto-send_${server.home.username}.lock`);
    writeFileSync(lockFile, JSON.stringify({ pid: other.pid, host: hostname(), startedAt: new Date().toISOString(), what: 'send-new /srv/export' }));
    const elsewhere = join(scratch, 'Desktop');
    const name = `${server.home.username}_20261204_BUSY.HL7`;
    writeFileSync(join(elsewhere, name), hl7Batch({ importCode: server.home.username, messages: 2, variant: 'busy' }));
    service.grantDropped([join(elsewhere, name)]);
    try {
      const queued = await service.handlers.upload({ localPath: join(elsewhere, name), acceptWarnings: [] });
      expect(queued).toMatchObject({ ok: true });
      const id = queued.ok ? queued.transfer.id : '';
      await poll(() => events.some((e) => e.type === 'transfer' && e.transfer.id === id && e.transfer.state === 'failed')).toBe(true);
      const failed = events.find((e) => e.type === 'transfer' && e.transfer.id === id && e.transfer.state === 'failed');
      expect(failed?.type === 'transfer' && failed.transfer.message).toContain(`Another run is sending for ${server.home.username} right now (send-new /srv/export). Nothing was sent`);
      expect(dropoff()).not.toContain(name);
    } finally {
      other.kill('SIGKILL');
    }
    await new Promise((r) => other.once('exit', r));
    const again = await service.handlers.upload({ localPath: join(elsewhere, name), acceptWarnings: [] });
    expect(again).toMatchObject({ ok: true });
    await poll(() => dropoff().includes(name)).toBe(true);
  }, 60_000);

  it('stops watching when signed out', async () => {
    await service.handlers.disconnect({});
    const state = await service.handlers.getAutoSend(account());
    expect(state).toMatchObject({ ok: true, autoSend: { folder: exportDir, active: false } });
    expect(service.sendsAutomatically()).toBe(false);
    const name = `${server.home.username}_20261204_AFTER.HL7`;
    writeFileSync(join(exportDir, name), hl7Batch({ importCode: server.home.username, messages: 2, variant: 'after' }));
    await new Promise((r) => setTimeout(r, 2_000));
    expect(dropoff()).not.toContain(name);
  }, 60_000);
});
