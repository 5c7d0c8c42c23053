// FTP servers that list times on their own local clock (issue 11, item 11). vsftpd with
// `use_localtime=YES` lists (and answers MDTM) in its local time; ProFTPD with `TimesGMT off` lists
// local times but answers MDTM in UTC, as RFC 3659 says; both show a date without a time for files
// older than six months. The servers run on Kathmandu time (UTC+05:45: no daylight saving, and a
// quarter hour that a whole-hour guess would miss). What a user checks: the time shown for a report
// is when the registry wrote it, an old file shows the date the server gave and no made-up time, and
// the window and the command line agree. Servers with MLSD (ProFTPD, Pure-FTPd) give exact UTC times.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteEntry } from '../../shared/contract';
import { SERVER_CLOCKS_KEY } from '../../electron/engine/remote/server-clocks';
import { JsonFileSettings, SETTINGS_FILE_NAME } from '../../electron/engine/settings/settings-store';
import { hl7Batch } from '../support/hl7-samples';
import { startProftpd, type ProftpdServer } from '../support/proftpd';
import { startPureFtpd, type PureFtpdServer } from '../support/pure-ftpd';
import { openApp, type App, type TestRegistry } from '../support/transfer-harness';
import { startVsftpd, type FtpsServer } from '../support/vsftpd';

const ROOT = new URL('../..', import.meta.url).pathname;
const LAUNCHER = join(ROOT, 'electron/cli/registry-transfer.mjs');
const SERVER_ZONE = 'Asia/Kathmandu';
const SERVER_OFFSET_MINUTES = 5 * 60 + 45;
const MINUTE = 60_000;
const DAY = 86_400_000;
const TEXAS_FILE_RULES = { extension: '.HL7', importCodeInName: true };

/** A report the registry wrote three hours ago (17 seconds into its minute). */
const recentTime = () => Math.floor((Date.now() - 3 * 3600_000) / MINUTE) * MINUTE + 17_000;
/**
 * A report from 400 days ago, written at 20:30 UTC: 02:15 the next morning on the server's clock, so
 * the server's date is one day after the UTC date (and two after the date in Chicago).
 */
const oldTime = () => Math.floor((Date.now() - 400 * DAY) / DAY) * DAY + 20.5 * 3600_000;
/** The server's calendar date of a moment, as the contract gives a date without a time: midnight UTC. */
const serverDate = (ms: number) => Math.floor((ms + SERVER_OFFSET_MINUTES * MINUTE) / DAY) * DAY;
const toMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

/** Two reports in DQA-Report with known modification times. */
function placeReports(accountDir: string, importCode: string): { recent: { name: string; mtime: number }; old: { name: string; mtime: number } } {
  const recent = { name: `${importCode}_20261202_DQA.txt`, mtime: recentTime() };
  const old = { name: `${importCode}_20251029_DQA.txt`, mtime: oldTime() };
  for (const file of [recent, old]) {
    const path = join(accountDir, 'DQA-Report', file.name);
    writeFileSync(path, 'Completeness 96\n');
    utimesSync(path, new Date(), new Date(file.mtime));
  }
  return { recent, old };
}

function ftpsRegistry(label: string, server: { port: number; account: TestRegistry['account']; stop(): Promise<void> }, profile: (id: string) => Record<string, unknown>, dropoffDir: string): TestRegistry {
  return {
    protocol: 'ftps',
    label,
    port: server.port,
    account: server.account,
    dropoffDir,
    profile: (id, overrides = {}) => ({ ...profile(id), files: TEXAS_FILE_RULES, ...overrides }),
    log: () => '',
    processes: () => ({ listener: 0, sessions: [] }),
    stop: () => server.stop(),
  };
}

async function listed(app: App, role: 'reports' | 'dropoff'): Promise<Map<string, RemoteEntry>> {
  const listing = await app.call('listRemoteFolder', { role });
  if (!listing.ok) throw new Error(`listing ${role} failed: ${listing.code} ${listing.message}`);
  return new Map(listing.entries.map((e) => [e.name, e]));
}

const clockNotes = (dataDir: string): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(dataDir, SETTINGS_FILE_NAME), 'utf8')) as Record<string, Record<string, unknown>>)[SERVER_CLOCKS_KEY] ?? {};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built command line, as a scheduled job runs it, in the time zone given. */
function runCli(args: string[], env: Record<string, string>): Promise<Run> {
  const scratch = mkdtempSync(join(tmpdir(), 'rt-local-times-cli-'));
  const fullEnv = {
    PATH: process.env.PATH ?? '',
    HOME: scratch,
    XDG_CONFIG_HOME: join(scratch, '.config'),
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(scratch, 'no-session-bus')}`,
    ...env,
  };
  return new Promise<Run>((resolve) => {
    execFile(process.execPath, [LAUNCHER, ...args], { cwd: ROOT, env: fullEnv, timeout: 50_000 }, (error, stdout, stderr) => {
      rmSync(scratch, { recursive: true, force: true });
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe(`vsftpd with use_localtime=YES on ${SERVER_ZONE} time (LIST and MDTM both local)`, () => {
  let server: FtpsServer;
  let registry: TestRegistry;
  let dataDir: string;
  let localDir: string;
  let reports: ReturnType<typeof placeReports>;
  const profileId = 'local-times-vsftpd';
  const apps: App[] = [];
  const app = () => {
    const opened = openApp(registry, { profileId, settings: new JsonFileSettings(join(dataDir, SETTINGS_FILE_NAME)) });
    apps.push(opened);
    return opened;
  };

  beforeAll(async () => {
    server = await startVsftpd({ mode: 'explicit', tag: 'ZL', extraConfig: 'use_localtime=YES', timeZone: SERVER_ZONE });
    registry = ftpsRegistry('vsftpd, local times', server, (id) => server.profile(id), join(server.account.accountDir, 'HL7-Dropoff'));
    reports = placeReports(server.account.accountDir, server.account.username);
    dataDir = mkdtempSync(join(tmpdir(), 'rt-local-times-data-'));
    localDir = mkdtempSync(join(tmpdir(), 'rt-local-times-local-'));
  }, 60_000);
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.dispose()));
  });
  afterAll(async () => {
    await server?.stop();
    for (const dir of [dataDir, localDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows a file older than six months with the date the server lists and no time, wherever the user is', async () => {
    const window = app();
    await window.connect();
    const old = (await listed(window, 'reports')).get(reports.old.name);
    expect(old).toMatchObject({ modifiedPrecision: 'day', modified: serverDate(reports.old.mtime) });
    // The server's date is the day after the UTC date of the moment: its clock, not ours.
    expect(new Date(old?.modified ?? 0).toISOString().slice(0, 10)).toBe(new Date(reports.old.mtime + DAY).toISOString().slice(0, 10));
  });

  it('learns the server clock from the file it has just sent, shows when each report was really written, and remembers it per server', async () => {
    const window = app();
    await window.connect();
    const name = `${server.account.username}_20261203.HL7`;
    const path = join(localDir, name);
    writeFileSync(path, hl7Batch({ importCode: server.account.username, messages: 2 }));
    const checked = await window.call('checkUpload', { localPath: path });
    if (!checked.ok) throw new Error(`checkUpload failed: ${checked.message}`);
    const started = await window.call('upload', { localPath: path, acceptWarnings: checked.check.warningIds });
    if (!started.ok) throw new Error(`upload refused: ${started.message}`);
    const done = await window.finished(started.transfer.id, 60_000);
    expect(done.state, done.message).toBe('done');

    expect(clockNotes(dataDir)).toEqual({ [`127.0.0.1:${server.port}`]: expect.objectContaining({ offsetMinutes: SERVER_OFFSET_MINUTES, learnedFrom: 'own-upload' }) });
    const inReports = await listed(window, 'reports');
    expect(inReports.get(reports.recent.name)).toMatchObject({ modifiedPrecision: 'minute', modified: toMinute(reports.recent.mtime) });
    expect(inReports.get(reports.old.name)).toMatchObject({ modifiedPrecision: 'day', modified: serverDate(reports.old.mtime) });
    const sent = (await listed(window, 'dropoff')).get(name);
    expect(sent).toMatchObject({ modifiedPrecision: 'minute', modified: toMinute(statSync(join(registry.dropoffDir, name)).mtimeMs) });

    // The app started again: the offset is known before anything is sent.
    await window.dispose();
    apps.splice(apps.indexOf(window), 1);
    const again = app();
    await again.connect();
    expect((await listed(again, 'reports')).get(reports.recent.name)).toMatchObject({ modified: toMinute(reports.recent.mtime) });
  });

  it('the command line, in Chicago, shows the same moments from the remembered offset, and the old report by its date alone', async () => {
    const args = ['list', 'reports', '--profile', profileId, '--user', server.account.username, '--password-env', 'RT_PASSWORD', '--data-dir', dataDir, '--timeout', '20'];
    const env = { RT_PASSWORD: server.account.password, TZ: 'America/Chicago' };
    const text = await runCli(args, env);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const chicago = (ms: number) => new Date(ms).toLocaleString('sv-SE', { timeZone: 'America/Chicago' }).slice(0, 16);
    const line = (name: string) => text.stdout.split('\n').find((l) => l.includes(name)) ?? '';
    expect(line(reports.recent.name)).toMatch(new RegExp(`${chicago(reports.recent.mtime)}$`));
    expect(line(reports.old.name)).toMatch(new RegExp(`\\s${new Date(serverDate(reports.old.mtime)).toISOString().slice(0, 10)}$`));

    const json = await runCli([...args, '--json'], env);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { folders: { entries: { name: string; modified: string | null; modifiedPrecision?: string }[] }[] };
    const entries = new Map(doc.folders[0]?.entries.map((e) => [e.name, e]));
    expect(entries.get(reports.recent.name)).toMatchObject({ modified: new Date(toMinute(reports.recent.mtime)).toISOString(), modifiedPrecision: 'minute' });
    expect(entries.get(reports.old.name)).toMatchObject({ modified: new Date(serverDate(reports.old.mtime)).toISOString().slice(0, 10), modifiedPrecision: 'day' });
  });
});

describe(`ProFTPD listing local times (TimesGMT off, MLSD not offered) on ${SERVER_ZONE} time, MDTM in UTC`, () => {
  let server: ProftpdServer;
  let registry: TestRegistry;
  let reports: ReturnType<typeof placeReports>;
  const apps: App[] = [];
  beforeAll(async () => {
    server = await startProftpd({ tag: 'ZM', timeZone: SERVER_ZONE, extraConfig: 'TimesGMT off\n  FactsAdvertise off' });
    registry = ftpsRegistry('ProFTPD, local times', server, (id) => server.ftpsProfile(id), server.dropoffDir);
    reports = placeReports(server.account.accountDir, server.account.username);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.dispose()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('learns the offset from MDTM on the first listing, before anything is sent, and shows the real times', async () => {
    const window = openApp(registry, { profileId: 'local-times-proftpd' });
    apps.push(window);
    await window.connect();
    const inReports = await listed(window, 'reports');
    expect(inReports.get(reports.recent.name)).toMatchObject({ modifiedPrecision: 'minute', modified: toMinute(reports.recent.mtime) });
    expect(inReports.get(reports.old.name)).toMatchObject({ modifiedPrecision: 'day', modified: serverDate(reports.old.mtime) });
    // The listing really was LIST on local time, and MDTM was asked: the server's own record.
    await window.dispose();
    apps.splice(0);
    await server.sessionsEnded();
    expect(server.log()).toMatch(/ LIST .* -> 226/);
    expect(server.log()).toMatch(/ MDTM .*DQA-Report\/.* -> 213/);
  });
});

describe('servers with MLSD give exact UTC times, whatever their own clock', () => {
  const servers: { stop(): Promise<void> }[] = [];
  const apps: App[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.dispose()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  const exactTimes = async (registry: TestRegistry, accountDir: string, importCode: string) => {
    const reports = placeReports(accountDir, importCode);
    const window = openApp(registry, { profileId: `local-times-${registry.label.replace(/\W+/g, '-').toLowerCase()}` });
    apps.push(window);
    await window.connect();
    const inReports = await listed(window, 'reports');
    // To the second (a LIST line has minutes at best), with no precision note and no offset applied.
    for (const file of [reports.recent, reports.old]) {
      const entry = inReports.get(file.name);
      expect(entry?.modified, file.name).toBe(file.mtime);
      expect(entry, file.name).not.toHaveProperty('modifiedPrecision');
    }
  };

  it(`ProFTPD on ${SERVER_ZONE} time`, async () => {
    const server: ProftpdServer = await startProftpd({ tag: 'ZN', timeZone: SERVER_ZONE });
    servers.push(server);
    await exactTimes(ftpsRegistry('ProFTPD MLSD', server, (id) => server.ftpsProfile(id), server.dropoffDir), server.account.accountDir, server.account.username);
  });

  it('Pure-FTPd', async () => {
    const server: PureFtpdServer = await startPureFtpd({ tag: 'ZP' });
    servers.push(server);
    await exactTimes(ftpsRegistry('Pure-FTPd MLSD', server, (id) => server.profile(id), server.dropoffDir), server.account.accountDir, server.account.username);
  });
});
