// The 0-100 scores a data quality report carries (completeness, quality, timeliness and overall, the
// OIS DQA model Texas ImmTrac2 uses), found in its text, HTML, CSV or JSON. A score is taken only
// where the report states it next to its name; a report that states none gives null. Nothing is
// computed or guessed here.
//
// Where they stand:
// - text (the practice registry's `_DQA.txt`, and reports of that kind): a line that starts with the
//   name, then the number: `Completeness                        86  Good`, `Quality score: 90`,
//   `Timeliness = 75%`. Mid-sentence mentions (`completeness 50%` in a heading that gives the model's
//   weights) do not count: the name must open the line;
// - HTML: the same, once the tags are taken out cell by cell (`<td>Overall</td><td>84</td>`);
// - CSV: a column named after a score (first data row), or a row whose first cell names one and whose
//   next cell is the number;
// - JSON (a registry's tool, MQE-style): a key named after a score (`completeness`, `qualityScore`...)
//   with a number, anywhere in the document.
// A PDF's text is not read here: a registry that sends a PDF sends its text or HTML beside it.
import type { ReportScores, ReportView } from '../../../shared/contract';

const NAMES = ['overall', 'completeness', 'quality', 'timeliness'] as const;
type ScoreName = (typeof NAMES)[number];

const LINE = /^[ \t]*(overall|completeness|quality|timeliness)(?:[ \t]+score)?[ \t]*[:=]?[ \t]+(\d{1,3}(?:\.\d+)?)[ \t]*(%|\/[ \t]*100\b|points?\b)?(?![\d.])/i;

function empty(): Record<ScoreName, number | null> {
  return { overall: null, completeness: null, quality: null, timeliness: null };
}

/** A score as stated, or null when it is no 0-100 value. */
function score(text: string): number | null {
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 && value <= 100 ? value : null;
}

function result(found: Record<ScoreName, number | null>): ReportScores | null {
  return NAMES.some((n) => found[n] !== null) ? { completeness: found.completeness, quality: found.quality, timeliness: found.timeliness, overall: found.overall } : null;
}

export function scoresInText(text: string): ReportScores | null {
  const found = empty();
  for (const line of text.split(/\r\n|\r|\n/)) {
    const match = LINE.exec(line);
    if (!match) continue;
    const name = match[1]!.toLowerCase() as ScoreName;
    if (found[name] === null) found[name] = score(match[2]!);
  }
  return result(found);
}

/** HTML as lines of text: a cell's end is a space, a row's or a block's end a new line; tags dropped. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\/(td|th)\s*>/gi, ' ')
    .replace(/<(br|\/tr|\/p|\/div|\/h[1-6]|\/li|\/table|\/caption)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n');
}

export function scoresInCsv(header: string[], rows: string[][]): ReportScores | null {
  const found = empty();
  const nameOf = (cell: string | undefined) => {
    const match = /^\s*(overall|completeness|quality|timeliness)(?:[ _]?score)?\s*$/i.exec(cell ?? '');
    return match ? (match[1]!.toLowerCase() as ScoreName) : null;
  };
  const first = rows[0];
  header.forEach((cell, i) => {
    const name = nameOf(cell);
    if (name && first && found[name] === null) found[name] = score((first[i] ?? '').replace(/%$/, '').trim());
  });
  for (const row of [header, ...rows]) {
    const name = nameOf(row[0]);
    if (name && found[name] === null && row[1] !== undefined && /^\s*\d{1,3}(\.\d+)?\s*%?\s*$/.test(row[1])) found[name] = score(row[1].replace('%', '').trim());
  }
  return result(found);
}

export function scoresInJson(text: string): ReportScores | null {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return null;
  }
  const found = empty();
  const visit = (node: unknown, depth: number) => {
    if (depth > 20 || node === null || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
      const match = /^(overall|completeness|quality|timeliness)(?:_?score)?$/i.exec(key);
      if (match && typeof child === 'number') {
        const name = match[1]!.toLowerCase() as ScoreName;
        if (found[name] === null) found[name] = score(String(child));
      } else {
        visit(child, depth + 1);
      }
    }
  };
  visit(document, 0);
  return result(found);
}

/** The scores a report's view carries, or null. */
export function reportScores(view: ReportView): ReportScores | null {
  switch (view.kind) {
    case 'text': {
      const start = view.text.trimStart();
      if (start.startsWith('{') || start.startsWith('[')) return scoresInJson(view.text);
      return scoresInText(view.text);
    }
    case 'html':
      return scoresInText(htmlToText(view.html));
    case 'csv':
      return scoresInCsv(view.header, view.rows);
    case 'pdf':
    case 'ack':
      return null;
  }
}
