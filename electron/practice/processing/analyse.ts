// One message as the practice registry reads it: whether it can be processed at all (else AR), every
// issue the checks find (each at its HL7 location), and the facts the DQA report counts and scores
// (what kind of vaccination each RXA is, which fields are there for the completeness score). Nothing
// here keeps a patient's data: facts are booleans and counts, and one key per patient (built from the
// clinic's record number) only to count distinct patients in a batch.
import { components, repetitions, value, type Hl7Message, type Hl7Segment } from '../../engine/hl7/reader';
import { latestCalendarDay, readHl7Date, utcDay, utcEpochDay, yearsBetween, type Hl7Date } from './dates';
import { CHECKS, quotableCode, type CheckId, type Hl7Location, type Issue } from './issues';
import {
  ACTION_CODES,
  COMPLETION_STATUSES,
  INFORMATION_SOURCES,
  MVX,
  NEWBORN_FIRST_NAMES,
  ROUTES,
  SEXES,
  SITES,
  SUBMITTER_ID_TYPES,
  SUPPORTED_VERSIONS,
  TEST_NAMES,
  VFC_ELIGIBILITY,
  VFC_ELIGIBILITY_LOINC,
  lookUpCvx,
  type CvxCode,
  type VaccineGroup,
} from './tables';

/** What the completeness score counts per patient (one per message, as the scoring model does). */
export type PatientMeasure =
  | 'patientId'
  | 'firstName'
  | 'lastName'
  | 'testName'
  | 'newbornName'
  | 'birthDate'
  | 'birthDateInvalid'
  | 'sex'
  | 'sexUnrecognized'
  | 'address'
  | 'street'
  | 'city'
  | 'state'
  | 'zip'
  | 'zipInvalid'
  | 'middleName'
  | 'phone'
  | 'mothersMaidenName'
  | 'ssn'
  | 'responsibleParty'
  | 'guardianFirstName'
  | 'guardianLastName'
  | 'guardianSameAsPatient'
  | 'guardianRelationship'
  | 'birthIndicator'
  | 'ethnicity'
  | 'race'
  | 'medicaidId';

/** What the completeness score counts per vaccination. */
export type VaccinationMeasure =
  | 'adminDate'
  | 'adminDateInvalid'
  | 'adminCode'
  | 'adminCodeInvalid'
  | 'adminCodeUnrecognized'
  | 'adminCodeNotSpecific'
  | 'adminCodeNotVaccine'
  | 'adminCodeUnknown'
  | 'informationSource'
  | 'informationSourceUnrecognized'
  | 'mayBeHistorical'
  | 'mayBeAdministered'
  | 'cvxCode'
  | 'cvxInvalid'
  | 'cvxUnrecognized'
  | 'lotNumber'
  | 'manufacturer'
  | 'manufacturerUnrecognized'
  | 'amount'
  | 'unitMissing'
  | 'facilityId'
  | 'actionCode'
  | 'actionCodeInvalid'
  | 'givenBy'
  | 'vaccinationId'
  | 'completionStatus'
  | 'completionStatusUnrecognized'
  | 'systemEntryTime'
  | 'systemEntryFuture';

export type VaccinationKind = 'administered' | 'historical' | 'not-administered' | 'deleted';

export interface VaccinationFacts {
  kind: VaccinationKind;
  /** The vaccine groups of its CVX code (for the model's vaccine-group coverage). */
  groups: VaccineGroup[];
  measures: Set<VaccinationMeasure>;
}

export interface PatientFacts {
  /** Distinct patients in a batch are counted by this (the clinic's record number and its authority). */
  key: string | null;
  underage: boolean;
  nextOfKin: number;
  measures: Set<PatientMeasure>;
}

export type AckCode = 'AA' | 'AE' | 'AR';
export type MessageStatus = 'accepted' | 'warnings' | 'rejected';
export type ConsentStatus = 'on-file' | 'none';

export interface MessageAnalysis {
  position: number;
  /** MSH-10, decoded. */
  controlId: string;
  /** MSH-3, MSH-4 and MSH-11 (first components), for the ACK's header. */
  sendingApplication: string;
  sendingFacility: string;
  processingId: string;
  /** false: the registry could not process the message (AR). */
  processed: boolean;
  ackCode: AckCode;
  status: MessageStatus;
  issues: Issue[];
  patient: PatientFacts | null;
  vaccinations: VaccinationFacts[];
  /**
   * Days from the latest dose given here (not in the future) to the file's receipt; null when the
   * message has doses given here but all are dated after the receipt (the model's "old data").
   */
  timelinessDays: number | null;
  hadAdministered: boolean;
  consent: ConsentStatus | null;
}

export interface AnalysisContext {
  receivedAt: Date;
}

interface Vaccination {
  rxa: Hl7Segment;
  orc: Hl7Segment | null;
  rxr: Hl7Segment | null;
  obx: Hl7Segment[];
}

const CVX_SYSTEMS = new Set(['CVX', 'HL70292']);
const NDC_SYSTEMS = new Set(['NDC']);
const CPT_SYSTEMS = new Set(['C4', 'CPT']);

/** Reads one message: its issues, its ACK code, and the facts the report counts. */
export function analyseMessage(message: Hl7Message, position: number, context: AnalysisContext): MessageAnalysis {
  const issues: Issue[] = [];
  const add = (check: CheckId, location: Hl7Location | null, text?: string) => {
    issues.push({ check, message: position, location, text: text ?? CHECKS[check].text });
  };
  const msh = message.segments[0] as Hl7Segment;
  const at = (segment: Hl7Segment, field?: number, component?: number, repetition?: number): Hl7Location => ({
    segment: segment.name,
    sequence: segment.occurrence,
    ...(field !== undefined ? { field } : {}),
    ...(repetition !== undefined ? { repetition } : {}),
    ...(component !== undefined ? { component } : {}),
  });
  const latestDay = latestCalendarDay(context.receivedAt);
  const receivedEpochDay = utcEpochDay(context.receivedAt);

  const result: MessageAnalysis = {
    position,
    controlId: message.controlId,
    sendingApplication: value(msh, 3),
    sendingFacility: value(msh, 4),
    processingId: value(msh, 11),
    processed: false,
    ackCode: 'AR',
    status: 'rejected',
    issues,
    patient: null,
    vaccinations: [],
    timelinessDays: null,
    hadAdministered: false,
    consent: null,
  };

  // The header: can the registry process this message at all?
  let processable = true;
  const { code: type, event } = message.type;
  if (type === '') add('messageTypeMissing', at(msh, 9, 1));
  else if (type.toUpperCase() !== 'VXU') {
    add('messageTypeUnsupported', at(msh, 9, 1));
    processable = false;
  }
  if (event === '') add('messageTriggerMissing', at(msh, 9, 2));
  else if (event.toUpperCase() !== 'V04' && processable) {
    add('messageEventUnsupported', at(msh, 9, 2));
    processable = false;
  }
  if (message.version === '') add('versionMissing', at(msh, 12));
  else if (!SUPPORTED_VERSIONS.has(message.version.trim())) {
    add('versionUnsupported', at(msh, 12));
    processable = false;
  }
  if (message.controlId.trim() === '') add('controlIdMissing', at(msh, 10));
  const pid = message.segments.find((s) => s.name === 'PID') ?? null;
  if (processable && !pid) {
    add('patientSegmentMissing', { segment: 'PID', sequence: 1 });
    processable = false;
  }
  if (!processable || !pid) return finish(result);
  result.processed = true;

  // "After submission" (MQE): after the file was received, or after the message says it was made.
  const messageDate = readHl7Date(value(msh, 7), true);
  if (messageDate.kind === 'missing') add('messageDateMissing', at(msh, 7));
  else if (messageDate.kind === 'invalid') add('messageDateInvalid', at(msh, 7));
  else if (messageDate.value.day > latestDay) add('messageDateFuture', at(msh, 7));
  const sent = messageDate.kind === 'date' && messageDate.value.day <= latestDay ? messageDate.value.day : null;
  const afterSubmission = (day: number): string | null =>
    day > latestDay ? 'after the file was received' : sent !== null && day > sent ? 'after the message was sent (MSH-7)' : null;

  // The patient.
  const patient: PatientFacts = { key: null, underage: false, nextOfKin: 0, measures: new Set() };
  result.patient = patient;
  const has = (measure: PatientMeasure, present: boolean) => {
    if (present) patient.measures.add(measure);
  };

  const ids = repetitions(pid, 3).map((_, i) => ({ index: i + 1, number: value(pid, 3, 1, 1, i + 1).trim(), type: value(pid, 3, 5, 1, i + 1).trim().toUpperCase(), authority: value(pid, 3, 4, 1, i + 1).trim() }));
  const withNumber = ids.filter((id) => id.number !== '');
  const submitterId = withNumber.find((id) => SUBMITTER_ID_TYPES.has(id.type)) ?? withNumber.find((id) => id.type === '') ?? null;
  if (!submitterId) {
    add('patientIdMissing', at(pid, 3, 1, 1));
  } else {
    patient.measures.add('patientId');
    patient.key = `${submitterId.number}\u0000${submitterId.authority}`;
    if (submitterId.type === '') add('patientIdTypeMissing', { ...at(pid, 3, 5, submitterId.index) });
  }
  has('ssn', withNumber.some((id) => id.type === 'SS') || value(pid, 19).trim() !== '');
  has('medicaidId', withNumber.some((id) => id.type === 'MA'));

  const last = value(pid, 5, 1).trim();
  const first = value(pid, 5, 2).trim();
  const middle = value(pid, 5, 3).trim();
  if (last === '' || last === '""') add('lastNameMissing', at(pid, 5, 1, 1));
  else patient.measures.add('lastName');
  if (first === '' || first === '""') add('firstNameMissing', at(pid, 5, 2, 1));
  else patient.measures.add('firstName');
  has('middleName', middle !== '');
  if (TEST_NAMES.has(last.toUpperCase()) || TEST_NAMES.has(first.toUpperCase())) {
    add('testName', at(pid, 5, 1, 1));
    patient.measures.add('testName');
  }
  if (NEWBORN_FIRST_NAMES.has(first.toUpperCase())) {
    add('newbornName', at(pid, 5, 2, 1));
    patient.measures.add('newbornName');
  }
  has('mothersMaidenName', value(pid, 6, 1).trim() !== '');

  let birth: Hl7Date | null = null;
  const birthReading = readHl7Date(value(pid, 7));
  if (birthReading.kind === 'missing') add('birthDateMissing', at(pid, 7));
  else {
    patient.measures.add('birthDate');
    if (birthReading.kind === 'invalid') {
      add('birthDateInvalid', at(pid, 7));
      patient.measures.add('birthDateInvalid');
    } else {
      // A birth date in the future or long ago is still the date the vaccinations are checked against.
      birth = birthReading.value;
      const late = afterSubmission(birth.day);
      if (late) add('birthDateFuture', at(pid, 7), `Patient birth date is ${late}`);
      else if (birth.year < context.receivedAt.getUTCFullYear() - 120) add('birthDateLongAgo', at(pid, 7));
    }
  }
  const receiptDate = readHl7Date(String(utcDay(context.receivedAt)));
  if (birth && receiptDate.kind === 'date') patient.underage = yearsBetween(birth, receiptDate.value) < 18;

  const sex = value(pid, 8).trim().toUpperCase();
  if (sex === '') add('sexMissing', at(pid, 8));
  else {
    patient.measures.add('sex');
    if (!SEXES.has(sex)) {
      add('sexUnrecognized', at(pid, 8));
      patient.measures.add('sexUnrecognized');
    }
  }

  const address = components(pid, 11);
  has('address', address.some((part) => part.trim() !== ''));
  has('street', (address[0] ?? '').trim() !== '');
  has('city', (address[2] ?? '').trim() !== '');
  has('state', (address[3] ?? '').trim() !== '');
  const zip = (address[4] ?? '').trim();
  const country = (address[5] ?? '').trim().toUpperCase();
  if (zip !== '') {
    patient.measures.add('zip');
    if ((country === '' || country === 'USA' || country === 'US') && !/^\d{5}(?:-?\d{4})?$/.test(zip)) {
      add('zipInvalid', at(pid, 11, 5, 1));
      patient.measures.add('zipInvalid');
    }
  }
  has('phone', repetitions(pid, 13).some((_, i) => value(pid, 13, 1, 1, i + 1).trim() !== '' || value(pid, 13, 7, 1, i + 1).trim() !== ''));
  has('race', value(pid, 10, 1).trim() !== '');
  has('ethnicity', value(pid, 22, 1).trim() !== '');
  has('birthIndicator', value(pid, 24).trim() !== '');

  let death: Hl7Date | null = null;
  const deathReading = readHl7Date(value(pid, 29));
  if (deathReading.kind === 'date') {
    death = deathReading.value;
    if (birth && death.day < birth.day) add('deathBeforeBirth', at(pid, 29));
  }

  // Next of kin, and the segments grouped per vaccination (ORC, RXA, then its RXR and OBX).
  const nextOfKin = message.segments.filter((s) => s.name === 'NK1');
  patient.nextOfKin = nextOfKin.length;
  const vaccinations: Vaccination[] = [];
  const patientObservations: Hl7Segment[] = [];
  let pendingOrc: Hl7Segment | null = null;
  let orphan: Hl7Segment | null = null;
  for (const segment of message.segments) {
    const current = vaccinations[vaccinations.length - 1];
    switch (segment.name) {
      case 'ORC':
        pendingOrc = segment;
        break;
      case 'RXA':
        vaccinations.push({ rxa: segment, orc: pendingOrc, rxr: null, obx: [] });
        pendingOrc = null;
        break;
      case 'RXR':
        // A route belongs to the RXA just before it; after an ORC, or with no RXA yet, it has none.
        if (current && !current.rxr && !pendingOrc) current.rxr = segment;
        else orphan ??= segment;
        break;
      case 'OBX':
        if (current && !pendingOrc) current.obx.push(segment);
        else if (pendingOrc) orphan ??= segment;
        else patientObservations.push(segment);
        break;
    }
  }
  if (orphan) add('segmentWithoutVaccination', at(orphan));
  else if (vaccinations.length === 0) add('noVaccination', null);
  if (nextOfKin.length > 0) {
    patient.measures.add('responsibleParty');
    const nk1 = nextOfKin[0] as Hl7Segment;
    const guardianLast = value(nk1, 2, 1).trim();
    const guardianFirst = value(nk1, 2, 2).trim();
    has('guardianLastName', guardianLast !== '');
    has('guardianFirstName', guardianFirst !== '');
    if (value(nk1, 3, 1).trim() === '') add('relationshipMissing', at(nk1, 3, 1, 1));
    else patient.measures.add('guardianRelationship');
    if (patient.underage && guardianFirst !== '' && guardianFirst.toUpperCase() === first.toUpperCase() && guardianLast.toUpperCase() === last.toUpperCase()) {
      patient.measures.add('guardianSameAsPatient');
    }
  } else if (patient.underage) {
    add('responsiblePartyMissing', { segment: 'NK1', sequence: 1 });
  }
  // Before 2.5.1's OBX per dose, VFC eligibility was sent once per patient in PV1-20.
  const pv1 = message.segments.find((s) => s.name === 'PV1');
  const patientVfc = pv1 ? value(pv1, 20, 1).trim() : '';

  // Each vaccination.
  let nearestGap = Number.POSITIVE_INFINITY;
  for (const vaccination of vaccinations) {
    const facts = analyseVaccination(vaccination, { add, at, birth, death, latestDay, afterSubmission, patientVfc, patientObservations });
    result.vaccinations.push(facts.facts);
    if (facts.facts.kind === 'administered') {
      result.hadAdministered = true;
      if (facts.date) {
        const gap = receivedEpochDay - facts.date.epochDay;
        if (gap >= 0 && gap < nearestGap) nearestGap = gap;
      }
    }
  }
  if (result.hadAdministered && Number.isFinite(nearestGap)) result.timelinessDays = nearestGap;

  for (const obx of message.segments.filter((s) => s.name === 'OBX')) {
    if (value(obx, 5).trim() === '' && value(obx, 11).trim().toUpperCase() !== 'X') add('observationValueMissing', at(obx, 5));
  }

  // Consent: PD1-12, the protection indicator, is how the clinic says whether the family agreed to
  // the registry keeping and sharing the record ("N": no protection asked, consent on file).
  const pd1 = message.segments.find((s) => s.name === 'PD1');
  result.consent = pd1 && value(pd1, 12).trim().toUpperCase() === 'N' ? 'on-file' : 'none';
  return finish(result);
}

interface VaccinationContext {
  add: (check: CheckId, location: Hl7Location | null, text?: string) => void;
  at: (segment: Hl7Segment, field?: number, component?: number, repetition?: number) => Hl7Location;
  birth: Hl7Date | null;
  death: Hl7Date | null;
  latestDay: number;
  afterSubmission: (day: number) => string | null;
  patientVfc: string;
  patientObservations: Hl7Segment[];
}

function analyseVaccination(vaccination: Vaccination, context: VaccinationContext): { facts: VaccinationFacts; date: Hl7Date | null } {
  const { rxa } = vaccination;
  const { add, at } = context;
  const measures = new Set<VaccinationMeasure>();
  const has = (measure: VaccinationMeasure, present: boolean) => {
    if (present) measures.add(measure);
  };

  // What kind of record this is: deleted, not given (refused, not administered, partial), given here
  // or historical (the scoring model counts them in that order).
  const action = value(rxa, 21).trim().toUpperCase();
  if (action === '') add('actionCodeMissing', at(rxa, 21));
  else {
    measures.add('actionCode');
    if (!ACTION_CODES.has(action)) {
      add('actionCodeInvalid', at(rxa, 21));
      measures.add('actionCodeInvalid');
    }
  }
  const completion = value(rxa, 20).trim().toUpperCase();
  if (completion !== '') {
    measures.add('completionStatus');
    if (!COMPLETION_STATUSES.has(completion)) {
      add('completionStatusUnrecognized', at(rxa, 20));
      measures.add('completionStatusUnrecognized');
    }
  }
  const lot = value(rxa, 15).trim();
  const manufacturer = value(rxa, 17, 1).trim().toUpperCase();
  const amountText = value(rxa, 6).trim();
  const source = value(rxa, 9, 1).trim();
  let administered: boolean;
  if (source === '') {
    add('informationSourceMissing', at(rxa, 9, 1, 1));
    administered = lot !== '' || manufacturer !== '';
  } else {
    measures.add('informationSource');
    if (!INFORMATION_SOURCES.has(source)) {
      add('informationSourceUnrecognized', at(rxa, 9, 1, 1));
      measures.add('informationSourceUnrecognized');
      administered = lot !== '' || manufacturer !== '';
    } else {
      administered = source === '00';
    }
  }
  const notGiven = completion === 'NA' || completion === 'RE' || completion === 'PA';
  const kind: VaccinationKind = action === 'D' ? 'deleted' : notGiven ? 'not-administered' : administered ? 'administered' : 'historical';
  if (INFORMATION_SOURCES.has(source) && kind !== 'deleted' && !notGiven) {
    if (source !== '00' && lot !== '' && manufacturer !== '') {
      add('historicalAppearsAdministered', at(rxa, 9, 1, 1));
      measures.add('mayBeAdministered');
    }
    if (source === '00' && amountText === '999') {
      add('administeredAppearsHistorical', at(rxa, 9, 1, 1));
      measures.add('mayBeHistorical');
    }
  }
  const refusal = value(rxa, 18, 1).trim();
  if (refusal !== '' && completion !== 'RE') add('refusalReasonConflict', at(rxa, 18, 1, 1));
  if (completion === 'RE' && refusal === '') add('refusalReasonMissing', at(rxa, 18, 1, 1));

  // The date.
  let date: Hl7Date | null = null;
  const dateReading = readHl7Date(value(rxa, 3));
  if (dateReading.kind === 'missing') add('adminDateMissing', at(rxa, 3));
  else {
    measures.add('adminDate');
    if (dateReading.kind === 'invalid') {
      add('adminDateInvalid', at(rxa, 3));
      measures.add('adminDateInvalid');
    } else {
      date = dateReading.value;
      const late = context.afterSubmission(date.day);
      if (late) add('adminDateFuture', at(rxa, 3), `Vaccination date is ${late}`);
      else if (context.birth && date.day < context.birth.day) add('adminDateBeforeBirth', at(rxa, 3));
      else if (context.death && date.day > context.death.day) add('adminDateAfterDeath', at(rxa, 3));
      const end = readHl7Date(value(rxa, 4));
      if (end.kind === 'date' && end.value.day !== date.day) add('adminDateEndDiffers', at(rxa, 4));
    }
  }

  // The vaccine: RXA-5 coded as CVX, NDC or CPT, with the alternate triplet as a second chance.
  const cvx = readVaccineCode(rxa, kind, measures, context);

  // What a dose given here must carry.
  if (kind === 'administered') {
    if (lot === '') add('lotMissing', at(rxa, 15, 1, 1));
    else measures.add('lotNumber');
    const expiry = readHl7Date(value(rxa, 16));
    if (date && expiry.kind === 'date' && date.day > expiry.value.day) add('lotExpired', at(rxa, 3));
    if (manufacturer === '') add('manufacturerMissing', at(rxa, 17, 1, 1));
    else {
      measures.add('manufacturer');
      if (!MVX.has(manufacturer)) {
        add('manufacturerUnrecognized', at(rxa, 17, 1, 1));
        measures.add('manufacturerUnrecognized');
      }
    }
    if (amountText === '' || amountText === '999') add('amountMissing', at(rxa, 6));
    else if (!/^\d*\.?\d+$/.test(amountText)) add('amountInvalid', at(rxa, 6));
    else {
      measures.add('amount');
      if (value(rxa, 7, 1).trim() === '') {
        add('unitMissing', at(rxa, 7, 1, 1));
        measures.add('unitMissing');
      }
    }
    has('facilityId', value(rxa, 11, 4).trim() !== '');
    has('givenBy', value(rxa, 10, 1).trim() !== '');
    if (vaccination.rxr) {
      const route = value(vaccination.rxr, 1, 1).trim().toUpperCase();
      if (route !== '' && !ROUTES.has(route)) add('routeUnrecognized', at(vaccination.rxr, 1, 1, 1));
      const site = value(vaccination.rxr, 2, 1).trim().toUpperCase();
      if (site !== '' && !SITES.has(site)) add('siteUnrecognized', at(vaccination.rxr, 2, 1, 1));
    }
    // VFC eligibility: an OBX 64994-7 in the dose's group (CDC guide 2.5.1), or PV1-20 (older feeds).
    const eligibility = vaccination.obx.find((obx) => value(obx, 3, 1).trim() === VFC_ELIGIBILITY_LOINC) ?? context.patientObservations.find((obx) => value(obx, 3, 1).trim() === VFC_ELIGIBILITY_LOINC);
    if (eligibility) {
      const code = value(eligibility, 5, 1).trim().toUpperCase();
      if (code !== '' && !VFC_ELIGIBILITY.has(code)) add('vfcEligibilityUnrecognized', at(eligibility, 5, 1, 1));
    } else if (context.patientVfc !== '') {
      if (!VFC_ELIGIBILITY.has(context.patientVfc.toUpperCase())) add('vfcEligibilityUnrecognized', { segment: 'PV1', sequence: 1, field: 20, repetition: 1, component: 1 });
    } else if (context.birth && date && yearsBetween(context.birth, date) < 19) {
      add('vfcEligibilityMissing', { segment: 'RXA', sequence: rxa.occurrence });
    }
  }

  // Recommended fields of every vaccination record.
  has('vaccinationId', vaccination.orc !== null && (value(vaccination.orc, 3, 1).trim() !== '' || value(vaccination.orc, 2, 1).trim() !== ''));
  const entry = readHl7Date(value(rxa, 22));
  if (entry.kind !== 'missing') {
    measures.add('systemEntryTime');
    if (entry.kind === 'date' && entry.value.day > context.latestDay) {
      add('systemEntryFuture', at(rxa, 22));
      measures.add('systemEntryFuture');
    }
  }
  return { facts: { kind, groups: cvx?.groups ?? [], measures }, date };
}

/** RXA-5: which vaccine, checked against the code tables; returns the CVX entry when there is one. */
function readVaccineCode(rxa: Hl7Segment, kind: VaccinationKind, measures: Set<VaccinationMeasure>, context: VaccinationContext): CvxCode | null {
  const { add, at } = context;
  const code = value(rxa, 5, 1).trim();
  const system = value(rxa, 5, 3).trim().toUpperCase();
  const alternate = value(rxa, 5, 4).trim();
  const alternateSystem = value(rxa, 5, 6).trim().toUpperCase();
  if (code === '' && alternate === '') {
    add('vaccineCodeMissing', at(rxa, 5, 1, 1));
    return null;
  }
  measures.add('adminCode');

  /** A CVX code at RXA-5.1 or 5.4: its format and the table. */
  const checkCvx = (text: string, component: number): CvxCode | null => {
    measures.add('cvxCode');
    const location = at(rxa, 5, component, 1);
    if (!/^\d{1,4}$/.test(text)) {
      add('cvxInvalid', location);
      measures.add('cvxInvalid').add('adminCodeInvalid');
      return null;
    }
    const entry = lookUpCvx(text);
    if (!entry) {
      add('cvxUnrecognized', location, `Vaccine code ${quotableCode(text)} is not a CVX code the registry knows`);
      measures.add('cvxUnrecognized').add('adminCodeUnrecognized');
      return null;
    }
    return entry;
  };

  let cvx: CvxCode | null = null;
  const alternateIsCvx = alternate !== '' && CVX_SYSTEMS.has(alternateSystem);
  if (CVX_SYSTEMS.has(system) && code !== '') {
    cvx = checkCvx(code, 1);
  } else if (system === '' && code !== '') {
    add('vaccineCodeTableMissing', at(rxa, 5, 3, 1));
    cvx = checkCvx(code, 1);
  } else if (NDC_SYSTEMS.has(system) && code !== '') {
    if (!/^(?:\d{4,5}-\d{3,4}-\d{1,2}|\d{10,11})$/.test(code)) {
      add('ndcUnrecognized', at(rxa, 5, 1, 1));
      measures.add('adminCodeUnrecognized');
    }
    if (alternateIsCvx) cvx = checkCvx(alternate, 4);
  } else if (CPT_SYSTEMS.has(system) && code !== '') {
    if (!/^\d{5}$/.test(code)) {
      add('cptInvalid', at(rxa, 5, 1, 1));
      measures.add('adminCodeInvalid');
    }
    if (alternateIsCvx) cvx = checkCvx(alternate, 4);
  } else if (alternateIsCvx) {
    cvx = checkCvx(alternate, 4);
  } else {
    add('vaccineCodeTableInvalid', at(rxa, 5, 3, 1));
    measures.add('adminCodeInvalid');
  }

  if (cvx) {
    const location = at(rxa, 5, 1, 1);
    if (cvx.unknown) {
      add('vaccineValuedUnknown', location);
      measures.add('adminCodeUnknown');
    }
    if (cvx.notVaccine) {
      measures.add('adminCodeNotVaccine');
      if (kind === 'administered') add('vaccineNotVaccine', location, `A dose recorded as given carries CVX ${cvx.code} (${cvx.description}), which is not a vaccine`);
    }
    if (cvx.unspecified && kind === 'administered') {
      add('vaccineNotSpecific', location, `A dose given here carries CVX ${cvx.code} (${cvx.description}); send the specific vaccine`);
      measures.add('adminCodeNotSpecific');
    }
  }
  return cvx;
}

/** MSA-1 and the message's status from what was found. */
function finish(result: MessageAnalysis): MessageAnalysis {
  const errors = result.issues.some((issue) => CHECKS[issue.check].severity === 'E');
  const warnings = result.issues.some((issue) => CHECKS[issue.check].severity === 'W');
  if (!result.processed) {
    result.ackCode = 'AR';
    result.status = 'rejected';
  } else {
    result.ackCode = errors || warnings ? 'AE' : 'AA';
    result.status = errors ? 'rejected' : warnings ? 'warnings' : 'accepted';
  }
  if (result.status === 'rejected') result.consent = null;
  return result;
}
