// A small PDF 1.4 writer for text pages, so the DQA report can be offered as PDF without a
// dependency: the report is lines of text, and the standard 14 fonts (Helvetica for the title and
// page numbers, Courier for the fixed-width tables) need no embedding. Content streams are left
// uncompressed: a few kilobytes per page, and their text can be searched as written.
//
// Layout: US Letter, half-inch margins, Courier 7.5 pt (120 characters a line; longer lines wrap
// with an indent), WinAnsiEncoding (Latin-1 and the usual typographic marks; anything else is '?').

const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const MARGIN = 36;
const BODY_SIZE = 7.5;
const LEADING = 9.5;
const TITLE_SIZE = 12;
/** Courier's characters are 0.6 em wide. */
const COLUMNS = Math.floor((PAGE_WIDTH - 2 * MARGIN) / (0.6 * BODY_SIZE));
const FIRST_BODY_Y = PAGE_HEIGHT - MARGIN - TITLE_SIZE - 10;
const LAST_BODY_Y = MARGIN + 18;
const LINES_PER_PAGE = Math.floor((FIRST_BODY_Y - LAST_BODY_Y) / LEADING) + 1;

export interface PdfDocument {
  title: string;
  /** Lines of text, as the text report has them. */
  lines: string[];
  /** The document's date (its CreationDate); the report's receipt time, so the bytes depend on nothing else. */
  date: Date;
  producer: string;
}

export function writePdf(document: PdfDocument): Buffer {
  const wrapped = document.lines.flatMap(wrap);
  const pages: string[][] = [];
  for (let i = 0; i < wrapped.length; i += LINES_PER_PAGE) pages.push(wrapped.slice(i, i + LINES_PER_PAGE));
  if (pages.length === 0) pages.push([]);

  // Object numbers: 1 catalog, 2 pages, 3-5 fonts, 6 info, then a page and its contents per page.
  const fontRefs = { title: 3, body: 4, small: 5 };
  const pageObject = (i: number) => 7 + 2 * i;
  const contentObject = (i: number) => 8 + 2 * i;
  const objects: Buffer[] = [];
  objects[1] = dictionary('<< /Type /Catalog /Pages 2 0 R >>');
  objects[2] = dictionary(`<< /Type /Pages /Kids [${pages.map((_, i) => `${pageObject(i)} 0 R`).join(' ')}] /Count ${pages.length} >>`);
  objects[3] = dictionary('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  objects[4] = dictionary('<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>');
  objects[5] = dictionary('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  objects[6] = Buffer.concat([
    Buffer.from('<< /Title ', 'latin1'),
    pdfString(document.title),
    Buffer.from(' /Producer ', 'latin1'),
    pdfString(document.producer),
    Buffer.from(` /CreationDate (D:${pdfDate(document.date)}) >>`, 'latin1'),
  ]);
  pages.forEach((lines, i) => {
    objects[pageObject(i)] = dictionary(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] /Resources << /Font << /F1 ${fontRefs.title} 0 R /F2 ${fontRefs.body} 0 R /F3 ${fontRefs.small} 0 R >> >> /Contents ${contentObject(i)} 0 R >>`,
    );
    const parts: Buffer[] = [];
    const text = (s: string) => parts.push(Buffer.from(s, 'latin1'));
    text(`BT /F1 ${TITLE_SIZE} Tf ${MARGIN} ${PAGE_HEIGHT - MARGIN - TITLE_SIZE} Td `);
    parts.push(pdfString(document.title));
    text(' Tj ET\n');
    text(`BT /F2 ${BODY_SIZE} Tf ${LEADING} TL ${MARGIN} ${FIRST_BODY_Y} Td\n`);
    for (const line of lines) {
      parts.push(pdfString(line));
      text(' Tj T*\n');
    }
    text('ET\n');
    text(`BT /F3 8 Tf ${MARGIN} ${MARGIN} Td `);
    parts.push(pdfString(`Page ${i + 1} of ${pages.length}`));
    text(' Tj ET\n');
    const content = Buffer.concat(parts);
    objects[contentObject(i)] = Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`, 'latin1'), content, Buffer.from('\nendstream', 'latin1')]);
  });

  // The file: header (with a comment of high bytes, so tools treat it as binary), objects, the
  // cross-reference table of their byte offsets, the trailer.
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n', 'latin1')];
  let offset = chunks[0]!.length;
  const offsets: number[] = [];
  for (let n = 1; n < objects.length; n += 1) {
    offsets[n] = offset;
    const body = Buffer.concat([Buffer.from(`${n} 0 obj\n`, 'latin1'), objects[n] as Buffer, Buffer.from('\nendobj\n', 'latin1')]);
    chunks.push(body);
    offset += body.length;
  }
  const xrefAt = offset;
  const xref = [`xref\n0 ${objects.length}\n`, '0000000000 65535 f \n', ...offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  chunks.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(chunks);
}

function dictionary(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Long lines wrapped at a space where one is near the end, continuation lines indented. */
function wrap(line: string): string[] {
  if (line.length <= COLUMNS) return [line];
  const out: string[] = [];
  let rest = line;
  let first = true;
  while (rest.length > 0) {
    const width = first ? COLUMNS : COLUMNS - 4;
    if (rest.length <= width) {
      out.push(first ? rest : `    ${rest}`);
      break;
    }
    let cut = rest.lastIndexOf(' ', width);
    if (cut < width / 2) cut = width;
    out.push(first ? rest.slice(0, cut) : `    ${rest.slice(0, cut)}`);
    rest = rest.slice(cut).replace(/^ +/, '');
    first = false;
  }
  return out;
}

/** WinAnsiEncoding's bytes above 0x7F that are not Latin-1's. */
const WIN_ANSI: Record<string, number> = {
  '\u20ac': 0x80,
  '\u2026': 0x85,
  '\u2018': 0x91,
  '\u2019': 0x92,
  '\u201c': 0x93,
  '\u201d': 0x94,
  '\u2022': 0x95,
  '\u2013': 0x96,
  '\u2014': 0x97,
};

/** A PDF literal string: ( ) and \ escaped, characters in WinAnsiEncoding, '?' for the rest. */
export function pdfString(text: string): Buffer {
  const bytes: number[] = [0x28];
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    let byte: number;
    if (code >= 0x20 && code <= 0x7e) byte = code;
    else if (code >= 0xa0 && code <= 0xff) byte = code;
    else byte = WIN_ANSI[ch] ?? 0x3f;
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) bytes.push(0x5c);
    bytes.push(byte);
  }
  bytes.push(0x29);
  return Buffer.from(bytes);
}

function pdfDate(at: Date): string {
  return at.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}
