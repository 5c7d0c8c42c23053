// `registry-transfer schedule` (issue 17, item 2): what it prints is checked by the tools that read
// each format: Debian's crontab installs the line (and --install / --list / --remove put it in and
// take it out of the real crontab), systemd-analyze verify reads the user service and timer, xmllint
// reads the Task Scheduler XML and the launchd plist. Never a password in any of them: a scheduled
// command with --password-env is refused.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../support/cli-runner';

let scratch: string;
let dataDir: string;
let exportDir: string;
let crontabBefore: string | null = null;

const crontabNow = (): string | null => {
  const listed = spawnSync('crontab', ['-l'], { encoding: 'utf8' });
  return listed.status === 0 ? listed.stdout : null;
};

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-schedule-'));
  dataDir = join(scratch, 'data');
  exportDir = join(scratch, 'EHR Export %weekly%');
  mkdirSync(exportDir);
  crontabBefore = crontabNow();
});
afterAll(() => {
  // The user's crontab as it was, whatever a failed test left.
  if (crontabBefore === null) spawnSync('crontab', ['-r']);
  else spawnSync('crontab', ['-'], { input: crontabBefore });
  rmSync(scratch, { recursive: true, force: true });
});

const sendNew = () => ['send-new', exportDir, '--profile', 'texas-immtrac2', '--user', 'ABC123', '--move-to', join(scratch, 'Sent'), '--pattern', '*.hl7'];
const schedule = (...args: string[]) => runCli(['schedule', '--data-dir', dataDir, ...args, '--', ...sendNew()], cliEnv(scratch, undefined));

describe('the schedule for each scheduler', () => {
  it('cron: a line crontab accepts, weekly on the day and time given, with % escaped and the user’s session bus named', async () => {
    const run = await schedule('--every', 'weekly', '--day', 'fri', '--at', '6:30', '--format', 'cron');
    expect(run.code, run.stderr).toBe(0);
    const line = run.stdout.trim();
    expect(line).toMatch(/^30 6 \* \* 5 DBUS_SESSION_BUS_ADDRESS=unix:path=\/run\/user\/\d+\/bus /);
    expect(line).toContain(`'${exportDir.replace(/%/g, '\\%')}'`);
    expect(line).toContain(' # registry-transfer schedule: send-new-texas-immtrac2-ABC123');
    const file = join(scratch, 'crontab.txt');
    writeFileSync(file, `${line}\n`);
    // Debian's crontab checks the syntax before it installs a file; then lists it back as given.
    const before = crontabNow();
    try {
      execFileSync('crontab', [file]);
      expect(crontabNow()).toBe(`${line}\n`);
    } finally {
      if (before === null) spawnSync('crontab', ['-r']);
      else spawnSync('crontab', ['-'], { input: before });
    }
    const bad = join(scratch, 'bad-crontab.txt');
    writeFileSync(bad, '61 6 * * 5 true\n');
    expect(spawnSync('crontab', [bad]).status).not.toBe(0);
  });

  it('systemd: a user service and timer that systemd-analyze verify reads without a complaint', async () => {
    const run = await schedule('--every', 'daily', '--at', '07:15', '--format', 'systemd', '--json');
    expect(run.code, run.stderr).toBe(0);
    const { text } = JSON.parse(run.stdout) as { text: string };
    const [, service, timer] = text.split(/^# registry-transfer-[\w-]+\.(?:service|timer)\n/m);
    const dir = join(scratch, 'units');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'registry-transfer-send-new-texas-immtrac2-ABC123.service'), service as string);
    writeFileSync(join(dir, 'registry-transfer-send-new-texas-immtrac2-ABC123.timer'), timer as string);
    expect(timer).toContain('OnCalendar=*-*-* 07:15:00');
    expect(timer).toContain('Persistent=true');
    expect(service).toMatch(/^ExecStart="[^"]+node" "[^"]+registry-transfer\.mjs" "send-new" /m);
    // systemd's own % specifiers: the folder's % is doubled, as systemd.unit(5) says.
    expect(service).toContain('EHR Export %%weekly%%');
    const verified = spawnSync('systemd-analyze', ['verify', join(dir, 'registry-transfer-send-new-texas-immtrac2-ABC123.timer'), join(dir, 'registry-transfer-send-new-texas-immtrac2-ABC123.service')], {
      encoding: 'utf8',
    });
    expect(verified.stderr).toBe('');
    expect(verified.status).toBe(0);
  });

  it('Windows: Task Scheduler XML (schema 1.2) that xmllint reads, in the schema’s order, running only as the logged-on user', async () => {
    const run = await schedule('--every', 'weekly', '--day', 'monday', '--at', '05:45', '--format', 'windows');
    expect(run.code, run.stderr).toBe(0);
    const xml = run.stdout;
    const file = join(scratch, 'task.xml');
    // As --install saves it for schtasks: UTF-16 with its byte order mark.
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]));
    const parsed = spawnSync('xmllint', ['--noout', '--nonet', file], { encoding: 'utf8' });
    expect(parsed.stderr).toBe('');
    expect(parsed.status).toBe(0);
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-16"\?>\n<Task version="1\.2" xmlns="http:\/\/schemas\.microsoft\.com\/windows\/2004\/02\/mit\/task">/);
    // The task's children in the order the schema's sequence gives them.
    const order = ['<RegistrationInfo>', '<Triggers>', '<Principals>', '<Settings>', '<Actions Context="Author">'].map((tag) => xml.indexOf(tag));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > (order[i - 1] as number)))).toBe(true);
    expect(xml).toMatch(/<StartBoundary>\d{4}-\d{2}-\d{2}T05:45:00<\/StartBoundary>/);
    expect(xml).toMatch(/<ScheduleByWeek>\s*<DaysOfWeek>\s*<Monday \/>\s*<\/DaysOfWeek>\s*<WeeksInterval>1<\/WeeksInterval>\s*<\/ScheduleByWeek>/);
    expect(xml).toContain('<LogonType>InteractiveToken</LogonType>');
    expect(xml).not.toMatch(/<(Password|UserId)>/);
    expect(xml).toMatch(/<Arguments>[^<]*send-new &quot;[^<]*EHR Export %weekly%&quot; --profile texas-immtrac2 --user ABC123/);
  });

  it('macOS: a launchd agent plist that xmllint reads, its program and arguments whole', async () => {
    const run = await schedule('--every', 'daily', '--at', '22:05', '--format', 'launchd');
    expect(run.code, run.stderr).toBe(0);
    const file = join(scratch, 'agent.plist');
    writeFileSync(file, run.stdout);
    const parsed = spawnSync('xmllint', ['--noout', '--nonet', file], { encoding: 'utf8' });
    expect(parsed.status, parsed.stderr).toBe(0);
    expect(run.stdout).toContain('<string>org.registrytransfer.send-new-texas-immtrac2-ABC123</string>');
    expect(run.stdout).toContain(`<string>${exportDir}</string>`);
    expect(run.stdout).toMatch(/<key>Hour<\/key>\s*<integer>22<\/integer>\s*<key>Minute<\/key>\s*<integer>5<\/integer>/);
    expect(run.stdout).not.toContain('<key>Weekday</key>');
  });
});

describe('installing, listing and removing', () => {
  it('--install puts the line in the user’s crontab (no systemd user manager here), --list names it, --remove takes it out', async () => {
    spawnSync('crontab', ['-'], { input: '# a line the clinic had before\n15 3 * * * /usr/bin/true\n' });
    const installed = await schedule('--every', 'daily', '--at', '04:10', '--install', '--name', 'weekly-export');
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain('Installed the schedule weekly-export (cron).');
    const crontab = crontabNow() ?? '';
    expect(crontab).toContain('15 3 * * * /usr/bin/true');
    expect(crontab.split('\n').filter((l) => l.endsWith('# registry-transfer schedule: weekly-export'))).toHaveLength(1);
    // Installed again: replaced, not doubled.
    expect((await schedule('--every', 'daily', '--at', '04:20', '--install', '--name', 'weekly-export')).code).toBe(0);
    expect((crontabNow() ?? '').split('\n').filter((l) => l.includes('registry-transfer schedule: weekly-export'))).toEqual([expect.stringMatching(/^20 4 \* \* \* /)]);

    const listed = await runCli(['schedule', '--list', '--data-dir', dataDir], cliEnv(scratch, undefined));
    expect(listed.stdout).toMatch(/^weekly-export: daily at 04:20 \(cron, installed \d{4}-\d{2}-\d{2}\): send-new /);
    const removed = await runCli(['schedule', '--remove', 'weekly-export', '--data-dir', dataDir], cliEnv(scratch, undefined));
    expect(removed.code, removed.stderr).toBe(0);
    expect(crontabNow()).toBe('# a line the clinic had before\n15 3 * * * /usr/bin/true\n');
    expect((await runCli(['schedule', '--list', '--data-dir', dataDir], cliEnv(scratch, undefined))).stdout).toContain('No schedule was installed');
  });
});

describe('never a password', () => {
  it('refuses a scheduled command that carries --password-env or --passphrase-env, and a command other than send-new', async () => {
    const withPassword = await runCli(['schedule', '--every', 'daily', '--', ...sendNew(), '--password-env', 'IMMTRAC_PASSWORD'], cliEnv(scratch, undefined));
    expect(withPassword.code).toBe(2);
    expect(withPassword.stderr).toContain('A schedule never carries a password');
    const upload = await runCli(['schedule', '--every', 'daily', '--', 'upload', '/tmp/x.hl7', '--profile', 'texas-immtrac2', '--user', 'A'], cliEnv(scratch, undefined));
    expect(upload.code).toBe(2);
    const noEvery = await runCli(['schedule', '--', ...sendNew()], cliEnv(scratch, undefined));
    expect(noEvery.code).toBe(2);
    expect(noEvery.stderr).toContain('--every daily or --every weekly');
  });
});
