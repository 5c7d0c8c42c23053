// The sample files the app ships for "Try with a sample file" (issue 13, item 7): written for this
// project with made-up patients. Each must show what its name promises when the app checks it before
// sending, exactly as a clinic's own file would be checked: the good ones pass without a warning,
// the broken ones are stopped for the reason they were made to show.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../../electron/engine/profiles';
import { checkUpload, type UploadTarget } from '../../../electron/engine/transfers/upload';
import { processSubmission } from '../../../electron/practice/processing';
import { MemoryServer } from '../../support/memory-remote-fs';
import { localTexasProfile } from '../../support/sshd';

const SAMPLES = join(new URL('../../..', import.meta.url).pathname, 'electron', 'practice', 'samples');
const IMPORT_CODE = 'PRAC01';

function practiceTarget(): UploadTarget {
  const raw = localTexasProfile(22, 'practice-samples');
  const profile = parseProfile({ ...raw, files: { extension: '.HL7', importCodeInName: true } });
  return { profile, username: IMPORT_CODE, folders: profile.folders.map((f) => ({ role: f.role, name: f.name, path: `/${f.path}`, rights: [...f.rights], description: f.description })) };
}

async function check(name: string) {
  const server = new MemoryServer().account(IMPORT_CODE, { password: 'Practice-1!' }).folder('/HL7-Dropoff').folder('/Accepted').folder('/DQA-Report').folder('/Receive');
  const fs = await server.connect({ username: IMPORT_CODE, password: 'Practice-1!' });
  return checkUpload(fs, practiceTarget(), join(SAMPLES, name));
}

const problems = (lines: { severity: string; message: string }[]) => lines.filter((l) => l.severity !== 'ok').map((l) => `${l.severity}: ${l.message}`);

describe('the sample files shipped with the app', () => {
  it('are the five the window offers, none with a real person in it', () => {
    const files = readdirSync(SAMPLES).filter((name) => name.endsWith('.HL7')).sort();
    expect(files).toEqual([
      'PRAC01_20261201_weekly.HL7',
      'PRAC01_20261202_data_quality_problems.HL7',
      'PRAC01_20261203_wrong_count.HL7',
      'PRAC01_20261204_spreadsheet_export.HL7',
      'weekly_immunizations.HL7',
    ]);
    for (const name of files) {
      // Made-up surnames only (and the practice's made-up clinic and practitioner).
      const surnames = [...readFileSync(join(SAMPLES, name), 'latin1').matchAll(/\rPID\|(?:[^|]*\|){4}([^^|]*)/g)].map((m) => m[1]);
      for (const surname of surnames) expect(['EXAMPLEKID', 'SAMPLECHILD', 'PRACTICEPERSON', 'FICTIONAL', 'MADEUP', 'PRETEND']).toContain(surname);
    }
  });

  it('a clean weekly batch passes every check with nothing to warn about, and the practice registry accepts every message', async () => {
    const result = await check('PRAC01_20261201_weekly.HL7');
    expect(problems(result.lines)).toEqual([]);
    expect(result).toMatchObject({ canUpload: true, messageCount: 3 });
    const answered = processSubmission({ fileName: 'PRAC01_20261201_weekly.HL7', bytes: readFileSync(join(SAMPLES, 'PRAC01_20261201_weekly.HL7')), receivedAt: new Date('2026-12-01T18:00:00Z'), importCode: IMPORT_CODE, formats: ['text'] });
    expect(answered.summary).toMatchObject({ messages: 3, accepted: 3, withWarnings: 0, rejected: 0 });
  });

  it('the batch with data-quality problems comes back with them named, not accepted as clean', () => {
    const answered = processSubmission({ fileName: 'PRAC01_20261202_data_quality_problems.HL7', bytes: readFileSync(join(SAMPLES, 'PRAC01_20261202_data_quality_problems.HL7')), receivedAt: new Date('2026-12-02T18:00:00Z'), importCode: IMPORT_CODE, formats: ['text'] });
    expect(answered.summary.accepted).toBeLessThan(4);
    const report = answered.reports[0]?.content.toString('utf8') ?? '';
    expect(report).toMatch(/future/i);
    expect(report).toMatch(/birth/i);
  });

  it('a well-formed batch with data-quality problems can be sent: the registry, not the app, reports those', async () => {
    const result = await check('PRAC01_20261202_data_quality_problems.HL7');
    expect(problems(result.lines)).toEqual([]);
    expect(result).toMatchObject({ canUpload: true, messageCount: 4 });
  });

  it('a batch whose trailer counts five messages where it holds two is named for it', async () => {
    const result = await check('PRAC01_20261203_wrong_count.HL7');
    expect(problems(result.lines)).toEqual([expect.stringMatching(/^warning: The batch trailer \(BTS\) on line \d+ .* says 5 messages, but the batch holds 2\.$/)]);
  });

  it('a spreadsheet saved under an HL7 name is not sent', async () => {
    const result = await check('PRAC01_20261204_spreadsheet_export.HL7');
    expect(result.canUpload).toBe(false);
    expect(problems(result.lines).join('\n')).toMatch(/not an HL7|not HL7/i);
  });

  it('a good batch whose name lacks the import code is not sent, and says what the name needs', async () => {
    const result = await check('weekly_immunizations.HL7');
    expect(result.canUpload).toBe(false);
    expect(problems(result.lines).join('\n')).toContain(IMPORT_CODE);
  });
});
