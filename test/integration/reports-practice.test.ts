// The report viewer's engine side against the real practice registry (issue 14, items 2-4): batches
// sent through the app, answered by the registry's processing, then each reply opened as the window
// opens it (ACK decoded, text, CSV, HTML, PDF, scores equal to the ones the report prints), the scores
// of three uploads over time, and a missing name, a path and a file too large refused in plain words.
// Over SFTP and FTPS: both adapters' read into memory.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { practicePort } from '../../electron/engine/practice-port';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { REPORT_SIZE_LIMIT } from '../../electron/engine/replies/report-view';
import { startPracticeRegistry, type RunningPracticeRegistry } from '../../electron/practice/practice-registry';

const SAMPLES = join(new URL('../..', import.meta.url).pathname, 'electron', 'practice', 'samples');
const GOOD = 'PRAC01_20261201_weekly.HL7';
const BROKEN = 'PRAC01_20261202_data_quality_problems.HL7';
const THIRD = 'PRAC01_20261205_weekly_again.HL7';

let scratch: string;
let mine: string;
let practice: RunningPracticeRegistry;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rt reports '));
  mine = join(scratch, 'my files');
  mkdirSync(mine);
  for (const name of [GOOD, BROKEN]) copyFileSync(join(SAMPLES, name), join(mine, name));
  copyFileSync(join(SAMPLES, GOOD), join(mine, THIRD));
  practice = await startPracticeRegistry({ dataDir: join(scratch, 'data'), ready: true, processAfterSeconds: 0.2, formats: ['text', 'csv', 'html', 'pdf'] });
}, 60_000);

afterAll(async () => {
  await practice?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function app(): RegistryService {
  return createRegistryService({
    settings: new MemorySettings(),
    emit: () => undefined,
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    dataDir: join(scratch, `app-${Math.random().toString(36).slice(2)}`),
    localPlaces: () => [{ label: 'Mine', path: mine, kind: 'folder' }],
    // The engine's own port for the practice registry, as the window and the command line build it.
    practice: practicePort({ listening: practice, profile: practice.profile, issuedPassword: () => practice.issuedPassword(), processAfterSeconds: practice.processAfterSeconds, samplesFolder: SAMPLES }),
  });
}

async function until(condition: () => boolean, what: string, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`This never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const reportsDir = () => practice.files.folderPath('DQA-Report');
const stem = (name: string) => name.replace(/\.HL7$/, '');

/** The scores the practice registry's text report prints, read off its lines as a person would. */
function printedScores(name: string) {
  const text = readFileSync(join(reportsDir(), `${stem(name)}_DQA.txt`), 'utf8');
  const at = (label: string) => Number(new RegExp(`^${label} +(\\d+)`, 'm').exec(text)![1]);
  return { overall: at('Overall'), completeness: at('Completeness'), quality: at('Quality'), timeliness: at('Timeliness') };
}

async function send(service: RegistryService, name: string): Promise<void> {
  expect(await service.handlers.upload({ localPath: join(mine, name), acceptWarnings: [] })).toMatchObject({ ok: true });
  await until(() => existsSync(join(reportsDir(), `${stem(name)}_DQA.pdf`)) && existsSync(join(reportsDir(), `${stem(name)}_ACK.hl7`)), `${name} answered`);
}

describe('reports from the practice registry', () => {
  it('before signing in, opening a report says so', async () => {
    const service = app();
    expect(await service.handlers.openReport({ role: 'reports', name: 'x.txt' })).toMatchObject({ ok: false, code: 'not-connected' });
    await service.dispose();
  });

  it('over SFTP: a good batch and one with problems, each reply opened as its kind, scores as printed', async () => {
    const service = app();
    expect(await service.handlers.connect({ profileId: 'practice', protocol: 'sftp', username: 'PRAC01', password: practice.issuedPassword() as string })).toMatchObject({ ok: true });
    await send(service, GOOD);
    await send(service, BROKEN);

    for (const name of [GOOD, BROKEN]) {
      const ack = await service.handlers.openReport({ role: 'reports', name: `${stem(name)}_ACK.hl7` });
      if (!ack.ok || ack.report.view.kind !== 'ack') throw new Error(`the ACK of ${name} did not open as an ACK`);
      expect(ack.report.scores).toBeNull();
      expect(ack.report.view.ack.batchWrapped).toBe(true);
      const messages = readFileSync(join(mine, name), 'latin1').split(/\r\n|\r|\n/).filter((l) => l.startsWith('MSH|')).length;
      expect(ack.report.view.ack.totals.messages).toBe(messages);
      if (name === GOOD) expect(ack.report.view.ack.totals).toMatchObject({ accepted: messages, errors: 0, rejected: 0 });
      else {
        expect(ack.report.view.ack.totals.accepted).toBeLessThan(messages);
        expect(ack.report.view.ack.commonErrors.length).toBeGreaterThan(0);
        const located = ack.report.view.ack.messages.flatMap((m) => m.errors).map((e) => e.location);
        expect(located.some((l) => /^[A-Z0-9]{3}(\[\d+\])?-\d+/.test(l))).toBe(true);
      }

      const text = await service.handlers.openReport({ role: 'reports', name: `${stem(name)}_DQA.txt` });
      expect(text.ok && text.report.view.kind).toBe('text');
      expect(text.ok && text.report.scores).toEqual(printedScores(name));
      expect(text.ok && text.report.size).toBe(readFileSync(join(reportsDir(), `${stem(name)}_DQA.txt`)).length);
      expect(text.ok && typeof text.report.modified).toBe('number');

      const html = await service.handlers.openReport({ role: 'reports', name: `${stem(name)}_DQA.html` });
      expect(html.ok && html.report.view.kind).toBe('html');
      expect(html.ok && html.report.scores).toEqual(printedScores(name));

      const csv = await service.handlers.openReport({ role: 'reports', name: `${stem(name)}_DQA.csv` });
      if (!csv.ok || csv.report.view.kind !== 'csv') throw new Error('the CSV did not open as a table');
      expect(csv.report.view.header).toContain('description');

      const pdf = await service.handlers.openReport({ role: 'reports', name: `${stem(name)}_DQA.pdf` });
      if (!pdf.ok || pdf.report.view.kind !== 'pdf') throw new Error('the PDF did not open as a PDF');
      expect(Buffer.from(pdf.report.view.base64, 'base64').equals(readFileSync(join(reportsDir(), `${stem(name)}_DQA.pdf`)))).toBe(true);
    }

    const consentName = `${stem(GOOD)}.CNF`;
    const consent = await service.handlers.openReport({ role: 'receive', name: consentName });
    expect(consent).toMatchObject({ ok: true, report: { role: 'receive', name: consentName } });
    await service.dispose();
  }, 180_000);

  it('over FTPS: a third upload, then three points of scores, oldest first, each as its text report prints', async () => {
    const service = app();
    expect(await service.handlers.connect({ profileId: 'practice', protocol: 'ftps', username: 'PRAC01', password: practice.issuedPassword() as string })).toMatchObject({ ok: true });
    await send(service, THIRD);
    const listed = await service.handlers.listScores({});
    if (!listed.ok) throw new Error(listed.message);
    expect(listed.points.map((p) => p.name).sort()).toEqual([GOOD, BROKEN, THIRD].map((n) => `${stem(n)}_DQA.txt`).sort());
    for (const point of listed.points) expect(point.scores).toEqual(printedScores(`${point.name.replace(/_DQA\.txt$/, '')}.HL7`));
    const times = listed.points.map((p) => p.at as number);
    expect(times.every((t) => typeof t === 'number')).toBe(true);
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const ack = await service.handlers.openReport({ role: 'reports', name: `${stem(THIRD)}_ACK.hl7` });
    expect(ack.ok && ack.report.view.kind).toBe('ack');
    await service.dispose();
  }, 180_000);

  it('a missing name, a name with a path and a file too large are refused in plain words; nothing is written', async () => {
    const service = app();
    expect(await service.handlers.connect({ profileId: 'practice', protocol: 'sftp', username: 'PRAC01', password: practice.issuedPassword() as string })).toMatchObject({ ok: true });
    const missing = await service.handlers.openReport({ role: 'reports', name: 'PRAC01_19990101_DQA.txt' });
    expect(missing).toMatchObject({ ok: false, code: 'not-found' });
    if (!missing.ok) expect(missing.message).toMatch(/no file named PRAC01_19990101_DQA.txt in DQA-Report/);
    for (const name of ['../Accepted/x.HL7', 'sub/x.txt', '..', 'a\\b.txt']) {
      const refused = await service.handlers.openReport({ role: 'reports', name });
      expect(refused).toMatchObject({ ok: false, code: 'invalid-input' });
      if (!refused.ok) expect(refused.message).toMatch(/without a folder or path/);
    }
    // A file larger than the viewer opens, placed by the registry (sparse: no 64 MB written here).
    const big = join(reportsDir(), 'PRAC01_20261209_DQA.txt');
    writeFileSync(big, '');
    truncateSync(big, REPORT_SIZE_LIMIT + 1);
    const tooLarge = await service.handlers.openReport({ role: 'reports', name: 'PRAC01_20261209_DQA.txt' });
    expect(tooLarge).toMatchObject({ ok: false, code: 'invalid-input' });
    if (!tooLarge.ok) expect(tooLarge.message).toMatch(/larger than the 64 MB the viewer opens.*Download/);
    // The scores chart leaves it out rather than failing.
    const listed = await service.handlers.listScores({});
    expect(listed.ok && listed.points.map((p) => p.name)).not.toContain('PRAC01_20261209_DQA.txt');
    rmSync(big);
    await service.dispose();
  }, 120_000);
});
