// `registry-transfer submissions` (issue 14, item 1) as a clinic's IT runs it: the built command
// against the real practice registry, on the data folder whose history `upload` wrote: a table a
// person reads (where each file stands, its reports and consent file, the registry's other files
// apart), --json's one document with name, state, sentAt and the names of accepted, reports and
// consent where present, the filters, and the usage errors, said before signing in.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPracticeRegistry, type RunningPracticeRegistry } from '../../electron/practice/practice-registry';
import { cliEnv, PROJECT_ROOT, runCli } from '../support/cli-runner';

const SAMPLES = join(PROJECT_ROOT, 'electron', 'practice', 'samples');
const GOOD = 'PRAC01_20261201_weekly.HL7';
const ADMISSIONS = 'PRAC01_20261204_admissions.HL7';

let scratch: string;
let dataDir: string;
let practice: RunningPracticeRegistry;
let password: string;

const env = () => cliEnv(scratch, password);
const connection = () => ['--profile', 'practice', '--password-env', 'RT_PASSWORD', '--data-dir', dataDir];
const submissions = (...more: string[]) => runCli(['submissions', ...connection(), ...more], env());

async function until(condition: () => boolean, what: string, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`This never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-cli-submissions-'));
  mkdirSync(join(scratch, 'home'));
  dataDir = join(scratch, 'data');
  practice = await startPracticeRegistry({ dataDir, ready: true, processAfterSeconds: 0.2 });
  password = practice.issuedPassword() as string;
  copyFileSync(join(SAMPLES, GOOD), join(scratch, GOOD));
  writeFileSync(join(scratch, ADMISSIONS), readFileSync(join(SAMPLES, GOOD), 'latin1').replaceAll('VXU^V04^VXU_V04', 'ADT^A04^ADT_A01'), 'latin1');
  const sent = await runCli(['upload', join(scratch, GOOD), join(scratch, ADMISSIONS), '--accept-warnings', ...connection()], env());
  expect(sent.code, sent.stderr).toBe(0);
  const reports = practice.files.folderPath('DQA-Report');
  await until(() => existsSync(join(practice.files.folderPath('Receive'), 'PRAC01_20261201_weekly.CNF')) && existsSync(join(reports, 'PRAC01_20261204_admissions_DQA.txt')), 'both answered');
  // A report of a batch sent from somewhere else.
  writeFileSync(join(reports, 'PRAC01_20260101_other_DQA.txt'), 'x\r\n', { mode: 0o600 });
}, 180_000);

afterAll(async () => {
  await practice?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('registry-transfer submissions', () => {
  it('prints where each file stands, with its reports and consent file, and the registry\'s other files apart', async () => {
    const run = await submissions();
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^Sent +File +Where it stands +Answered$/);
    expect(lines.find((l) => l.includes(GOOD))).toMatch(/accepted, consent notification received/);
    expect(lines.find((l) => l.includes(ADMISSIONS))).toMatch(/not accepted/);
    expect(run.stdout).toContain('  report   PRAC01_20261201_weekly_ACK.hl7');
    expect(run.stdout).toContain('  consent  PRAC01_20261201_weekly.CNF');
    expect(run.stdout).toContain('The registry did not accept it: open its report to see why.');
    expect(run.stdout).toContain('On the registry, matching nothing sent from this computer:');
    expect(run.stdout).toMatch(/\n  reports +PRAC01_20260101_other_DQA\.txt +\d{4}-\d{2}-\d{2}/);
  }, 60_000);

  it('gives one JSON document with name, state, sentAt and the names of its files where present', async () => {
    const run = await submissions('--json');
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.ok).toBe(true);
    const byName = Object.fromEntries(doc.submissions.map((s: { name: string }) => [s.name, s]));
    expect(byName[GOOD]).toMatchObject({
      name: GOOD,
      state: 'consent-received',
      accepted: GOOD,
      reports: ['PRAC01_20261201_weekly_ACK.hl7', 'PRAC01_20261201_weekly_DQA.html', 'PRAC01_20261201_weekly_DQA.txt'],
      consent: ['PRAC01_20261201_weekly.CNF'],
    });
    expect(Date.parse(byName[GOOD].sentAt)).toBeGreaterThan(Date.now() - 3_600_000);
    expect(byName[ADMISSIONS].state).toBe('rejected');
    expect(byName[ADMISSIONS]).not.toHaveProperty('accepted');
    expect(byName[ADMISSIONS]).not.toHaveProperty('consent');
    expect(byName[ADMISSIONS].reports.length).toBeGreaterThan(0);
    expect(doc.unmatched).toEqual([expect.objectContaining({ role: 'reports', name: 'PRAC01_20260101_other_DQA.txt' })]);
  }, 60_000);

  it('filters by state and by the day sent', async () => {
    const rejected = JSON.parse((await submissions('--state', 'rejected', '--json')).stdout);
    expect(rejected.submissions.map((s: { name: string }) => s.name)).toEqual([ADMISSIONS]);
    const both = JSON.parse((await submissions('--state', 'rejected,consent-received', '--from', today(), '--to', today(), '--json')).stdout);
    expect(both.submissions).toHaveLength(2);
    const none = await submissions('--to', '2020-01-01');
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('Nothing sent from this computer matches.');
  }, 60_000);

  it('refuses a wrong day or state before signing in (exit 2), saying what it takes', async () => {
    const cases: [string[], RegExp][] = [
      [['--from', '2026-02-30'], /--from must be a day written YYYY-MM-DD/],
      [['--to', 'yesterday'], /--to must be a day written YYYY-MM-DD/],
      [['--from', '2026-12-02', '--to', '2026-12-01'], /--from must be on or before --to/],
      [['--state', 'lost'], /--state must be one of waiting, picked-up, accepted, report-ready, consent-received, rejected, gone \(given: lost\)/],
      [['extra'], /submissions takes no arguments/],
    ];
    for (const [args, message] of cases) {
      const run = await submissions(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    const help = await runCli(['submissions', '--help'], env());
    expect(help.stdout).toContain('registry-transfer submissions: where each file sent from this computer stands.');
  }, 60_000);
});
