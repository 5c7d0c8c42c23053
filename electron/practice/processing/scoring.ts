// The ImmTrac data quality scores, as the OIS DQA tool computes them from its ImmTrac scoring model
// (../shared/samples/dqa/d01: completeness 50, quality 40, timeliness 10). The model is written out
// here as data, weight for weight, and scored the way the tool's QualityCollector and ModelFactory do:
//
// - every section's weight is divided by the sum of its positive siblings (completeness 0.5, quality
//   0.4, timeliness 0.1; patient 0.4, vaccination 0.4, vaccine groups 0.2; required 0.5, expected
//   0.3, recommended 0.2, optional 0);
// - within a completeness section, each row's weight is divided by the sum of the section's positive
//   row weights (sub-rows included); a row scores weight x (count / denominator), where the count is
//   the records that have the field, or, for a demerit (a negative weight), the records with the
//   problem; a field read through "<field> is missing" also loses its weight again for each record
//   where it is invalid or unrecognised (the tool adds those demerits itself); the section's score is
//   clamped to 0..1; rows whose denominator is 0 (no doses given here) score nothing;
// - vaccine groups: the share of the ten expected groups given at least once, times the expected
//   section's weight (2 of the 3 positive); the model's "recommended" groups section is empty, so
//   this part tops out at two thirds, as it does in the tool;
// - quality: errors score 1 - errors / (3% of messages + vaccinations), warnings 1 - warnings / (30%
//   of the same), each at least 0, weighed 28 and 12;
// - timeliness: per message with a dose given here, the days from that dose (the latest one not in
//   the future) to the file's receipt: under 2 days early (10), under 7 on time (9), under 30 late (7),
//   under 60 very late (5), else old data (0); weights divided by the first (early). The tool divides
//   two integers for each bucket's share (so only an all-early batch scored); the shares are real
//   fractions here, as the model means them.
//
// Rows of the model's "optional" sections weigh 0 and are left out.
import type { MessageAnalysis, PatientMeasure, VaccinationMeasure } from './analyse';
import { EXPECTED_VACCINE_GROUPS, type VaccineGroup } from './tables';
import { CHECKS } from './issues';

type Denominator = 'patients' | 'vaccinations' | 'administered';

interface ModelRow<M extends string> {
  label: string;
  /** The HL7 field, for the report. */
  field: string;
  measure: M;
  weight: number;
  denominator: Denominator;
  /** A demerit row counts records with a problem; otherwise records that have the field. */
  demerit?: true;
  /** Shown indented under the row before it. */
  sub?: true;
}

interface ModelSection<M extends string> {
  name: 'required' | 'expected' | 'recommended';
  weight: number;
  rows: ModelRow<M>[];
}

const row = <M extends string>(label: string, field: string, measure: M, weight: number, denominator: Denominator, options: { demerit?: true; sub?: true } = {}): ModelRow<M> => ({
  label,
  field,
  measure,
  weight,
  denominator,
  ...options,
});
/** The demerit the tool adds itself under a field read through "<field> is missing". */
const invalid = <M extends string>(label: string, field: string, measure: M, weight: number, denominator: Denominator): ModelRow<M> =>
  row(label, field, measure, -weight, denominator, { demerit: true, sub: true });

export const PATIENT_MODEL: ModelSection<PatientMeasure>[] = [
  {
    name: 'required',
    weight: 10,
    rows: [
      row('Patient Id', 'PID-3', 'patientId', 10, 'patients'),
      row('First Name', 'PID-5.2', 'firstName', 5, 'patients'),
      row('Last Name', 'PID-5.1', 'lastName', 5, 'patients'),
      row('Possible Test Name', 'PID-5', 'testName', -5, 'patients', { demerit: true }),
      row('Possible Baby Name', 'PID-5', 'newbornName', -10, 'patients', { demerit: true }),
      row('Birth Date', 'PID-7', 'birthDate', 10, 'patients'),
      invalid('Birth Date invalid', 'PID-7', 'birthDateInvalid', 10, 'patients'),
      row('Sex', 'PID-8', 'sex', 5, 'patients'),
      invalid('Sex unrecognized', 'PID-8', 'sexUnrecognized', 5, 'patients'),
      row('Address', 'PID-11', 'address', 2, 'patients'),
      row('Street', 'PID-11.1', 'street', 5, 'patients', { sub: true }),
      row('City', 'PID-11.3', 'city', 1, 'patients', { sub: true }),
      row('State', 'PID-11.4', 'state', 1, 'patients', { sub: true }),
      row('Zip', 'PID-11.5', 'zip', 1, 'patients', { sub: true }),
      invalid('Zip invalid', 'PID-11.5', 'zipInvalid', 1, 'patients'),
    ],
  },
  {
    name: 'expected',
    weight: 6,
    rows: [
      row('Middle Name', 'PID-5.3', 'middleName', 10, 'patients'),
      row('Phone', 'PID-13', 'phone', 10, 'patients'),
      row("Mother's Maiden", 'PID-6', 'mothersMaidenName', 10, 'patients'),
      row('SSN', 'PID-3/PID-19', 'ssn', 10, 'patients'),
      row('Responsible Party', 'NK1', 'responsibleParty', 1, 'patients'),
      row('First Name', 'NK1-2.2', 'guardianFirstName', 4, 'patients', { sub: true }),
      row('Last Name', 'NK1-2.1', 'guardianLastName', 4, 'patients', { sub: true }),
      row('Same as Patient', 'NK1-2', 'guardianSameAsPatient', -8, 'patients', { demerit: true, sub: true }),
      row('Relationship', 'NK1-3', 'guardianRelationship', 1, 'patients', { sub: true }),
    ],
  },
  {
    name: 'recommended',
    weight: 4,
    rows: [
      row('Birth Indicator', 'PID-24', 'birthIndicator', 10, 'patients'),
      row('Ethnicity', 'PID-22', 'ethnicity', 10, 'patients'),
      row('Race', 'PID-10', 'race', 10, 'patients'),
      row('Medicaid Id', 'PID-3', 'medicaidId', 5, 'patients'),
    ],
  },
];

export const VACCINATION_MODEL: ModelSection<VaccinationMeasure>[] = [
  {
    name: 'required',
    weight: 10,
    rows: [
      row('Vaccination Date', 'RXA-3', 'adminDate', 40, 'vaccinations'),
      invalid('Vaccination Date invalid', 'RXA-3', 'adminDateInvalid', 40, 'vaccinations'),
      row('Vaccination Code', 'RXA-5', 'adminCode', 40, 'vaccinations'),
      invalid('Vaccination Code invalid', 'RXA-5', 'adminCodeInvalid', 40, 'vaccinations'),
      invalid('Vaccination Code unrecognized', 'RXA-5', 'adminCodeUnrecognized', 40, 'vaccinations'),
      row('Not Specific', 'RXA-5', 'adminCodeNotSpecific', -10, 'administered', { demerit: true, sub: true }),
      row('Not Vaccine', 'RXA-5', 'adminCodeNotVaccine', -40, 'vaccinations', { demerit: true, sub: true }),
      row('Valued as Unknown', 'RXA-5', 'adminCodeUnknown', -40, 'vaccinations', { demerit: true, sub: true }),
      row('Information Source', 'RXA-9', 'informationSource', 40, 'vaccinations'),
      invalid('Information Source unrecognized', 'RXA-9', 'informationSourceUnrecognized', 40, 'vaccinations'),
      row('May be Historical', 'RXA-9', 'mayBeHistorical', -10, 'vaccinations', { demerit: true, sub: true }),
      row('May be Administered', 'RXA-9', 'mayBeAdministered', -10, 'vaccinations', { demerit: true, sub: true }),
    ],
  },
  {
    name: 'expected',
    weight: 6,
    rows: [
      row('CVX Code', 'RXA-5', 'cvxCode', 20, 'vaccinations'),
      invalid('CVX Code invalid', 'RXA-5', 'cvxInvalid', 20, 'vaccinations'),
      invalid('CVX Code unrecognized', 'RXA-5', 'cvxUnrecognized', 20, 'vaccinations'),
      row('Lot Number', 'RXA-15', 'lotNumber', 20, 'administered'),
      row('Manufacturer', 'RXA-17', 'manufacturer', 20, 'administered'),
      invalid('Manufacturer unrecognized', 'RXA-17', 'manufacturerUnrecognized', 20, 'administered'),
      row('Admin Amount', 'RXA-6', 'amount', 10, 'administered'),
      row('Missing Units', 'RXA-7', 'unitMissing', -2, 'administered', { demerit: true, sub: true }),
      row('Facility Id', 'RXA-11.4', 'facilityId', 20, 'administered'),
    ],
  },
  {
    name: 'recommended',
    weight: 4,
    rows: [
      row('Action Code', 'RXA-21', 'actionCode', 10, 'vaccinations'),
      invalid('Action Code invalid', 'RXA-21', 'actionCodeInvalid', 10, 'vaccinations'),
      row('Given By Id', 'RXA-10', 'givenBy', 10, 'administered'),
      row('Vaccination Id', 'ORC-3', 'vaccinationId', 10, 'vaccinations'),
      row('Completion Status', 'RXA-20', 'completionStatus', 5, 'administered'),
      invalid('Completion Status unrecognized', 'RXA-20', 'completionStatusUnrecognized', 5, 'administered'),
      row('System Entry Date', 'RXA-22', 'systemEntryTime', 5, 'vaccinations'),
      row('In Future', 'RXA-22', 'systemEntryFuture', -5, 'vaccinations', { demerit: true, sub: true }),
    ],
  },
];

/** The top level and completeness's own sections (section weights before normalising). */
const TOP = { completeness: 50, quality: 40, timeliness: 10 };
const COMPLETENESS = { patient: 20, vaccination: 20, vaccineGroup: 10 };
const VACCINE_GROUP_SECTIONS = { expected: 2, recommended: 1, optional: 0 };
const QUALITY = { errors: 28, warnings: 12 };
export const TIMELINESS_BUCKETS = [
  { name: 'early', label: 'Early (under 2 days)', weight: 10, days: 2 },
  { name: 'onTime', label: 'On time (under 7 days)', weight: 9, days: 7 },
  { name: 'late', label: 'Late (under 30 days)', weight: 7, days: 30 },
  { name: 'veryLate', label: 'Very late (under 60 days)', weight: 5, days: 60 },
  { name: 'oldData', label: 'Old data (60 days or more)', weight: 0, days: Number.POSITIVE_INFINITY },
] as const;
export type TimelinessBucket = (typeof TIMELINESS_BUCKETS)[number]['name'];

export interface CompletenessRowScore {
  group: 'patient' | 'vaccination';
  section: string;
  label: string;
  field: string;
  demerit: boolean;
  sub: boolean;
  /** The weight as the model writes it, and as normalised within its section. */
  weight: number;
  normalisedWeight: number;
  count: number;
  denominator: number;
}

export interface Scores {
  overall: number;
  completeness: number;
  completenessPatient: number;
  completenessVaccination: number;
  completenessVaccineGroups: number;
  quality: number;
  qualityErrors: number;
  qualityWarnings: number;
  timeliness: number;
  errorCount: number;
  warningCount: number;
  timelinessCounts: Record<TimelinessBucket, number>;
  /** Average days from vaccination to receipt over messages with a dose given here. */
  timelinessAverageDays: number | null;
  vaccineGroupsPresent: VaccineGroup[];
  rows: CompletenessRowScore[];
}

export interface ScoringCounts {
  messages: number;
  processedMessages: number;
  vaccinations: number;
  administered: number;
}

const percent = (fraction: number) => Math.floor(100 * fraction + 0.5);
const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

export function score(messages: MessageAnalysis[], counts: ScoringCounts): Scores {
  const processed = messages.filter((m) => m.processed);
  const patients = processed.map((m) => m.patient).filter((p) => p !== null);
  const vaccinations = processed.flatMap((m) => m.vaccinations);
  const denominators: Record<Denominator, number> = { patients: patients.length, vaccinations: counts.vaccinations, administered: counts.administered };
  const rows: CompletenessRowScore[] = [];

  const scoreSections = <M extends string>(group: 'patient' | 'vaccination', model: ModelSection<M>[], countOf: (measure: M, denominator: Denominator) => number): number => {
    const sectionTotal = model.reduce((sum, section) => sum + (section.weight > 0 ? section.weight : 0), 0);
    let total = 0;
    for (const section of model) {
      const positive = section.rows.reduce((sum, r) => sum + (r.weight > 0 ? r.weight : 0), 0);
      let sectionScore = 0;
      for (const r of section.rows) {
        const denominator = denominators[r.denominator];
        const count = Math.min(countOf(r.measure, r.denominator), denominator);
        const normalisedWeight = r.weight / positive;
        if (denominator > 0) sectionScore += (normalisedWeight * count) / denominator;
        rows.push({ group, section: section.name, label: r.label, field: r.field, demerit: r.demerit === true, sub: r.sub === true, weight: r.weight, normalisedWeight, count, denominator });
      }
      total += clamp01(sectionScore) * (section.weight / sectionTotal);
    }
    return total;
  };

  const patientScore = scoreSections('patient', PATIENT_MODEL, (measure) => patients.filter((p) => p.measures.has(measure)).length);
  const vaccinationScore = scoreSections('vaccination', VACCINATION_MODEL, (measure, denominator) =>
    vaccinations.filter((v) => (denominator !== 'administered' || v.kind === 'administered') && v.measures.has(measure)).length,
  );

  // Vaccine groups: which of the ten expected groups had at least one dose given here.
  const present = new Set<VaccineGroup>();
  for (const v of vaccinations) if (v.kind === 'administered') for (const g of v.groups) present.add(g);
  const groupsPresent = EXPECTED_VACCINE_GROUPS.filter((g) => present.has(g));
  const groupSectionTotal = VACCINE_GROUP_SECTIONS.expected + VACCINE_GROUP_SECTIONS.recommended + VACCINE_GROUP_SECTIONS.optional;
  const vaccineGroupScore = clamp01((groupsPresent.length / EXPECTED_VACCINE_GROUPS.length) * (VACCINE_GROUP_SECTIONS.expected / groupSectionTotal));

  const completenessTotal = COMPLETENESS.patient + COMPLETENESS.vaccination + COMPLETENESS.vaccineGroup;
  const completeness =
    processed.length === 0
      ? 0
      : percent(
          patientScore * (COMPLETENESS.patient / completenessTotal) +
            vaccinationScore * (COMPLETENESS.vaccination / completenessTotal) +
            vaccineGroupScore * (COMPLETENESS.vaccineGroup / completenessTotal),
        );

  // Quality: every error and warning found in the messages (the file's own issues are not counted).
  let errorCount = 0;
  let warningCount = 0;
  for (const m of messages) {
    for (const issue of m.issues) {
      const severity = CHECKS[issue.check].severity;
      if (severity === 'E') errorCount += 1;
      else if (severity === 'W') warningCount += 1;
    }
  }
  const base = counts.messages + counts.vaccinations;
  const qualityPart = (found: number, share: number) => (base === 0 ? 0 : Math.max(0, found > share * base ? 0 : 1 - found / (share * base)));
  const errorScore = qualityPart(errorCount, 0.03);
  const warningScore = qualityPart(warningCount, 0.3);
  const qualityTotal = QUALITY.errors + QUALITY.warnings;
  const quality = percent(errorScore * (QUALITY.errors / qualityTotal) + warningScore * (QUALITY.warnings / qualityTotal));

  // Timeliness.
  const timelinessCounts: Record<TimelinessBucket, number> = { early: 0, onTime: 0, late: 0, veryLate: 0, oldData: 0 };
  let withAdministered = 0;
  let daysTotal = 0;
  let daysCounted = 0;
  for (const m of processed) {
    if (!m.hadAdministered) continue;
    withAdministered += 1;
    const days = m.timelinessDays;
    if (days !== null) {
      daysTotal += days;
      daysCounted += 1;
    }
    const bucket = days === null ? 'oldData' : TIMELINESS_BUCKETS.find((b) => days < b.days)!.name;
    timelinessCounts[bucket] += 1;
  }
  const firstWeight = TIMELINESS_BUCKETS[0].weight;
  const timeliness =
    withAdministered === 0
      ? 0
      : Math.min(100, percent(TIMELINESS_BUCKETS.reduce((sum, b) => sum + (b.weight / firstWeight) * (timelinessCounts[b.name] / withAdministered), 0)));

  const topTotal = TOP.completeness + TOP.quality + TOP.timeliness;
  const overall = Math.floor((TOP.timeliness / topTotal) * timeliness + (TOP.quality / topTotal) * quality + (TOP.completeness / topTotal) * completeness + 0.5);
  return {
    overall,
    completeness,
    completenessPatient: percent(patientScore),
    completenessVaccination: percent(vaccinationScore),
    completenessVaccineGroups: percent(vaccineGroupScore),
    quality,
    qualityErrors: percent(errorScore),
    qualityWarnings: percent(warningScore),
    timeliness,
    errorCount,
    warningCount,
    timelinessCounts,
    timelinessAverageDays: daysCounted === 0 ? null : daysTotal / daysCounted,
    vaccineGroupsPresent: groupsPresent,
    rows,
  };
}

/** OIS DQA's words for a score. */
export function scoreLabel(score: number): string {
  if (score >= 90) return 'Excellent';
  if (score >= 80) return 'Good';
  if (score >= 70) return 'Okay';
  if (score >= 60) return 'Poor';
  return 'Problem';
}
