// The code tables the practice registry checks against. Compact on purpose: the CDC's CVX and MVX
// tables hold a few hundred codes; these are the vaccines and manufacturers a clinic's file carries
// today, plus the older codes still met in historical records (the real samples in
// ../shared/samples/hl7/ use them). A code outside them is reported as unrecognised, as a registry
// whose tables lag behind the CDC's would report it.
//
// Vaccine groups are those of the ImmTrac scoring model's "vaccineGroup" section (DTAP, HepB, POLIO,
// HIB, HepA, FLU, MMR, VARICELLA, PneumoPCV, Td); other groups are named for the reader only.

export type VaccineGroup =
  | 'DTAP'
  | 'HepB'
  | 'POLIO'
  | 'HIB'
  | 'HepA'
  | 'FLU'
  | 'MMR'
  | 'VARICELLA'
  | 'PneumoPCV'
  | 'Td'
  | 'HPV'
  | 'ROTAVIRUS'
  | 'MENING'
  | 'MENB'
  | 'PPSV'
  | 'ZOSTER'
  | 'COVID'
  | 'OTHER';

export interface CvxCode {
  code: string;
  description: string;
  groups: VaccineGroup[];
  /** An "unspecified formulation" code: fine for a historical record, not specific enough for a dose given. */
  unspecified?: true;
  /** Not a vaccine: an immune globulin, an adjuvant, or 998 "no vaccine administered". */
  notVaccine?: true;
  /** 999: the vaccine is unknown. */
  unknown?: true;
}

type Row = [code: string, description: string, groups: VaccineGroup[], flag?: 'unspecified' | 'not-vaccine' | 'unknown'];

// From the CDC's CVX table (Vaccines administered, HL7 table 0292).
const CVX_ROWS: Row[] = [
  ['01', 'DTP', ['DTAP']],
  ['02', 'OPV', ['POLIO']],
  ['03', 'MMR', ['MMR']],
  ['04', 'M/R', ['MMR']],
  ['05', 'measles', ['MMR']],
  ['06', 'rubella', ['MMR']],
  ['07', 'mumps', ['MMR']],
  ['08', 'Hep B, adolescent or pediatric', ['HepB']],
  ['09', 'Td (adult), adsorbed', ['Td']],
  ['10', 'IPV', ['POLIO']],
  ['11', 'pertussis', ['DTAP']],
  ['14', 'IG, unspecified formulation', [], 'not-vaccine'],
  ['15', 'influenza, split (incl. purified surface antigen)', ['FLU']],
  ['16', 'influenza, whole', ['FLU']],
  ['17', 'Hib, unspecified formulation', ['HIB'], 'unspecified'],
  ['18', 'rabies, intramuscular injection', ['OTHER']],
  ['19', 'BCG', ['OTHER']],
  ['20', 'DTaP', ['DTAP']],
  ['21', 'varicella', ['VARICELLA']],
  ['22', 'DTP-Hib', ['DTAP', 'HIB']],
  ['24', 'anthrax', ['OTHER']],
  ['25', 'typhoid, oral', ['OTHER']],
  ['26', 'cholera', ['OTHER']],
  ['28', 'DT (pediatric)', ['DTAP']],
  ['29', 'CMVIG', [], 'not-vaccine'],
  ['30', 'HBIG', [], 'not-vaccine'],
  ['31', 'Hep A, pediatric, unspecified formulation', ['HepA'], 'unspecified'],
  ['32', 'meningococcal MPSV4', ['MENING']],
  ['33', 'pneumococcal polysaccharide PPV23', ['PPSV']],
  ['34', 'RIG', [], 'not-vaccine'],
  ['35', 'tetanus toxoid, adsorbed', ['Td']],
  ['36', 'VZIG', [], 'not-vaccine'],
  ['37', 'yellow fever', ['OTHER']],
  ['38', 'rubella/mumps', ['MMR']],
  ['39', 'Japanese encephalitis SC', ['OTHER']],
  ['40', 'rabies, intradermal injection', ['OTHER']],
  ['41', 'typhoid, parenteral', ['OTHER']],
  ['42', 'Hep B, adolescent/high risk infant', ['HepB']],
  ['43', 'Hep B, adult', ['HepB']],
  ['44', 'Hep B, dialysis', ['HepB']],
  ['45', 'Hep B, unspecified formulation', ['HepB'], 'unspecified'],
  ['46', 'Hib (PRP-D)', ['HIB']],
  ['47', 'Hib (HbOC)', ['HIB']],
  ['48', 'Hib (PRP-T)', ['HIB']],
  ['49', 'Hib (PRP-OMP)', ['HIB']],
  ['50', 'DTaP-Hib', ['DTAP', 'HIB']],
  ['51', 'Hib-Hep B', ['HIB', 'HepB']],
  ['52', 'Hep A, adult', ['HepA']],
  ['53', 'typhoid, parenteral, AKD (U.S. military)', ['OTHER']],
  ['62', 'HPV, quadrivalent', ['HPV']],
  ['66', 'Lyme disease', ['OTHER']],
  ['71', 'RSV-IGIV', [], 'not-vaccine'],
  ['74', 'rotavirus, tetravalent', ['ROTAVIRUS']],
  ['75', 'vaccinia (smallpox)', ['OTHER']],
  ['83', 'Hep A, ped/adol, 2 dose', ['HepA']],
  ['84', 'Hep A, ped/adol, 3 dose', ['HepA']],
  ['85', 'Hep A, unspecified formulation', ['HepA'], 'unspecified'],
  ['86', 'IG', [], 'not-vaccine'],
  ['87', 'IGIV', [], 'not-vaccine'],
  ['88', 'influenza, unspecified formulation', ['FLU'], 'unspecified'],
  ['89', 'polio, unspecified formulation', ['POLIO'], 'unspecified'],
  ['90', 'rabies, unspecified formulation', ['OTHER'], 'unspecified'],
  ['93', 'RSV-MAb', [], 'not-vaccine'],
  ['94', 'MMRV', ['MMR', 'VARICELLA']],
  ['100', 'pneumococcal conjugate PCV 7', ['PneumoPCV']],
  ['101', 'typhoid, ViCPs', ['OTHER']],
  ['102', 'DTP-Hib-Hep B', ['DTAP', 'HIB', 'HepB']],
  ['103', 'meningococcal C conjugate', ['MENING']],
  ['104', 'Hep A-Hep B', ['HepA', 'HepB']],
  ['106', 'DTaP, 5 pertussis antigens', ['DTAP']],
  ['107', 'DTaP, unspecified formulation', ['DTAP'], 'unspecified'],
  ['108', 'meningococcal ACWY, unspecified formulation', ['MENING'], 'unspecified'],
  ['109', 'pneumococcal, unspecified formulation', ['OTHER'], 'unspecified'],
  ['110', 'DTaP-Hep B-IPV', ['DTAP', 'HepB', 'POLIO']],
  ['111', 'influenza, live, intranasal', ['FLU']],
  ['113', 'Td (adult), preservative free', ['Td']],
  ['114', 'meningococcal MCV4P', ['MENING']],
  ['115', 'Tdap', ['Td']],
  ['116', 'rotavirus, pentavalent', ['ROTAVIRUS']],
  ['118', 'HPV, bivalent', ['HPV']],
  ['119', 'rotavirus, monovalent', ['ROTAVIRUS']],
  ['120', 'DTaP-Hib-IPV', ['DTAP', 'HIB', 'POLIO']],
  ['121', 'zoster, live', ['ZOSTER']],
  ['122', 'rotavirus, unspecified formulation', ['ROTAVIRUS'], 'unspecified'],
  ['125', 'novel influenza-H1N1-09, live, nasal', ['FLU']],
  ['126', 'novel influenza-H1N1-09, preservative-free, injectable', ['FLU']],
  ['127', 'novel influenza-H1N1-09, injectable', ['FLU']],
  ['128', 'novel influenza-H1N1-09, all formulations', ['FLU'], 'unspecified'],
  ['130', 'DTaP-IPV', ['DTAP', 'POLIO']],
  ['133', 'pneumococcal conjugate PCV 13', ['PneumoPCV']],
  ['134', 'Japanese encephalitis IM', ['OTHER']],
  ['135', 'influenza, high dose seasonal', ['FLU']],
  ['136', 'meningococcal MCV4O', ['MENING']],
  ['137', 'HPV, unspecified formulation', ['HPV'], 'unspecified'],
  ['138', 'Td (adult), not adsorbed', ['Td']],
  ['139', 'Td (adult), unspecified formulation', ['Td'], 'unspecified'],
  ['140', 'influenza, seasonal, injectable, preservative free', ['FLU']],
  ['141', 'influenza, seasonal, injectable', ['FLU']],
  ['142', 'tetanus toxoid, not adsorbed', ['Td']],
  ['144', 'influenza, seasonal, intradermal, preservative free', ['FLU']],
  ['146', 'DTaP, IPV, Hib, HepB', ['DTAP', 'POLIO', 'HIB', 'HepB']],
  ['147', 'meningococcal MCV4, unspecified formulation', ['MENING'], 'unspecified'],
  ['148', 'meningococcal C/Y-Hib PRP', ['MENING', 'HIB']],
  ['149', 'influenza, live, intranasal, quadrivalent', ['FLU']],
  ['150', 'influenza, injectable, quadrivalent, preservative free', ['FLU']],
  ['151', 'influenza, nasal, unspecified formulation', ['FLU'], 'unspecified'],
  ['152', 'pneumococcal conjugate, unspecified formulation', ['PneumoPCV'], 'unspecified'],
  ['153', 'influenza, injectable, MDCK, preservative free', ['FLU']],
  ['155', 'influenza, recombinant, injectable, preservative free', ['FLU']],
  ['158', 'influenza, injectable, quadrivalent', ['FLU']],
  ['160', 'influenza A monovalent (H5N1), adjuvanted, national stockpile 2013', ['FLU']],
  ['161', 'influenza, injectable, quadrivalent, preservative free, pediatric', ['FLU']],
  ['162', 'meningococcal B, recombinant', ['MENB']],
  ['163', 'meningococcal B, OMV', ['MENB']],
  ['164', 'meningococcal B, unspecified formulation', ['MENB'], 'unspecified'],
  ['165', 'HPV9', ['HPV']],
  ['166', 'influenza, intradermal, quadrivalent, preservative free', ['FLU']],
  ['167', 'meningococcal, unknown serogroups', ['MENING'], 'unspecified'],
  ['168', 'influenza, trivalent, adjuvanted', ['FLU']],
  ['171', 'influenza, injectable, MDCK, preservative free, quadrivalent', ['FLU']],
  ['174', 'cholera, live attenuated', ['OTHER']],
  ['185', 'influenza, recombinant, quadrivalent, preservative free', ['FLU']],
  ['186', 'influenza, injectable, MDCK, quadrivalent, preservative', ['FLU']],
  ['187', 'zoster, recombinant', ['ZOSTER']],
  ['188', 'zoster, unspecified formulation', ['ZOSTER'], 'unspecified'],
  ['189', 'Hep B (recombinant), CpG adjuvanted', ['HepB']],
  ['197', 'influenza, high-dose, quadrivalent', ['FLU']],
  ['203', 'meningococcal conjugate MenACWY-TT', ['MENING']],
  ['205', 'influenza, seasonal, adjuvanted, quadrivalent', ['FLU']],
  ['206', 'smallpox and monkeypox, live, non-replicating', ['OTHER']],
  ['207', 'COVID-19, mRNA, LNP-S, PF, 100 mcg/0.5 mL dose', ['COVID']],
  ['208', 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose', ['COVID']],
  ['212', 'COVID-19, vector-nr, rS-Ad26, PF, 0.5 mL', ['COVID']],
  ['213', 'COVID-19, unspecified formulation', ['COVID'], 'unspecified'],
  ['215', 'pneumococcal conjugate PCV 15', ['PneumoPCV']],
  ['216', 'pneumococcal conjugate PCV 20', ['PneumoPCV']],
  ['217', 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose, tris-sucrose', ['COVID']],
  ['218', 'COVID-19, mRNA, LNP-S, PF, 10 mcg/0.2 mL dose, tris-sucrose', ['COVID']],
  ['219', 'COVID-19, mRNA, LNP-S, PF, 3 mcg/0.2 mL dose, tris-sucrose', ['COVID']],
  ['221', 'COVID-19, mRNA, LNP-S, PF, 50 mcg/0.5 mL dose', ['COVID']],
  ['228', 'COVID-19, mRNA, LNP-S, PF, 25 mcg/0.25 mL dose', ['COVID']],
  ['801', 'AS03 adjuvant', [], 'not-vaccine'],
  ['998', 'no vaccine administered', [], 'not-vaccine'],
  ['999', 'unknown', [], 'unknown'],
];

export const CVX: ReadonlyMap<string, CvxCode> = new Map(
  CVX_ROWS.map(([code, description, groups, flag]) => [
    code,
    {
      code,
      description,
      groups,
      ...(flag === 'unspecified' ? { unspecified: true as const } : {}),
      ...(flag === 'not-vaccine' ? { notVaccine: true as const } : {}),
      ...(flag === 'unknown' ? { unknown: true as const } : {}),
    },
  ]),
);

/** A CVX code as written, or with its leading zero ("8" for "08"), or null. */
export function lookUpCvx(code: string): CvxCode | null {
  const trimmed = code.trim();
  return CVX.get(trimmed) ?? (/^\d$/.test(trimmed) ? (CVX.get(`0${trimmed}`) ?? null) : null);
}

/** The expected vaccine groups of the ImmTrac scoring model, each weighing the same. */
export const EXPECTED_VACCINE_GROUPS: readonly VaccineGroup[] = ['DTAP', 'HepB', 'POLIO', 'HIB', 'HepA', 'FLU', 'MMR', 'VARICELLA', 'PneumoPCV', 'Td'];

// From the CDC's MVX table (Manufacturers of vaccines, HL7 table 0227).
export const MVX: ReadonlyMap<string, string> = new Map([
  ['AB', 'Abbott Laboratories'],
  ['ACA', 'Acambis, Inc'],
  ['AD', 'Adams Laboratories, Inc.'],
  ['ALP', 'Alpha Therapeutic Corporation'],
  ['AR', 'Armour'],
  ['AVB', 'Aventis Behring L.L.C.'],
  ['AVI', 'Aviron'],
  ['BA', 'Baxter Healthcare Corporation (inactive code)'],
  ['BAH', 'Baxter Healthcare Corporation'],
  ['BAY', 'Bayer Corporation'],
  ['BN', 'Bavarian Nordic A/S'],
  ['BP', 'Berna Products'],
  ['BPC', 'Berna Products Corporation'],
  ['BTP', 'Biotest Pharmaceuticals Corporation'],
  ['CEN', 'Centeon L.L.C.'],
  ['CHI', 'Chiron Corporation'],
  ['CMP', 'Celltech Medeva Pharmaceuticals'],
  ['CNJ', 'Cangene Corporation'],
  ['CON', 'Connaught'],
  ['CSL', 'bioCSL'],
  ['DVC', 'DynPort Vaccine Company, LLC'],
  ['DVX', 'Dynavax Technologies Corporation'],
  ['EVN', 'Evans Medical Limited'],
  ['GEO', 'GeoVax Labs, Inc.'],
  ['GRE', 'Greer Laboratories, Inc.'],
  ['GRF', 'Grifols'],
  ['IAG', 'Immuno International AG'],
  ['IDB', 'ID Biomedical'],
  ['INT', 'Intercell Biomedical'],
  ['IUS', 'Immuno-U.S., Inc.'],
  ['JNJ', 'Johnson and Johnson'],
  ['JSN', 'Janssen'],
  ['KGC', 'Korea Green Cross Corporation'],
  ['LED', 'Lederle'],
  ['MA', 'Massachusetts Public Health Biologic Lab'],
  ['MBL', 'Massachusetts Biologic Laboratories'],
  ['MED', 'MedImmune, Inc.'],
  ['MIL', 'Miles'],
  ['MIP', 'Emergent BioDefense Operations Lansing'],
  ['MOD', 'Moderna US, Inc.'],
  ['MSD', 'Merck and Co., Inc.'],
  ['NAB', 'NABI'],
  ['NAV', 'North American Vaccine, Inc.'],
  ['NOV', 'Novartis Pharmaceutical Corporation'],
  ['NVX', 'Novavax, Inc.'],
  ['NYB', 'New York Blood Center'],
  ['ORT', 'Ortho-clinical Diagnostics'],
  ['OTC', 'Organon Teknika Corporation'],
  ['OTH', 'Other manufacturer'],
  ['PAX', 'PaxVax'],
  ['PD', 'Parkedale Pharmaceuticals'],
  ['PFR', 'Pfizer, Inc'],
  ['PMC', 'Sanofi Pasteur'],
  ['PRX', 'Praxis Biologics'],
  ['PSC', 'Protein Sciences'],
  ['PWJ', 'PowderJect Pharmaceuticals'],
  ['SCL', 'Sclavo, Inc.'],
  ['SEQ', 'Seqirus'],
  ['SI', 'Swiss Serum and Vaccine Inst.'],
  ['SKB', 'GlaxoSmithKline'],
  ['SOL', 'Solvay Pharmaceuticals'],
  ['TAL', 'Talecris Biotherapeutics'],
  ['UNK', 'Unknown manufacturer'],
  ['USA', 'United States Army Medical Research and Material Command'],
  ['VAL', 'Valneva'],
  ['VXG', 'VaxGen'],
  ['WA', 'Wyeth-Ayerst'],
  ['WAL', 'Wyeth'],
  ['ZLB', 'ZLB Behring'],
]);

/** HL7 table 0162 (route of administration) and the NCI Thesaurus codes the CDC guide lists for it. */
export const ROUTES: ReadonlySet<string> = new Set([
  ...'AP B DT GU GTT IA IB IC ICV ID IH IHA IM IMR IN IO IP IS IT IU IV MM MTH NG NP NS NT OP OT OTH PF PO PR RM SC SD SL TD TL TP TRA UR URETH VM WND'.split(' '),
  'C38238', // intradermal
  'C28161', // intramuscular
  'C38284', // nasal
  'C38276', // intravenous
  'C38288', // oral
  'C38676', // percutaneous
  'C38299', // subcutaneous
  'C38305', // transdermal
]);

/** HL7 table 0163 (administrative site). */
export const SITES: ReadonlySet<string> = new Set(
  'BE BN BU CT LA LAC LACF LD LE LEJ LF LG LH LIJ LLAQ LLFA LMFA LN LPC LSC LT LUA LUAQ LUFA LVG LVL NB OD OS OU PA PERIN RA RAC RACF RD RE REJ RF RG RH RIJ RLAQ RLFA RMFA RN RPC RSC RT RUA RUAQ RUFA RVG RVL'.split(' '),
);

/** HL7 table 0001 (administrative sex), with X from later releases of the guide. */
export const SEXES: ReadonlySet<string> = new Set(['F', 'M', 'U', 'A', 'N', 'O', 'X']);

/** NIP001 (immunization information source): 00 administered here, 01-08 historical. */
export const INFORMATION_SOURCES: ReadonlySet<string> = new Set(['00', '01', '02', '03', '04', '05', '06', '07', '08']);

/** HL7 table 0322 (completion status). */
export const COMPLETION_STATUSES: ReadonlySet<string> = new Set(['CP', 'RE', 'NA', 'PA']);

/** HL7 table 0323 (action code). */
export const ACTION_CODES: ReadonlySet<string> = new Set(['A', 'U', 'D']);

/** HL7 table 0064 (financial class: VFC eligibility), V06 and V07 deprecated but still met. */
export const VFC_ELIGIBILITY: ReadonlySet<string> = new Set(['V00', 'V01', 'V02', 'V03', 'V04', 'V05', 'V06', 'V07']);

/** LOINC of the OBX that carries a dose's VFC eligibility. */
export const VFC_ELIGIBILITY_LOINC = '64994-7';

/** HL7 versions the registry reads (the CDC guide is 2.5.1; older feeds send 2.3.1 and 2.4). */
export const SUPPORTED_VERSIONS: ReadonlySet<string> = new Set(['2.3.1', '2.4', '2.5', '2.5.1']);

/** PID-3 identifier types (table 0203) that are the clinic's own id for the patient. */
export const SUBMITTER_ID_TYPES: ReadonlySet<string> = new Set(['MR', 'PI', 'PT', 'PN']);

/** First names a hospital gives a newborn before it is named (MQE's temporary newborn names). */
export const NEWBORN_FIRST_NAMES: ReadonlySet<string> = new Set([
  'BABY',
  'BABYBOY',
  'BABYGIRL',
  'BABY BOY',
  'BABY GIRL',
  'BOY',
  'GIRL',
  'INFANT',
  'NEWBORN',
  'NB',
  'BB',
  'BG',
  'MALE',
  'FEMALE',
  'TWIN',
]);

/** Names that say the record is a test (MQE's possible test names). */
export const TEST_NAMES: ReadonlySet<string> = new Set(['TEST', 'TESTING', 'TESTPATIENT', 'TEST PATIENT', 'ZZTEST', 'ZZZTEST', 'FAKE', 'DUMMY']);
