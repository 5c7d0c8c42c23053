// The practice registry's checks (issue 13, item 3), one hand-written message each: a clean VXU that
// is answered AA with nothing to say, then one field changed at a time, and the issue it must raise:
// its MQE code, severity, HL7 location (ERR-2), table 0357 (ERR-3) and 0533 (ERR-5) codes, read
// back from the ACK file with the HL7 reader.
import { describe, expect, it } from 'vitest';
import { processSubmission } from '../../../../electron/practice/processing';
import { parseCsv, readAck } from './outputs';

const RECEIVED = new Date('2026-12-03T09:24:58Z');

/** A clean message: a child's IPV given a week before the file was received. Made-up people. */
const CLEAN = [
  'MSH|^~\\&|TESTEHR|TEST CLINIC|IIS|STATE|20261201083000-0600||VXU^V04^VXU_V04|CTRL-1|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS',
  'PID|1||PAT0001^^^CLINIC^MR||ZZLASTNAME^ZZFIRSTNAME^ZZMIDDLE^^^^L|ZZMAIDEN^ZZMOTHER^^^^^M|20240612|F||2106-3^White^CDCREC|101 ZZSTREET WAY^^AUSTIN^TX^78701^USA^P||^PRN^PH^^^512^5550101|||||||||2186-5^Not Hispanic or Latino^CDCREC',
  'PD1|||||||||||02^Reminder/Recall - any method^HL70215|N|20261201',
  'NK1|1|ZZLASTNAME^ZZPARENT^^^^^L|MTH^Mother^HL70063',
  'ORC|RE||ORD0001^CLINIC',
  'RXA|0|1|20261125|20261125|10^IPV^CVX|0.5|mL^milliliters^UCUM||00^New immunization record^NIP001|1234567890^ZZNURSE^PAT^^^^^^NPI^L|^^^CLINIC||||X1234AB|20271231|PMC^Sanofi Pasteur^MVX|||CP|A',
  'RXR|C28161^Intramuscular^NCIT|LT^Left Thigh^HL70163',
  'OBX|1|CE|64994-7^Vaccine funding program eligibility category^LN|1|V02^VFC eligible - Medicaid^HL70064||||||F',
];
const PERSONAL = ['PAT0001', 'ZZLASTNAME', 'ZZFIRSTNAME', 'ZZMIDDLE', 'ZZMAIDEN', 'ZZMOTHER', 'ZZPARENT', '20240612', 'ZZSTREET', '5550101'];

type Edit = (lines: string[]) => string[];

/** Sets field n of the first segment with that name (MSH counts its fields as HL7 does: MSH-1 is |). */
const set =
  (name: string, n: number, text: string, occurrence = 1): Edit =>
  (lines) => {
    let seen = 0;
    return lines.map((line) => {
      if (!line.startsWith(`${name}|`) || ++seen !== occurrence) return line;
      const fields = line.split('|');
      const index = name === 'MSH' ? n - 1 : n;
      while (fields.length <= index) fields.push('');
      fields[index] = text;
      return fields.join('|');
    });
  };
const drop =
  (...names: string[]): Edit =>
  (lines) =>
    lines.filter((line) => !names.includes(line.slice(0, 3)));
const both =
  (...edits: Edit[]): Edit =>
  (lines) =>
    edits.reduce((acc, edit) => edit(acc), lines);

function submit(lines: string[]) {
  const bytes = Buffer.from(lines.join('\r') + '\r', 'latin1');
  return processSubmission({ fileName: 'PRAC01_test.HL7', bytes, receivedAt: RECEIVED, importCode: 'PRAC01', formats: ['text', 'csv', 'html', 'pdf'] });
}

/** The ACK's answer to the one message: MSA-1 and each ERR as `severity code location 0357 0533`. */
function answer(lines: string[]) {
  const outcome = submit(lines);
  const { acks } = readAck(outcome.ack!.content);
  expect(acks).toHaveLength(1);
  return { outcome, msa1: acks[0]!.msa1, errors: acks[0]!.errors.map((e) => `${e.severity} ${e.localCode} ${e.location} ${e.hl7Error} ${e.applicationError}`.trimEnd()), texts: acks[0]!.errors.map((e) => e.text) };
}

describe('a clean message', () => {
  it('is answered AA with no ERR, imported with consent on file, and its report says no issues', () => {
    const { outcome, msa1, errors } = answer(CLEAN);
    expect(msa1).toBe('AA');
    expect(errors).toEqual([]);
    expect(outcome.accepted).toBe(true);
    expect(outcome.summary).toMatchObject({ messages: 1, accepted: 1, withWarnings: 0, rejected: 0 });
    expect(outcome.consent!.content.toString('utf8')).toContain('\r\n1|CTRL-1|CONSENT ON FILE|the patient and the immunizations\r\n');
    expect(outcome.reports[0]!.content.toString('utf8')).toContain('No issues found.');
  });

  it('a CVX code given as NDC with the CVX as its alternate, and a two-digit CVX without its zero, are read', () => {
    expect(answer(set('RXA', 5, '49281-0560-05^Pentacel^NDC^120^DTaP-Hib-IPV^CVX')(CLEAN)).errors).toEqual([]);
    expect(answer(set('RXA', 5, '8^Hep B^CVX')(CLEAN)).errors).toEqual([]);
  });

  it('an adult needs no VFC eligibility and no responsible person', () => {
    expect(answer(both(set('PID', 7, '19800101'), drop('NK1', 'OBX'))(CLEAN)).msa1).toBe('AA');
  });
});

describe('messages the registry cannot process are answered AR', () => {
  it.each([
    ['not a VXU', set('MSH', 9, 'ADT^A04^ADT_A01'), 'E PRC001 MSH^1^9^1^1 200 4'],
    ['an event other than V04', set('MSH', 9, 'VXU^V99^VXU_V04'), 'E PRC002 MSH^1^9^1^2 201 4'],
    ['an HL7 version the registry does not read', set('MSH', 12, '3.0'), 'E MQE0039 MSH^1^12 203 4'],
    ['no PID segment', drop('PID'), 'E MQE0545 PID^1 100 7'],
  ] as const)('%s', (_what, edit, expected) => {
    const { msa1, errors, outcome } = answer(edit(CLEAN));
    expect(msa1).toBe('AR');
    expect(errors).toEqual([expected]);
    // Nothing could be processed: the batch is not accepted, and nothing was imported to notify.
    expect(outcome).toMatchObject({ accepted: false, consent: null });
    expect(outcome.summary.outcome).toMatch(/^Not accepted: none of the 1 message\(s\) could be processed/);
  });
});

describe('each check, at its location with its codes', () => {
  it.each([
    // The header.
    ['message type missing', set('MSH', 9, '^V04^VXU_V04'), 'AE', ['W MQE0020 MSH^1^9^1^1 101 7']],
    ['message event missing', set('MSH', 9, 'VXU^^VXU_V04'), 'AE', ['W MQE0018 MSH^1^9^1^2 101 7']],
    ['version missing', set('MSH', 12, ''), 'AE', ['W MQE0038 MSH^1^12 101 7']],
    ['message control ID missing', set('MSH', 10, ''), 'AE', ['W MQE0014 MSH^1^10 101 7']],
    ['message date missing', set('MSH', 7, ''), 'AE', ['E MQE0017 MSH^1^7 101 7']],
    ['message date invalid', set('MSH', 7, '20261341'), 'AE', ['E MQE0531 MSH^1^7 102 2']],
    ['message date in the future', set('MSH', 7, '20270101'), 'AE', ['E MQE0015 MSH^1^7 101 1']],
    // The patient.
    ['patient ID missing', set('PID', 3, ''), 'AE', ['E MQE0220 PID^1^3^1^1 101 7']],
    ['patient ID type missing', set('PID', 3, 'PAT0001^^^CLINIC'), 'AE', ['E MQE0394 PID^1^3^1^5 101 7']],
    ['only an SSN, no record number', set('PID', 3, '123456789^^^SSA^SS'), 'AE', ['E MQE0220 PID^1^3^1^1 101 7']],
    ['last name missing', set('PID', 5, '^ZZFIRSTNAME'), 'AE', ['E MQE0166 PID^1^5^1^1 101 7']],
    ['first name missing', set('PID', 5, 'ZZLASTNAME'), 'AE', ['E MQE0141 PID^1^5^1^2 101 7']],
    ['a test name', set('PID', 5, 'TEST^ZZFIRSTNAME'), 'AE', ['W MQE0551 PID^1^5^1^1 0 3']],
    ['a temporary newborn name', set('PID', 5, 'ZZLASTNAME^BABY GIRL'), 'AE', ['W MQE0172 PID^1^5^1^2 0 3']],
    ['birth date missing', set('PID', 7, ''), 'AE', ['E MQE0118 PID^1^7 101 7']],
    ['birth date invalid', set('PID', 7, '20240231'), 'AE', ['E MQE0117 PID^1^7 102 2']],
    ['birth date in the future', set('PID', 7, '20270101'), 'AE', ['E MQE0115 PID^1^7 101 1', 'E MQE0255 RXA^1^3 101 1']],
    ['birth date after the message date', set('PID', 7, '20261202'), 'AE', ['E MQE0115 PID^1^7 101 1', 'E MQE0255 RXA^1^3 101 1']],
    ['birth date after the vaccination', set('PID', 7, '20261126'), 'AE', ['E MQE0255 RXA^1^3 101 1']],
    ['birth date more than 120 years ago', both(set('PID', 7, '18800101'), drop('NK1')), 'AE', ['E MQE0120 PID^1^7 101 1']],
    ['sex missing', set('PID', 8, ''), 'AE', ['W MQE0146 PID^1^8 101 7']],
    ['sex not a code of table 0001', set('PID', 8, 'Q'), 'AE', ['W MQE0147 PID^1^8 103 5']],
    ['ZIP code not 5 or 9 digits', set('PID', 11, '101 ZZSTREET WAY^^AUSTIN^TX^787^USA^P'), 'AE', ['W MQE0112 PID^1^11^1^5 102 4']],
    ['death date before birth (and the vaccination after it)', set('PID', 29, '20200101'), 'AE', ['W MQE0129 PID^1^29 0 1', 'E MQE0253 RXA^1^3 101 1']],
    ['vaccination after the death date', set('PID', 29, '20261120'), 'AE', ['E MQE0253 RXA^1^3 101 1']],
    ['no responsible person for a child', drop('NK1'), 'AE', ['W MQE0157 NK1^1 101 7']],
    ['responsible person without relationship', set('NK1', 3, ''), 'AE', ['W MQE0088 NK1^1^3^1^1 101 7']],
    // The vaccination.
    ['vaccination date missing', both(set('RXA', 3, ''), set('RXA', 4, '')), 'AE', ['E MQE0261 RXA^1^3 101 7']],
    ['vaccination date invalid', both(set('RXA', 3, '2026112'), set('RXA', 4, '')), 'AE', ['E MQE0260 RXA^1^3 102 2']],
    ['vaccination date in the future', both(set('RXA', 3, '20270101'), set('RXA', 4, '20270101')), 'AE', ['E MQE0252 RXA^1^3 101 1']],
    ['vaccination date after the message date', both(set('RXA', 3, '20261202'), set('RXA', 4, '20261202')), 'AE', ['E MQE0252 RXA^1^3 101 1']],
    ['vaccination end date differs', set('RXA', 4, '20261126'), 'AE', ['W MQE0266 RXA^1^4 0 1']],
    ['vaccine code missing', set('RXA', 5, ''), 'AE', ['E MQE0244 RXA^1^5^1^1 101 7']],
    ['vaccine code not a CVX the registry knows', set('RXA', 5, '9999^Not a vaccine^CVX'), 'AE', ['E MQE0247 RXA^1^5^1^1 103 5']],
    ['vaccine code not a CVX at all', set('RXA', 5, 'IPV^IPV^CVX'), 'AE', ['E MQE0243 RXA^1^5^1^1 102 4']],
    ['vaccine code system missing', set('RXA', 5, '10^IPV'), 'AE', ['W MQE0483 RXA^1^5^1^3 101 7']],
    ['vaccine code system unknown', set('RXA', 5, '10^IPV^XYZ'), 'AE', ['E MQE0484 RXA^1^5^1^3 103 5']],
    ['NDC not in NDC form', set('RXA', 5, '12345^IPV^NDC'), 'AE', ['E MQE0559 RXA^1^5^1^1 102 4']],
    ['CPT not 5 digits', set('RXA', 5, '9071^IPV^C4'), 'AE', ['W MQE0302 RXA^1^5^1^1 102 4']],
    ['vaccine valued as unknown (999)', set('RXA', 5, '999^unknown^CVX'), 'AE', ['W MQE0249 RXA^1^5^1^1 0 3']],
    ['a dose given here coded 998 (no vaccine)', set('RXA', 5, '998^no vaccine administered^CVX'), 'AE', ['W MQE0246 RXA^1^5^1^1 0 3']],
    ['a dose given here with an unspecified code', set('RXA', 5, '89^polio, unspecified formulation^CVX'), 'AE', ['W MQE0245 RXA^1^5^1^1 0 3']],
    ['information source missing', set('RXA', 9, ''), 'AE', ['W MQE0332 RXA^1^9^1^1 101 7']],
    ['information source not in NIP001', set('RXA', 9, '42^Unknown^NIP001'), 'AE', ['W MQE0333 RXA^1^9^1^1 103 5']],
    ['historical with a lot and manufacturer', set('RXA', 9, '01^Historical^NIP001'), 'AE', ['W MQE0329 RXA^1^9^1^1 0 3']],
    ['given here with amount 999', set('RXA', 6, '999'), 'AE', ['W MQE0327 RXA^1^9^1^1 0 3', 'W MQE0554 RXA^1^6 101 7']],
    ['completion status not in table 0322', set('RXA', 20, 'XX'), 'AE', ['W MQE0289 RXA^1^20 103 5']],
    ['refusal reason with a completed dose', set('RXA', 18, '00^Parental decision^NIP002'), 'AE', ['W MQE0359 RXA^1^18^1^1 0 3']],
    ['refused without a reason', set('RXA', 20, 'RE'), 'AE', ['W MQE0363 RXA^1^18^1^1 101 7']],
    ['action code not A, U or D', set('RXA', 21, 'Z'), 'AE', ['E MQE0234 RXA^1^21 103 5']],
    ['system entry date in the future', set('RXA', 22, '20270101'), 'AE', ['W MQE0581 RXA^1^22 0 1']],
    // A dose given here.
    ['dose amount missing', set('RXA', 6, ''), 'AE', ['W MQE0554 RXA^1^6 101 7']],
    ['dose amount not a number', set('RXA', 6, 'half'), 'AE', ['W MQE0555 RXA^1^6 102 4']],
    ['dose amount without unit', set('RXA', 7, ''), 'AE', ['W MQE0272 RXA^1^7^1^1 101 7']],
    ['lot number missing', set('RXA', 15, ''), 'AE', ['W MQE0339 RXA^1^15^1^1 101 7']],
    ['lot expired before the vaccination', set('RXA', 16, '20261101'), 'AE', ['W MQE0251 RXA^1^3 0 1']],
    ['manufacturer missing', set('RXA', 17, ''), 'AE', ['W MQE0343 RXA^1^17^1^1 101 7']],
    ['manufacturer not an MVX code', set('RXA', 17, 'ZZZ^Nobody^MVX'), 'AE', ['W MQE0344 RXA^1^17^1^1 103 5']],
    ['route not in table 0162', set('RXR', 1, 'MMR^MMR^HL70162'), 'AE', ['W MQE0278 RXR^1^1^1^1 103 5']],
    ['site not in table 0163', set('RXR', 2, 'XX^Somewhere^HL70163'), 'AE', ['W MQE0284 RXR^1^2^1^1 103 5']],
    ['no VFC eligibility for a child', drop('OBX'), 'AE', ['W MQE0468 RXA^1 101 6']],
    ['VFC eligibility not in table 0064', set('OBX', 5, 'X99^Unknown^HL70064'), 'AE', ['W MQE0469 OBX^1^5^1^1 103 5']],
    ['observation without a value', set('OBX', 5, ''), 'AE', ['W MQE0532 OBX^1^5 101 7']],
    // The message's structure.
    ['a route before its vaccination', (lines: string[]) => [...lines.slice(0, 5), lines[6]!, lines[5]!, lines[7]!], 'AE', ['E PRC003 RXR^1 100']],
    ['no vaccination at all', drop('ORC', 'RXA', 'RXR', 'OBX'), 'AE', ['W PRC004  0']],
  ] as const)('%s', (_what, edit, msa1, expected) => {
    const result = answer((edit as Edit)(CLEAN));
    expect(result.errors).toEqual(expected);
    expect(result.msa1).toBe(msa1);
    // Errors reject the message; warnings alone keep it.
    const rejected = expected.some((e) => e.startsWith('E'));
    expect(result.outcome.summary).toMatchObject(rejected ? { rejected: 1, withWarnings: 0 } : { rejected: 0, withWarnings: 1 });
    // The text for people names the message by position, and never the patient.
    for (const text of result.texts) expect(text).toMatch(/\(message 1\)$/);
    const everything = [result.outcome.ack!, ...result.outcome.reports, result.outcome.consent].filter((f) => f !== null).map((f) => f.content.toString('latin1')).join('\n');
    for (const value of PERSONAL) expect(everything).not.toContain(value);
  });

  it('a missing action code is information only: AA, and the report lists it with severity I', () => {
    const { msa1, errors, outcome } = answer(set('RXA', 21, '')(CLEAN));
    expect(msa1).toBe('AA');
    expect(errors).toEqual([]);
    const csv = parseCsv(outcome.reports.find((r) => r.format === 'csv')!.content);
    expect(csv.slice(1).map((row) => `${row[1]} ${row[4]} ${row[5]} ${row[7]}`)).toEqual(['1 I MQE0235 RXA^1^21']);
  });

  it('the unknown CVX code is quoted (four digits at most); a longer or lettered code never is', () => {
    expect(answer(set('RXA', 5, '9999^x^CVX')(CLEAN)).texts).toEqual(['Vaccine code 9999 is not a CVX code the registry knows (message 1)']);
    expect(answer(set('RXA', 5, '20240612^x^CVX')(CLEAN)).texts).toEqual(['Vaccine code is not a CVX code (CVX codes are numbers) (message 1)']);
  });
});

describe('the ACK answers each message in a batch', () => {
  it('MSA-2 is the submitted MSH-10, escaped and read back whole, in a message with other delimiters too', () => {
    const escaped = set('MSH', 10, 'A\\S\\B\\F\\C')(CLEAN);
    const other = CLEAN.map((line) => line.replace(/\|/g, '#').replace(/^MSH#\^~\\&#/, 'MSH#^~\\&#')).map((line) => line.replace('CTRL-1', 'CTRL|2'));
    const outcome = submit([...escaped, ...other]);
    const { acks, read } = readAck(outcome.ack!.content);
    expect(acks.map((a) => a.msa2)).toEqual(['A^B|C', 'CTRL|2']);
    expect(read.problems).toEqual([]);
    expect(outcome.ack!.content.toString('latin1')).toContain('\rMSA|AA|A\\S\\B\\F\\C\r');
  });

  it('the ACK file is one batch: FHS, BHS, one MSH/MSA per message, BTS with the count, FTS', () => {
    const outcome = submit([...CLEAN, ...set('MSH', 10, 'CTRL-2')(drop('NK1')(CLEAN)), ...set('MSH', 9, 'QBP^Q11^QBP_Q11')(set('MSH', 10, 'CTRL-3')(CLEAN))]);
    const lines = outcome.ack!.content.toString('latin1').split('\r');
    expect(lines.map((line) => line.slice(0, 3))).toEqual(['FHS', 'BHS', 'MSH', 'MSA', 'MSH', 'MSA', 'ERR', 'MSH', 'MSA', 'ERR', 'BTS', 'FTS', '']);
    expect(lines.filter((line) => line.startsWith('MSA'))).toEqual(['MSA|AA|CTRL-1', 'MSA|AE|CTRL-2', 'MSA|AR|CTRL-3']);
    expect(lines[10]).toBe('BTS|3');
    expect(lines[0]).toBe('FHS|^~\\&|PRACTICE-IIS|PRACTICE||PRAC01|20261203092458+0000||PRAC01_test_ACK.hl7||20261203092458.ACK');
    expect(lines[2]).toBe('MSH|^~\\&|PRACTICE-IIS|PRACTICE|TESTEHR|PRAC01|20261203092458+0000||ACK^V04^ACK|20261203092458.1|P|2.5.1|||NE|NE|||||Z23^CDCPHINVS|PRACTICE|PRAC01');
    expect(lines[6]).toBe(
      'ERR||NK1^1|101^Required field missing^HL70357|W|7^Required data missing^HL70533^MQE0157^No responsible person (NK1) for a patient under 18^L|||No responsible person (NK1) for a patient under 18 (message 2)',
    );
    expect(outcome.summary).toMatchObject({ messages: 3, accepted: 1, withWarnings: 1, rejected: 1 });
    // Two of three imported: accepted, and the consent file lists the third as not imported.
    expect(outcome.accepted).toBe(true);
    expect(outcome.consent!.content.toString('utf8')).toContain('\r\n3|CTRL-3|NOT IMPORTED|');
  });
});

describe('consent (PD1-12)', () => {
  it.each([
    ['N', 'CONSENT ON FILE|the patient and the immunizations'],
    ['Y', 'NO CONSENT ON FILE|only the immunizations, not shared; ask the family for the registry consent'],
    ['', 'NO CONSENT ON FILE|only the immunizations, not shared; ask the family for the registry consent'],
  ])('PD1-12 %j', (indicator, expected) => {
    const outcome = submit(set('PD1', 12, indicator)(CLEAN));
    const lines = outcome.consent!.content.toString('utf8').split('\r\n');
    expect(lines).toContain('MESSAGE|CONTROL_ID|CONSENT_STATUS|WHAT_THE_REGISTRY_KEEPS');
    expect(lines).toContain(`1|CTRL-1|${expected}`);
  });
});
