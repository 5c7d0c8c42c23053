// `registry-transfer report FOLDER NAME` (issue 14, item 2) as a clinic's IT runs it: the built
// command against the real practice registry (started here on a data folder the command reaches with
// --profile practice and the same --data-dir), after two batches were sent with `upload` and
// answered: an ACK decoded, a text report with its scores, CSV as columns, HTML as text, a PDF refused
// with a hint (and given as base64 with --json); a missing name, a path and a terminal escape in a
// report handled in plain words.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPracticeRegistry, type RunningPracticeRegistry } from '../../electron/practice/practice-registry';
import { cliEnv, PROJECT_ROOT, runCli } from '../support/cli-runner';

const SAMPLES = join(PROJECT_ROOT, 'electron', 'practice', 'samples');
const GOOD = 'PRAC01_20261201_weekly';
const BROKEN = 'PRAC01_20261202_data_quality_problems';

let scratch: string;
let dataDir: string;
let practice: RunningPracticeRegistry;
let password: string;

const env = () => cliEnv(scratch, password);
const connection = () => ['--profile', 'practice', '--password-env', 'RT_PASSWORD', '--data-dir', dataDir];
const report = (folder: string, name: string, ...more: string[]) => runCli(['report', folder, name, ...connection(), ...more], env());
const reportsDir = () => practice.files.folderPath('DQA-Report');

async function until(condition: () => boolean, what: string, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`This never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function printedScores(stem: string) {
  const text = readFileSync(join(reportsDir(), `${stem}_DQA.txt`), 'utf8');
  const at = (label: string) => Number(new RegExp(`^${label} +(\\d+)`, 'm').exec(text)![1]);
  return { overall: at('Overall'), completeness: at('Completeness'), quality: at('Quality'), timeliness: at('Timeliness') };
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-cli-report-'));
  mkdirSync(join(scratch, 'home'));
  dataDir = join(scratch, 'data');
  practice = await startPracticeRegistry({ dataDir, ready: true, processAfterSeconds: 0.2, formats: ['text', 'csv', 'html', 'pdf'] });
  password = practice.issuedPassword() as string;
  for (const stem of [GOOD, BROKEN]) {
    const local = join(scratch, `${stem}.HL7`);
    copyFileSync(join(SAMPLES, `${stem}.HL7`), local);
    const sent = await runCli(['upload', local, ...connection()], env());
    expect(sent.code, sent.stderr).toBe(0);
    await until(() => existsSync(join(reportsDir(), `${stem}_DQA.pdf`)) && existsSync(join(reportsDir(), `${stem}_ACK.hl7`)), `${stem} answered`);
  }
}, 180_000);

afterAll(async () => {
  await practice?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('registry-transfer report', () => {
  it('decodes an ACK file: totals, then each message with its errors beneath', async () => {
    const good = await report('DQA-Report', `${GOOD}_ACK.hl7`);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/Acknowledgements: 3 message\(s\): 3 accepted, 0 accepted with errors, 0 rejected\./);

    const broken = await report('reports', `${BROKEN}_ACK.hl7`);
    expect(broken.code, broken.stderr).toBe(0);
    expect(broken.stdout).toMatch(/Acknowledgements: \d+ message\(s\)/);
    expect(broken.stdout).toMatch(/Most common:/);
    // An error line beneath its message: severity, location, words, codes.
    expect(broken.stdout).toMatch(/\n {4}(error|warning|note) {2}[A-Z0-9]{3}(\[\d+\])?-\d+\S* {2}\S.*\[/);
  }, 60_000);

  it('prints a text report as it is, with the scores it states first', async () => {
    const run = await report('DQA-Report', `${GOOD}_DQA.txt`);
    expect(run.code, run.stderr).toBe(0);
    const s = printedScores(GOOD);
    expect(run.stdout).toContain(`Scores (0-100): overall ${s.overall}, completeness ${s.completeness}, quality ${s.quality}, timeliness ${s.timeliness}`);
    expect(run.stdout).toContain('PRACTICE REGISTRY - DATA QUALITY (DQA) REPORT');
  }, 60_000);

  it('prints CSV as aligned columns and HTML as text without its tags', async () => {
    const csv = await report('DQA-Report', `${BROKEN}_DQA.csv`);
    expect(csv.code, csv.stderr).toBe(0);
    const header = csv.stdout.split('\n').find((l) => l.startsWith('file '))!;
    expect(header).toMatch(/^file +message +control_id +ack_code +severity/);

    const html = await report('DQA-Report', `${GOOD}_DQA.html`);
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).not.toMatch(/<\/?(td|tr|table|html|p)\b/);
    expect(html.stdout).toMatch(/^Overall \d+/m);
  }, 60_000);

  it('refuses to print a PDF and names the download command; --json gives its bytes', async () => {
    const refused = await report('DQA-Report', `${GOOD}_DQA.pdf`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`registry-transfer download DQA-Report ${GOOD}_DQA.pdf --to DIR`);

    const json = await report('DQA-Report', `${GOOD}_DQA.pdf`, '--json');
    expect(json.code, json.stderr).toBe(0);
    const document = JSON.parse(json.stdout);
    expect(document).toMatchObject({ ok: true, report: { role: 'reports', name: `${GOOD}_DQA.pdf`, view: { kind: 'pdf' }, scores: null } });
    expect(Buffer.from(document.report.view.base64, 'base64').equals(readFileSync(join(reportsDir(), `${GOOD}_DQA.pdf`)))).toBe(true);
  }, 60_000);

  it('--json: one document with the OpenedReport (an ACK decoded, a report with its scores)', async () => {
    const ack = JSON.parse((await report('DQA-Report', `${GOOD}_ACK.hl7`, '--json')).stdout);
    expect(ack).toMatchObject({ ok: true, report: { view: { kind: 'ack', ack: { totals: { messages: 3, accepted: 3 } } } } });
    const text = JSON.parse((await report('DQA-Report', `${BROKEN}_DQA.txt`, '--json')).stdout);
    expect(text).toMatchObject({ ok: true, report: { view: { kind: 'text' }, scores: printedScores(BROKEN) } });
  }, 60_000);

  it('a missing name fails (exit 1), a path is a usage error (exit 2), an unknown folder too', async () => {
    const missing = await report('DQA-Report', 'PRAC01_19990101_DQA.txt', '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, code: 'not-found', exitCode: 1 });
    expect(missing.stderr).toMatch(/no file named PRAC01_19990101_DQA\.txt in DQA-Report/);

    const path = await report('DQA-Report', '../Accepted/x.HL7');
    expect(path.code).toBe(2);
    expect(path.stderr).toMatch(/without a folder or path/);

    const folder = await report('Nowhere', 'x.txt');
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/has no folder "Nowhere"/);
  }, 60_000);

  it('shows a control character inside a report escaped, so a report cannot drive the terminal', async () => {
    writeFileSync(join(reportsDir(), 'PRAC01_20261210_note.txt'), 'Line one\r\nThis \u001b[2J would clear the screen\r\n');
    const run = await report('DQA-Report', 'PRAC01_20261210_note.txt');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).toContain('This \\x1B[2J would clear the screen');
  }, 60_000);
});
