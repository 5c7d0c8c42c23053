// The ImmTrac scores (issue 13, item 3) as the OIS DQA tool computes them from its model
// (../shared/samples/dqa/d01): hand-made batches whose scores are worked out here, row by row, from
// the model's weights.
import { describe, expect, it } from 'vitest';
import { analyseMessage } from '../../../../electron/practice/processing/analyse';
import { readHl7 } from '../../../../electron/engine/hl7/reader';
import { score, scoreLabel } from '../../../../electron/practice/processing/scoring';
import { countMessages } from '../../../../electron/practice/processing/report';

const RECEIVED = new Date('2026-12-03T09:24:58Z');

function message(id: string, { rxa3 = '20261125', cvx = '10^IPV^CVX', pid8 = 'F' } = {}) {
  return [
    `MSH|^~\\&|TESTEHR|TEST CLINIC|IIS|STATE|20261203083000-0600||VXU^V04^VXU_V04|${id}|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS`,
    `PID|1||PAT${id}^^^CLINIC^MR||ZZLAST^ZZFIRST^ZZMIDDLE^^^^L|ZZMAIDEN^ZZMOTHER^^^^^M|20240612|${pid8}||2106-3^White^CDCREC|101 ZZ WAY^^AUSTIN^TX^78701^USA^P||^PRN^PH^^^512^5550101|||||||||2186-5^Not Hispanic or Latino^CDCREC`,
    'PD1|||||||||||02^Reminder/Recall - any method^HL70215|N|20261201',
    'NK1|1|ZZLAST^ZZPARENT^^^^^L|MTH^Mother^HL70063',
    'ORC|RE||ORD0001^CLINIC',
    `RXA|0|1|${rxa3}|${rxa3}|${cvx}|0.5|mL^milliliters^UCUM||00^New immunization record^NIP001|1234567890^ZZNURSE^PAT^^^^^^NPI^L|^^^CLINIC||||X1234AB|20271231|PMC^Sanofi Pasteur^MVX|||CP|A`,
    'RXR|C28161^Intramuscular^NCIT|LT^Left Thigh^HL70163',
    'OBX|1|CE|64994-7^Vaccine funding program eligibility category^LN|1|V02^VFC eligible - Medicaid^HL70064||||||F',
  ];
}

function scoresOf(lines: string[]) {
  const read = readHl7(Buffer.from(lines.join('\r')));
  const messages = read.messages.map((m, i) => analyseMessage(m, i + 1, { receivedAt: RECEIVED }));
  const counts = countMessages(messages);
  return score(messages, { messages: counts.messages, processedMessages: counts.processedMessages, vaccinations: counts.vaccinations, administered: counts.administered });
}

const round = (x: number) => Math.floor(100 * x + 0.5);

describe('completeness', () => {
  it('a complete child record: every row of the model worked out by hand', () => {
    const s = scoresOf(message('1'));
    // Patient: required has everything (1); expected lacks only the SSN (10 of 50); recommended has
    // ethnicity and race (20 of 35: no birth indicator, no Medicaid id). Sections weigh 10, 6, 4.
    const patient = 0.5 * 1 + 0.3 * (40 / 50) + 0.2 * (20 / 35);
    // Vaccination: required and expected complete; recommended lacks the system entry date (5 of 40).
    const vaccination = 0.5 * 1 + 0.3 * 1 + 0.2 * (35 / 40);
    // Vaccine groups: POLIO, 1 of the 10 expected groups, at two thirds (expected 2 of 2+1).
    const groups = (1 / 10) * (2 / 3);
    expect(s.completenessPatient).toBe(round(patient));
    expect(s.completenessVaccination).toBe(round(vaccination));
    expect(s.completenessVaccineGroups).toBe(round(groups));
    // Patient 20, vaccination 20, vaccine groups 10.
    expect(s.completeness).toBe(round(0.4 * patient + 0.4 * vaccination + 0.2 * groups));
    expect([s.completenessPatient, s.completenessVaccination, s.completenessVaccineGroups, s.completeness]).toEqual([85, 98, 7, 75]);
  });

  it('combination vaccines count for each of their groups', () => {
    const s = scoresOf([...message('1', { cvx: '110^DTaP-Hep B-IPV^CVX' }), ...message('2', { cvx: '94^MMRV^CVX' })]);
    expect(s.vaccineGroupsPresent).toEqual(['DTAP', 'HepB', 'POLIO', 'MMR', 'VARICELLA']);
    expect(s.completenessVaccineGroups).toBe(round((5 / 10) * (2 / 3)));
  });

  it('a demerit takes its weight off: an unrecognised sex loses the 5 it earned', () => {
    const clean = scoresOf(message('1'));
    const wrong = scoresOf(message('1', { pid8: 'Q' }));
    // Required patient rows weigh 45 in all; Sex +5 and its demerit -5 cancel.
    expect(wrong.completenessPatient).toBe(round(0.5 * (40 / 45) + 0.3 * (40 / 50) + 0.2 * (20 / 35)));
    expect(clean.completenessPatient).toBeGreaterThan(wrong.completenessPatient);
    const row = wrong.rows.find((r) => r.label === 'Sex unrecognized')!;
    expect(row).toMatchObject({ count: 1, denominator: 1, weight: -5, demerit: true });
  });
});

describe('quality', () => {
  it('no errors or warnings: 100', () => {
    expect(scoresOf(message('1')).quality).toBe(100);
  });

  it('errors score 0 at 3% of messages plus vaccinations; they weigh 28 of 40', () => {
    const s = scoresOf(message('1', { cvx: '9999^x^CVX' }));
    expect([s.errorCount, s.qualityErrors, s.quality]).toEqual([1, 0, 30]);
  });

  it('warnings score 0 at 30%; below that, in proportion', () => {
    const one = scoresOf(message('1', { pid8: '' }));
    expect([one.warningCount, one.qualityWarnings, one.quality]).toEqual([1, 0, 70]);
    const batch = [...message('1', { pid8: '' }), ...Array.from({ length: 9 }, (_, i) => message(`${i + 2}`)).flat()];
    const ten = scoresOf(batch);
    // 10 messages + 10 vaccinations: 30% is 6 warnings; 1 of them scores 1 - 1/6.
    expect(ten.qualityWarnings).toBe(round(1 - 1 / 6));
    expect(ten.quality).toBe(round(0.7 + 0.3 * (1 - 1 / 6)));
  });
});

describe('timeliness: days from the vaccination to the file\'s receipt, in the model\'s buckets', () => {
  it.each([
    ['20261203', 0, 'early', 100],
    ['20261202', 1, 'early', 100],
    ['20261201', 2, 'onTime', 90],
    ['20261127', 6, 'onTime', 90],
    ['20261126', 7, 'late', 70],
    ['20261104', 29, 'late', 70],
    ['20261103', 30, 'veryLate', 50],
    ['20261005', 59, 'veryLate', 50],
    ['20261004', 60, 'oldData', 0],
  ] as const)('given %s (%i days): %s, %i', (rxa3, days, bucket, expected) => {
    const s = scoresOf(message('1', { rxa3 }));
    expect(s.timelinessAverageDays).toBe(days);
    expect(s.timelinessCounts[bucket]).toBe(1);
    expect(s.timeliness).toBe(expected);
  });

  it('the share of messages in each bucket, weighed 10, 9, 7, 5, 0', () => {
    const s = scoresOf([...message('1', { rxa3: '20261203' }), ...message('2', { rxa3: '20261126' }), ...message('3', { rxa3: '20260101' }), ...message('4', { rxa3: '20261130' })]);
    expect(s.timelinessCounts).toEqual({ early: 1, onTime: 1, late: 1, veryLate: 0, oldData: 1 });
    expect(s.timeliness).toBe(round((1 + 0.9 + 0.7 + 0) / 4));
  });
});

describe('overall', () => {
  it('completeness 50, quality 40, timeliness 10', () => {
    const s = scoresOf(message('1'));
    // 8 days: late (70).
    expect([s.completeness, s.quality, s.timeliness]).toEqual([75, 100, 70]);
    expect(s.overall).toBe(Math.floor(0.5 * 75 + 0.4 * 100 + 0.1 * 70 + 0.5));
  });

  it('labels as OIS DQA words them', () => {
    expect([95, 90, 85, 75, 65, 59, 0].map(scoreLabel)).toEqual(['Excellent', 'Excellent', 'Good', 'Okay', 'Poor', 'Problem', 'Problem']);
  });
});
