// What the practice registry can find wrong, one entry per check. Each names the AIRA MQE detection
// it stands for (../shared/samples/dqa/d04: its code and the HL7 field it reads), the severity this
// registry gives it, and the codes an ACK carries for it: ERR-3 from HL7 table 0357 and ERR-5 from
// the CDC guide's table 0533. Severities follow MQE's defaults where MQE gives ERROR or WARN; where
// MQE leaves a detection to each registry (its "ACCEPT"), this registry warns, as a registry that
// wants the data would. A few checks MQE has no code for (a message that is not a VXU, and what is
// wrong with the file itself) carry a local code, PRC...
//
// The text is for people at the clinic: it never quotes a patient's name, identifier, address or
// birth date. The one value ever added to it is a CVX code of at most four digits (see quotableCode).

export type Severity = 'E' | 'W' | 'I';
export type IssueScope = 'file' | 'message' | 'patient' | 'vaccination' | 'administered' | 'observation';

export interface CheckDefinition {
  code: string;
  severity: Severity;
  /** HL7 table 0357 (message error condition codes). */
  hl7Error: number;
  /** The CDC guide's table 0533 (application error codes); null when it has none that fits. */
  applicationError: number | null;
  /** The field as MQE names it (`RXA-5`, `PID-5.1`), for the report's summary. */
  field: string;
  scope: IssueScope;
  text: string;
}

export const HL7_ERROR_TEXT: Readonly<Record<number, string>> = {
  0: 'Message accepted',
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  207: 'Application internal error',
};

export const APPLICATION_ERROR_TEXT: Readonly<Record<number, string>> = {
  1: 'Illogical Date error',
  2: 'Invalid Date',
  3: 'Illogical Value error',
  4: 'Invalid value',
  5: 'Table value not found',
  6: 'Required observation missing',
  7: 'Required data missing',
  8: 'Data was ignored',
};

const check = (code: string, severity: Severity, hl7Error: number, applicationError: number | null, field: string, scope: IssueScope, text: string): CheckDefinition => ({
  code,
  severity,
  hl7Error,
  applicationError,
  field,
  scope,
  text,
});

export const CHECKS = {
  // The message header: whether the registry can process the message at all.
  messageTypeUnsupported: check('PRC001', 'E', 200, 4, 'MSH-9.1', 'message', 'The message is not a vaccination update (VXU): the registry cannot process it'),
  messageEventUnsupported: check('PRC002', 'E', 201, 4, 'MSH-9.2', 'message', 'The message event is not V04: the registry cannot process it'),
  versionUnsupported: check('MQE0039', 'E', 203, 4, 'MSH-12', 'message', 'The HL7 version is not one the registry reads (2.5.1, 2.5, 2.4, 2.3.1): the registry cannot process it'),
  patientSegmentMissing: check('MQE0545', 'E', 100, 7, 'PID', 'message', 'The message has no patient (PID) segment: the registry cannot process it'),
  messageTypeMissing: check('MQE0020', 'W', 101, 7, 'MSH-9.1', 'message', 'Message type is missing; read as VXU'),
  messageTriggerMissing: check('MQE0018', 'W', 101, 7, 'MSH-9.2', 'message', 'Message event is missing; read as V04'),
  versionMissing: check('MQE0038', 'W', 101, 7, 'MSH-12', 'message', 'HL7 version is missing; read as 2.5.1'),
  controlIdMissing: check('MQE0014', 'W', 101, 7, 'MSH-10', 'message', 'Message control ID is missing: the acknowledgement cannot name the message'),
  messageDateMissing: check('MQE0017', 'E', 101, 7, 'MSH-7', 'message', 'Message date is missing'),
  messageDateInvalid: check('MQE0531', 'E', 102, 2, 'MSH-7', 'message', 'Message date is not a valid HL7 date'),
  messageDateFuture: check('MQE0015', 'E', 101, 1, 'MSH-7', 'message', 'Message date is after the file was received'),
  segmentWithoutVaccination: check('PRC003', 'E', 100, null, 'RXA', 'message', 'A route (RXR) or observation stands where a vaccination (RXA) should come first: the vaccination cannot be read'),
  noVaccination: check('PRC004', 'W', 0, null, 'RXA', 'message', 'The message holds no vaccination (RXA): only the patient is updated'),

  // The patient.
  patientIdMissing: check('MQE0220', 'E', 101, 7, 'PID-3', 'patient', "Patient ID (the clinic's own record number) is missing"),
  patientIdTypeMissing: check('MQE0394', 'E', 101, 7, 'PID-3.5', 'patient', 'Patient ID type code is missing'),
  lastNameMissing: check('MQE0166', 'E', 101, 7, 'PID-5.1', 'patient', 'Patient last name is missing'),
  firstNameMissing: check('MQE0141', 'E', 101, 7, 'PID-5.2', 'patient', 'Patient first name is missing'),
  testName: check('MQE0551', 'W', 0, 3, 'PID-5', 'patient', 'Patient name looks like a test name'),
  newbornName: check('MQE0172', 'W', 0, 3, 'PID-5.2', 'patient', 'Patient first name looks like a temporary newborn name'),
  birthDateMissing: check('MQE0118', 'E', 101, 7, 'PID-7', 'patient', 'Patient birth date is missing'),
  birthDateInvalid: check('MQE0117', 'E', 102, 2, 'PID-7', 'patient', 'Patient birth date is not a valid date'),
  birthDateFuture: check('MQE0115', 'E', 101, 1, 'PID-7', 'patient', 'Patient birth date is in the future (after the message was sent or the file received)'),
  birthDateLongAgo: check('MQE0120', 'E', 101, 1, 'PID-7', 'patient', 'Patient birth date is more than 120 years ago'),
  sexMissing: check('MQE0146', 'W', 101, 7, 'PID-8', 'patient', 'Patient sex is missing'),
  sexUnrecognized: check('MQE0147', 'W', 103, 5, 'PID-8', 'patient', 'Patient sex is not a code of HL7 table 0001 (F, M, U, ...)'),
  zipInvalid: check('MQE0112', 'W', 102, 4, 'PID-11.5', 'patient', 'Patient ZIP code is not 5 or 9 digits'),
  deathBeforeBirth: check('MQE0129', 'W', 0, 1, 'PID-29', 'patient', 'Patient death date is before the birth date'),
  responsiblePartyMissing: check('MQE0157', 'W', 101, 7, 'NK1', 'patient', 'No responsible person (NK1) for a patient under 18'),
  relationshipMissing: check('MQE0088', 'W', 101, 7, 'NK1-3', 'patient', 'Responsible person relationship to the patient is missing'),

  // Each vaccination (RXA).
  adminDateMissing: check('MQE0261', 'E', 101, 7, 'RXA-3', 'vaccination', 'Vaccination date is missing'),
  adminDateInvalid: check('MQE0260', 'E', 102, 2, 'RXA-3', 'vaccination', 'Vaccination date is not a valid date'),
  adminDateFuture: check('MQE0252', 'E', 101, 1, 'RXA-3', 'vaccination', 'Vaccination date is in the future (after the message was sent or the file received)'),
  adminDateBeforeBirth: check('MQE0255', 'E', 101, 1, 'RXA-3', 'vaccination', 'Vaccination date is before the patient was born'),
  adminDateAfterDeath: check('MQE0253', 'E', 101, 1, 'RXA-3', 'vaccination', 'Vaccination date is after the patient death date'),
  adminDateEndDiffers: check('MQE0266', 'W', 0, 1, 'RXA-4', 'vaccination', 'Vaccination end date differs from its start date'),
  vaccineCodeMissing: check('MQE0244', 'E', 101, 7, 'RXA-5', 'vaccination', 'Vaccine code is missing'),
  vaccineCodeTableMissing: check('MQE0483', 'W', 101, 7, 'RXA-5.3', 'vaccination', 'Vaccine code system is missing; read as CVX'),
  vaccineCodeTableInvalid: check('MQE0484', 'E', 103, 5, 'RXA-5.3', 'vaccination', 'Vaccine code system is not CVX, NDC or CPT'),
  cvxInvalid: check('MQE0243', 'E', 102, 4, 'RXA-5', 'vaccination', 'Vaccine code is not a CVX code (CVX codes are numbers)'),
  cvxUnrecognized: check('MQE0247', 'E', 103, 5, 'RXA-5', 'vaccination', 'Vaccine code is not a CVX code the registry knows'),
  ndcUnrecognized: check('MQE0559', 'E', 102, 4, 'RXA-5', 'vaccination', 'Vaccine NDC code is not in NDC form (5-4-2 digits)'),
  cptInvalid: check('MQE0302', 'W', 102, 4, 'RXA-5', 'vaccination', 'Vaccine CPT code is not 5 digits'),
  vaccineValuedUnknown: check('MQE0249', 'W', 0, 3, 'RXA-5', 'vaccination', 'Vaccine is recorded as unknown (CVX 999)'),
  vaccineNotVaccine: check('MQE0246', 'W', 0, 3, 'RXA-5', 'administered', 'A dose recorded as given carries a code that is not a vaccine'),
  vaccineNotSpecific: check('MQE0245', 'W', 0, 3, 'RXA-5', 'administered', 'A dose given here carries an "unspecified formulation" vaccine code'),
  informationSourceMissing: check('MQE0332', 'W', 101, 7, 'RXA-9', 'vaccination', 'Whether the dose was given here or is historical (RXA-9) is missing'),
  informationSourceUnrecognized: check('MQE0333', 'W', 103, 5, 'RXA-9', 'vaccination', 'Information source is not a code of table NIP001 (00-08)'),
  historicalAppearsAdministered: check('MQE0329', 'W', 0, 3, 'RXA-9', 'vaccination', 'Dose recorded as historical has a lot number and manufacturer, as a dose given here would'),
  administeredAppearsHistorical: check('MQE0327', 'W', 0, 3, 'RXA-9', 'vaccination', 'Dose recorded as given here has amount 999 (unknown), as a historical dose would'),
  completionStatusUnrecognized: check('MQE0289', 'W', 103, 5, 'RXA-20', 'vaccination', 'Completion status is not CP, RE, NA or PA'),
  refusalReasonConflict: check('MQE0359', 'W', 0, 3, 'RXA-18', 'vaccination', 'Refusal reason is given but the completion status is not RE (refused)'),
  refusalReasonMissing: check('MQE0363', 'W', 101, 7, 'RXA-18', 'vaccination', 'Completion status is RE (refused) but no refusal reason is given'),
  actionCodeMissing: check('MQE0235', 'I', 101, 7, 'RXA-21', 'vaccination', 'Action code is missing; read as A (add)'),
  actionCodeInvalid: check('MQE0234', 'E', 103, 5, 'RXA-21', 'vaccination', 'Action code is not A, U or D'),
  systemEntryFuture: check('MQE0581', 'W', 0, 1, 'RXA-22', 'vaccination', 'System entry date is after the file was received'),

  // Each dose given here (RXA-9 00, not refused or not given).
  amountMissing: check('MQE0554', 'W', 101, 7, 'RXA-6', 'administered', 'Dose amount is missing for a dose given here'),
  amountInvalid: check('MQE0555', 'W', 102, 4, 'RXA-6', 'administered', 'Dose amount is not a number'),
  unitMissing: check('MQE0272', 'W', 101, 7, 'RXA-7', 'administered', 'Dose amount has no unit'),
  lotMissing: check('MQE0339', 'W', 101, 7, 'RXA-15', 'administered', 'Lot number is missing for a dose given here'),
  lotExpired: check('MQE0251', 'W', 0, 1, 'RXA-3', 'administered', "Vaccination date is after the lot's expiration date"),
  manufacturerMissing: check('MQE0343', 'W', 101, 7, 'RXA-17', 'administered', 'Manufacturer (MVX) is missing for a dose given here'),
  manufacturerUnrecognized: check('MQE0344', 'W', 103, 5, 'RXA-17', 'administered', 'Manufacturer is not an MVX code the registry knows'),
  routeUnrecognized: check('MQE0278', 'W', 103, 5, 'RXR-1', 'administered', 'Route is not a code of HL7 table 0162 or its NCIT equivalents'),
  siteUnrecognized: check('MQE0284', 'W', 103, 5, 'RXR-2', 'administered', 'Body site is not a code of HL7 table 0163'),
  vfcEligibilityMissing: check('MQE0468', 'W', 101, 6, 'OBX-5', 'administered', 'No VFC eligibility (OBX 64994-7) for a dose given to a child under 19'),
  vfcEligibilityUnrecognized: check('MQE0469', 'W', 103, 5, 'OBX-5', 'administered', 'VFC eligibility is not a code of HL7 table 0064 (V00-V07)'),

  // Observations.
  observationValueMissing: check('MQE0532', 'W', 101, 7, 'OBX-5', 'observation', 'Observation value is missing'),

  // The file itself (the report only: an ACK answers messages).
  fileNotHl7: check('PRC100', 'E', 0, null, 'file', 'file', 'The file is not HL7: the registry did not read it'),
  fileNameWithoutImportCode: check('PRC101', 'W', 0, null, 'file name', 'file', 'The file name does not contain the import code; the registry asks for it in every file name'),
  fileTruncated: check('PRC102', 'W', 0, null, 'file', 'file', 'The file ends in the middle of a segment: it looks cut short, and its last message may be incomplete'),
  batchCount: check('PRC103', 'W', 0, null, 'BTS-1', 'file', 'The batch trailer count does not match the messages in the batch'),
  fileCount: check('PRC104', 'W', 0, null, 'FTS-1', 'file', 'The file trailer count does not match the batches in the file'),
  batchTrailerMissing: check('PRC105', 'W', 0, null, 'BTS', 'file', 'A batch has no trailer (BTS)'),
  fileTrailerMissing: check('PRC106', 'W', 0, null, 'FTS', 'file', 'The file header (FHS) has no trailer (FTS)'),
  structure: check('PRC107', 'W', 0, null, 'file', 'file', 'Header and trailer segments are out of order'),
  controlCharacters: check('PRC108', 'W', 0, null, 'file', 'file', 'The file holds control characters that HL7 text does not'),
  framing: check('PRC109', 'I', 0, null, 'file', 'file', 'MLLP framing bytes were found around messages and set aside'),
  byteOrderMark: check('PRC110', 'I', 0, null, 'file', 'file', 'The file starts with a UTF-8 byte order mark, set aside'),
  unreadableLines: check('PRC111', 'W', 0, null, 'file', 'file', 'Lines that do not start with a segment name were skipped'),
  delimiters: check('PRC112', 'W', 0, null, 'MSH-2', 'file', 'A header does not define its delimiters correctly; the standard ones were used'),
} as const satisfies Record<string, CheckDefinition>;

export type CheckId = keyof typeof CHECKS;

/** Where in a message an issue is: HL7's ERL (ERR-2), segment sequence counted per message. */
export interface Hl7Location {
  segment: string;
  sequence: number;
  field?: number;
  repetition?: number;
  component?: number;
  subcomponent?: number;
}

export interface Issue {
  check: CheckId;
  /** 1-based position of the message in the file; null for an issue with the file itself. */
  message: number | null;
  location: Hl7Location | null;
  /** For a file issue: the line it is on (0: the file as a whole). */
  line?: number;
  /** Plain words; the check's text unless a detail (a code value, counts) was added. */
  text: string;
}

export function definition(issue: Issue): CheckDefinition {
  return CHECKS[issue.check];
}

/** ERR-2 as HL7 writes it: `RXA^2^5^1^1` (segment, sequence, field, repetition, component, subcomponent). */
export function erlText(location: Hl7Location): string {
  const parts: (string | number)[] = [location.segment, location.sequence];
  if (location.field !== undefined) {
    parts.push(location.field);
    if (location.component !== undefined || location.repetition !== undefined) parts.push(location.repetition ?? 1);
    if (location.component !== undefined) {
      parts.push(location.component);
      if (location.subcomponent !== undefined) parts.push(location.subcomponent);
    }
  }
  return parts.join('^');
}

/** The location as MQE's reports abbreviate it: `RXA[2]-5.1`. */
export function locationLabel(location: Hl7Location | null, line?: number): string {
  if (!location) return line ? `line ${line}` : 'file';
  let text = `${location.segment}[${location.sequence}]`;
  if (location.field !== undefined) {
    text += `-${location.field}`;
    if (location.component !== undefined) text += `.${location.component}`;
    if (location.subcomponent !== undefined) text += `.${location.subcomponent}`;
  }
  return text;
}

/**
 * A vaccine code that may be quoted in a report or ACK: one to four digits. Anything longer or with
 * letters is never quoted, so a name, an identifier or a date typed into the wrong field (a field
 * shift in an EHR's export) cannot reach a report through a quoted code.
 */
export function quotableCode(value: string): string | null {
  return /^\d{1,4}$/.test(value) ? value : null;
}
