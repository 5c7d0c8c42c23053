// The one HL7 reader (issue 13, item 4): what it gives the pre-send check and the practice registry,
// on every real sample in ../shared/samples/hl7/ and on small hand-written files, one rule each.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Hl7Reader,
  components,
  decodeEscapes,
  field,
  readHl7,
  repetitions,
  value,
  type Hl7Read,
  type Hl7ReaderOptions,
} from '../../../../electron/engine/hl7/reader';
import { messageHeaderLines, realHl7Samples } from '../../../support/real-hl7-samples';

const MSH = 'MSH|^~\\&|EHR|CLINIC|IIS|STATE|20261114093000||VXU^V04^VXU_V04';
const msh = (id: string, rest = '|P|2.5.1') => `${MSH}|${id}${rest}`;
const PID = 'PID|1||PAT1^^^CLINIC^MR||DOE^JANE^^^^^L||20240101|F';
const RXA = 'RXA|0|1|20261101|20261101|08^HepB pediatric^CVX|0.5|mL^mL^UCUM';
const message = (id: string) => [msh(id), PID, RXA];

/** Reads the same bytes pushed in chunks of the given size (streaming unless keep). */
function readInChunks(bytes: Buffer, chunkSize: number, options: Hl7ReaderOptions = {}): Hl7Read {
  const reader = new Hl7Reader(options);
  for (let at = 0; at < bytes.length; at += chunkSize) reader.push(bytes.subarray(at, at + chunkSize));
  return reader.end();
}

function read(text: string | Buffer): Hl7Read {
  return readHl7(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
}

const codes = (r: Hl7Read) => r.problems.map((p) => p.code);

/** The streaming read's part of a result: what the pre-send check uses. */
function summary(r: Hl7Read) {
  const { fileHeader: _h, fileTrailer: _t, batches: _b, messages: _m, looseSegments: _l, ...rest } = r;
  return rest;
}

describe('the real samples', () => {
  const samples = realHl7Samples();

  it('are all there', () => {
    expect(samples.map((s) => s.id)).toEqual(Array.from({ length: 16 }, (_, i) => `v${String(i + 1).padStart(2, '0')}`));
  });

  it.each(samples.map((s) => [s.file, s] as const))('%s: every message, its delimiters, type and control id', (_file, sample) => {
    const bytes = readFileSync(sample.path);
    const r = readHl7(bytes);
    expect(r.kind).toBe('hl7');
    expect(r.messageCount).toBe(sample.messages);
    expect(r.messageCount).toBe(messageHeaderLines(bytes.toString('latin1')));
    expect(r.messages).toHaveLength(sample.messages);
    expect(r.lineEnds).toBe(sample.lineEnds);
    expect(r.byteOrderMark).toBe(sample.byteOrderMark);
    expect(r.batchCount).toBe(sample.bare ? 0 : sample.id === 'v12' ? 2 : 1);
    expect(r.fileHeaderCount).toBe(sample.bare || sample.id === 'v13' ? 0 : 1);
    expect(r.batches.map((b) => b.messageCount).reduce((a, b) => a + b, 0)).toBe(sample.bare ? 0 : sample.messages);
    // Only v03's byte order mark and v16's framing bytes are found; nothing else is wrong with them.
    const expected = sample.id === 'v03' ? ['byte-order-mark'] : sample.id === 'v16' ? ['mllp-framing'] : [];
    expect(codes(r)).toEqual(expected);
    for (const m of r.messages) {
      expect(m.segments[0]?.name).toBe('MSH');
      expect(m.delimiters).toEqual({ field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' });
      expect(m.segments.every((s) => /^[A-Z0-9]{3}$/.test(s.name))).toBe(true);
    }
    // AIRA's test file D breaks MSH-9 and MSH-10 in a few messages on purpose; the others are VXU^V04.
    const vxu = r.messages.filter((m) => m.type.code === 'VXU' && m.type.event === 'V04').length;
    expect(vxu).toBeGreaterThanOrEqual(sample.messages - (sample.id === 'v04' || sample.id === 'v11' ? 12 : 0));
    expect(r.messages.filter((m) => m.controlId !== '').length).toBeGreaterThanOrEqual(sample.messages - 2);
    expect(r.looseSegments).toEqual([]);
  });

  it.each(samples.filter((s) => s.messages < 100).map((s) => [s.file, s] as const))(
    '%s: a streaming read in small chunks finds what a whole read does',
    (_file, sample) => {
      const bytes = readFileSync(sample.path);
      const whole = summary(readHl7(bytes));
      for (const chunkSize of [1, 7, 64, 4096]) expect(summary(readInChunks(bytes, chunkSize)), `chunk size ${chunkSize}`).toEqual(whole);
    },
  );

  it('v16: the framing bytes are counted and set aside, and the three messages read as they would without them', () => {
    const sample = samples.find((s) => s.id === 'v16')!;
    const bytes = readFileSync(sample.path);
    const r = readHl7(bytes);
    expect(r.framing).toEqual({ lines: 3, bytes: ['VT', 'FF'], firstLine: 1 });
    expect(r.problems).toEqual([{ code: 'mllp-framing', line: 1, offset: 0, framingBytes: ['VT', 'FF'], count: 3 }]);
    const stripped = readHl7(Buffer.from(bytes.toString('latin1').replace(/[\v\f]/g, ''), 'latin1'));
    expect(r.messages.map((m) => m.segments.map((s) => s.fields))).toEqual(stripped.messages.map((m) => m.segments.map((s) => s.fields)));
  });

  it('v14 (the CDC guide\'s Example VXU #1): PID, ORC, RXA, RXR and OBX fields by position', () => {
    const r = readHl7(readFileSync(samples.find((s) => s.id === 'v14')!.path));
    const [m] = r.messages;
    expect(m!.type).toEqual({ code: 'VXU', event: 'V04', structure: 'VXU_V04' });
    expect(m!.controlId).toBe('45646ug');
    expect(m!.version).toBe('2.5.1');
    const byName = (name: string) => m!.segments.filter((s) => s.name === name);
    expect(byName('RXA')).toHaveLength(3);
    expect(byName('RXA').map((s) => s.occurrence)).toEqual([1, 2, 3]);
    for (const rxa of byName('RXA')) expect(value(rxa, 5, 3)).toBe('CVX');
    expect(byName('OBX').length).toBeGreaterThan(0);
    expect(byName('ORC').every((orc) => value(orc, 1) === 'RE')).toBe(true);
    expect(value(byName('PID')[0]!, 3, 5)).toBe('MR');
    expect(byName('RXR').length).toBe(2);
  });
});

describe('line ends, positions and blank lines', () => {
  it.each([
    ['CR', '\r'],
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ] as const)('%s: each segment with its line and byte offset', (style, end) => {
    const lines = message('1');
    const r = read(lines.join(end) + end);
    expect(r.lineEnds).toBe(style);
    expect(r.endsMidSegment).toBe(false);
    const segments = r.messages[0]!.segments;
    expect(segments.map((s) => [s.name, s.line])).toEqual([
      ['MSH', 1],
      ['PID', 2],
      ['RXA', 3],
    ]);
    expect(segments[1]!.offset).toBe(lines[0]!.length + end.length);
  });

  it('a mix, blank lines between messages, and a last segment without a line end', () => {
    const r = read(`${msh('1')}\r\n\r\n${PID}\n\n${msh('2')}\r${RXA}`);
    expect(r.lineEnds).toBe('mixed');
    expect(r.lineEndCounts).toEqual({ cr: 1, crlf: 2, lf: 2 });
    expect(r.messageCount).toBe(2);
    expect(r.messages[1]!.segments.map((s) => [s.name, s.line])).toEqual([
      ['MSH', 5],
      ['RXA', 6],
    ]);
    expect(r.endsMidSegment).toBe(true);
    expect(r.problems).toEqual([]); // a bare message ending without a line end is common, and complete
  });
});

describe('kinds of file', () => {
  it('empty, blank, not HL7', () => {
    expect(read('').kind).toBe('empty');
    expect(read('\r\n\n\r').kind).toBe('blank');
    expect(read('\u000b\u001c\r').kind).toBe('blank');
    expect(read('last,first\r\nDOE,JANE\r\n').kind).toBe('other');
    expect(read('%PDF-1.7\n').firstBytes.toString('latin1')).toBe('%PDF-1.7\n');
    expect(read('\u00ef\u00bbMSH|^~\\&|\r').kind).toBe('other'); // two bytes of a byte order mark
  });

  it('a UTF-8 byte order mark is set aside and named, also when it is split across reads', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(message('1').join('\r'))]);
    for (const chunkSize of [1, 2, 3, 100]) {
      const r = readInChunks(bytes, chunkSize, { keep: true });
      expect(r.byteOrderMark).toBe(true);
      expect(r.messages[0]!.segments[0]!.fields[0]).toBe('MSH');
      expect(r.messages[0]!.offset).toBe(3);
      expect(codes(r)).toEqual(['byte-order-mark']);
    }
  });
});

describe('MLLP framing and control characters', () => {
  it('VT before each message and FS CR after it (MLLP as sent on a network) are framing, not content', () => {
    const framed = ['1', '2'].map((id) => `\u000b${message(id).join('\r')}\r\u001c\r`).join('');
    const r = read(framed);
    expect(r.messageCount).toBe(2);
    expect(r.messages.map((m) => m.segments.length)).toEqual([3, 3]);
    expect(r.framing).toEqual({ lines: 4, bytes: ['VT', 'FS'], firstLine: 1 });
    expect(codes(r)).toEqual(['mllp-framing']);
  });

  it('an FS at the end of a segment is framing; VT, FF and FS inside a segment are control characters', () => {
    const r = read(`${msh('1')}\r${PID}\u001c\r${RXA.replace('HepB', 'Hep\u000cB')}\r`);
    expect(r.framing).toMatchObject({ lines: 1, bytes: ['FS'] });
    expect(value(r.messages[0]!.segments[1]!, 8)).toBe('F');
    expect(r.problems.map((p) => [p.code, p.line, p.byte])).toEqual([
      ['control-character', 3, 0x0c],
      ['mllp-framing', 2, undefined],
    ]);
  });

  it('Ctrl+Z at the end of the file, and a line that starts with a control character', () => {
    const text = `${message('1').join('\r')}\r\u0001${PID}\r\u001a`;
    const r = read(text);
    expect(r.problems).toEqual([
      { code: 'control-character', line: 4, offset: text.indexOf('\u0001'), byte: 0x01 },
      { code: 'control-character', line: 5, offset: text.length - 1, byte: 0x1a },
    ]);
    expect(r.messageCount).toBe(1);
  });

  it('a zero byte is binary data, named once with its offset', () => {
    const text = `${msh('1')}\r${PID.replace('DOE', 'D\u0000E')}\r\u0000\r`;
    const r = read(text);
    expect(r.problems).toEqual([
      { code: 'segment-name', line: 3, offset: text.lastIndexOf('\u0000') },
      { code: 'binary', line: 2, offset: text.indexOf('\u0000') },
    ]);
  });
});

describe('delimiters, read per message from MSH-1 and MSH-2', () => {
  const other = (id: string) => [
    `MSH#$%*@#EHR#CLINIC#IIS#STATE#20261114093000##VXU$V04$VXU_V04#${id}#P#2.5.1`,
    'PID#1##PAT2$$$CLINIC$MR%PAT2B$$$SSA$SS##ROE$JOHN',
    'OBX#1#CE#30963-3$Funding$LN#2#V02$VFC eligible$HL70064',
  ];

  it('a message with other delimiters inside a batch that uses the standard ones', () => {
    const lines = ['FHS|^~\\&|EHR', 'BHS|^~\\&|EHR', ...message('1'), ...other('2'), ...message('3'), 'BTS|3', 'FTS|1'];
    const r = read(lines.join('\r'));
    expect(r.problems).toEqual([]);
    expect(r.messageCount).toBe(3);
    expect(r.batches[0]!.messageCount).toBe(3);
    const odd = r.messages[1]!;
    expect(odd.delimiters).toEqual({ field: '#', component: '$', repetition: '%', escape: '*', subcomponent: '@' });
    expect(odd.type).toEqual({ code: 'VXU', event: 'V04', structure: 'VXU_V04' });
    expect(odd.controlId).toBe('2');
    const pid = odd.segments[1]!;
    expect(field(pid, 1)).toBe('1');
    expect(repetitions(pid, 3)).toEqual(['PAT2$$$CLINIC$MR', 'PAT2B$$$SSA$SS']);
    expect(value(pid, 3, 5, 1, 2)).toBe('SS');
    expect(components(pid, 5)).toEqual(['ROE', 'JOHN']);
    expect(field(odd.segments[0]!, 1)).toBe('#');
    expect(field(odd.segments[0]!, 2)).toBe('$%*@');
    // The streaming read counts the same, without a word about separators.
    expect(summary(readInChunks(Buffer.from(lines.join('\r')), 5))).toEqual(summary(r));
  });

  it('a header that does not define its delimiters is named, and the file read on with the standard ones', () => {
    const lines = [
      'MSH', // nothing after the name
      'MSH|^~|EHR||||||VXU^V04^VXU_V04|A|P|2.5.1', // two encoding characters
      'MSH|^^\\&|EHR', // the same character twice
      'MSHX^~\\&XEHR', // a letter as the field separator
      'MSH|^~\\&#|EHR||||||VXU^V04^VXU_V04|B|P|2.7', // five (v2.7's truncation character): fine
      PID,
    ];
    const r = read(lines.join('\r') + '\r');
    expect(r.problems.map((p) => [p.code, p.line, p.segment, p.delimiters])).toEqual([
      ['delimiters', 1, 'MSH', 'field'],
      ['delimiters', 2, 'MSH', 'encoding'],
      ['delimiters', 3, 'MSH', 'encoding'],
      ['delimiters', 4, 'MSH', 'field'],
    ]);
    expect(r.messageCount).toBe(5);
    expect(r.messages[1]!.controlId).toBe('A');
    expect(r.messages[4]!.segments.map((s) => s.name)).toEqual(['MSH', 'PID']);
  });

  it('the same wrong header twice is named twice', () => {
    const r = read(['MSH|^^\\&|EHR', PID, 'MSH|^^\\&|EHR', PID].join('\r'));
    expect(codes(r)).toEqual(['delimiters', 'delimiters']);
  });
});

describe('escape sequences, with the message\'s own escape character', () => {
  it.each([
    ['\\F\\ \\S\\ \\R\\ \\E\\ \\T\\', '| ^ ~ \\ &'],
    ['Smith\\T\\Jones', 'Smith&Jones'],
    ['line one\\.br\\line two', 'line one\nline two'],
    ['\\H\\bold\\N\\', 'bold'],
    ['\\X41C3A9\\', 'Aé'],
    ['\\Zlocal\\ kept', '\\Zlocal\\ kept'],
    ['no closing \\F', 'no closing \\F'],
    ['""', '""'],
  ])('%s', (text, decoded) => {
    expect(decodeEscapes(text)).toBe(decoded);
  });

  it('with other delimiters', () => {
    expect(decodeEscapes('a*F*b*S*c*E*', { field: '#', component: '$', repetition: '%', escape: '*', subcomponent: '@' })).toBe('a#b$c*');
  });

  it('value() decodes after splitting, so an escaped separator stays inside its component', () => {
    const r = read(`${msh('1')}\rNTE|1||Dose 1\\S\\2 \\F\\ lot A\\T\\B^second\r`);
    const nte = r.messages[0]!.segments[1]!;
    expect(value(nte, 3)).toBe('Dose 1^2 | lot A&B');
    expect(value(nte, 3, 2)).toBe('second');
    expect(field(nte, 3)).toBe('Dose 1\\S\\2 \\F\\ lot A\\T\\B^second');
    expect(value(nte, 9)).toBe('');
    expect(value(nte, 3, 7)).toBe('');
  });
});

describe('batches and files, as the CDC guide (section 5) lays them out', () => {
  const batch = (n: number, first: number, trailer = `BTS|${n}`) => [
    'BHS|^~\\&|EHR',
    ...Array.from({ length: n }, (_, i) => message(String(first + i))).flat(),
    ...(trailer ? [trailer] : []),
  ];

  it('one batch without FHS/FTS, and BTS|| (the guide\'s own example): nothing to say', () => {
    expect(read(batch(2, 1).join('\r')).problems).toEqual([]);
    const r = read(batch(2, 1, 'BTS||').join('\r'));
    expect(r.problems).toEqual([]);
    expect(r.batches[0]!.trailer?.fields).toEqual(['BTS', '', '']);
    expect(read(['FHS|^~\\&', ...batch(1, 1, 'BTS'), 'FTS||'].join('\r')).problems).toEqual([]);
  });

  it('two batches in a file, each with its messages', () => {
    const r = read(['FHS|^~\\&|EHR', ...batch(2, 1), ...batch(3, 3), 'FTS|2'].join('\r\n'));
    expect(r.problems).toEqual([]);
    expect(r.batches.map((b) => [b.line, b.messageCount])).toEqual([
      [2, 2],
      [10, 3],
    ]);
    expect(r.messages.map((m) => m.batch)).toEqual([0, 0, 1, 1, 1]);
    expect(r.fileHeader?.fields.slice(0, 4)).toEqual(['FHS', '|', '^~\\&', 'EHR']);
    expect(r.fileTrailer?.fields).toEqual(['FTS', '2']);
  });

  it('two batches without a file header', () => {
    const r = read([...batch(1, 1), ...batch(1, 2)].join('\r'));
    expect(r.problems).toEqual([{ code: 'fhs-missing', line: 0, offset: 0, segment: 'FHS', counted: 2 }]);
  });

  it('counts that do not match, and one that is not a number', () => {
    const lines = ['FHS|^~\\&', ...batch(2, 1, 'BTS|3'), 'FTS|x'];
    const r = read(lines.join('\r'));
    expect(r.problems.map((p) => [p.code, p.line, p.stated, p.counted])).toEqual([
      ['bts-count', 9, 3, 2],
      ['fts-count-unreadable', 10, undefined, undefined],
    ]);
  });

  it('a Z-segment or unknown segment before the first message is not named; a standard one is', () => {
    const r = read(['BHS|^~\\&', 'ZPI|secret', 'NTE|1', ...message('1'), 'BTS|1'].join('\r'));
    expect(r.problems.map((p) => [p.code, p.segment])).toEqual([
      ['segment-before-message', undefined],
      ['segment-before-message', 'NTE'],
    ]);
    expect(r.looseSegments.map((s) => s.name)).toEqual(['ZPI', 'NTE']);
  });
});

describe('a file cut short', () => {
  const whole = ['FHS|^~\\&|EHR', 'BHS|^~\\&|EHR', ...message('1'), ...message('2'), 'BTS|2', 'FTS|1'].join('\r') + '\r';

  it('in the middle of a segment inside a batch: named as cut, not as missing trailers', () => {
    const cut = whole.slice(0, whole.indexOf('RXA', whole.indexOf('MSH', whole.indexOf('MSH') + 1)) + 12);
    const r = read(cut);
    expect(r.endsMidSegment).toBe(true);
    expect(r.problems).toEqual([{ code: 'truncated', line: 8, offset: cut.lastIndexOf('RXA'), missing: ['BTS', 'FTS'], cut: 'inside-batch', segment: 'RXA' }]);
  });

  it('at every byte of the file, the reader says so or the file is whole', () => {
    for (let end = 1; end < whole.length - 1; end += 1) {
      // Cut after `FTS` or `FTS|`, the file is a whole one whose trailer gives no count (FTS-1 is optional).
      if (/\rFTS\|?$/.test(whole.slice(0, end))) continue;
      const r = read(whole.slice(0, end));
      const said = codes(r);
      if (r.kind !== 'hl7') continue; // the first bytes of "FHS" are not HL7 yet
      const cutShort = said.includes('truncated') || (said.includes('bts-missing') || said.includes('fts-missing'));
      expect(cutShort, `cut after ${end} bytes: ${said.join(', ')}`).toBe(true);
    }
    expect(read(whole).problems).toEqual([]);
    expect(read(whole.slice(0, -1)).problems).toEqual([]); // the FTS without its CR is whole
  });

  it('right after a message header, and in the middle of a segment name, in a file of bare messages', () => {
    const bare = message('1').join('\r') + '\r';
    expect(read(bare + msh('2')).problems).toEqual([
      { code: 'truncated', line: 4, offset: bare.length, missing: [], cut: 'after-header', segment: 'MSH' },
    ]);
    expect(read(`${bare}${msh('2')}\rPI`).problems.map((p) => [p.code, p.cut])).toEqual([
      ['segment-name', undefined],
      ['truncated', 'inside-name'],
    ]);
    // A bare file's last RXA without a line end may be whole: nothing to say.
    expect(read(bare.slice(0, -1)).problems).toEqual([]);
  });

  it('after a whole segment: the missing trailers are named', () => {
    const cut = whole.slice(0, whole.indexOf('BTS'));
    expect(read(cut).problems.map((p) => [p.code, p.openedOnLine])).toEqual([
      ['bts-missing', 2],
      ['fts-missing', undefined],
    ]);
  });
});

describe('reading in chunks', () => {
  const tricky = [
    '\u00ef\u00bb\u00bf\u000bFHS|^~\\&|EHR',
    'BHS|^~\\&|EHR',
    ...message('1'),
    '\u001c',
    `\u000b\u000c${msh('2')}`,
    `${PID}\u001c`,
    'NTE|1||a\u001ab',
    'MSH#$%*@#EHR#####VXU$V04#3#P#2.5.1',
    'PID#1',
    'continued text',
    'BTS|2',
    'FTS|1',
    'RXA|0|1|2026',
  ].join('\r\n');

  it('gives the same result for every chunk size, streaming and whole', () => {
    const bytes = Buffer.from(tricky, 'latin1');
    const whole = readHl7(bytes);
    expect(whole.problems.map((p) => p.code).sort()).toEqual(
      ['after-file-trailer', 'bts-count', 'byte-order-mark', 'control-character', 'mllp-framing', 'segment-name'].sort(),
    );
    for (const chunkSize of [1, 2, 3, 4, 5, 7, 13, 64]) {
      expect(readInChunks(bytes, chunkSize, { keep: true }), `whole, chunk size ${chunkSize}`).toEqual(whole);
      expect(summary(readInChunks(bytes, chunkSize)), `streaming, chunk size ${chunkSize}`).toEqual(summary(whole));
    }
  });

  it('keeps a chosen number of problems of each kind and counts them all', () => {
    const lines = [...message('1'), ...Array.from({ length: 250 }, () => 'continued text')];
    const r = new Hl7Reader({ maxProblemsPerCode: 10 });
    r.push(Buffer.from(lines.join('\r')));
    const result = r.end();
    expect(result.problems).toHaveLength(10);
    expect(result.problemCounts).toEqual({ 'segment-name': 250 });
    expect(read(lines.join('\r')).problems).toHaveLength(100);
  });

  it('a streaming read keeps no segments', () => {
    const r = readInChunks(Buffer.from(message('1').join('\r')), 1000);
    expect(r).toMatchObject({ messageCount: 1, messages: [], batches: [], fileHeader: null, looseSegments: [] });
  });
});
