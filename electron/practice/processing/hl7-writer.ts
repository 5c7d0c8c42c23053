// Writing HL7 v2 text with the standard delimiters (| ^ ~ \ &): values escaped as HL7 requires,
// segments ended with CR as the standard says.

/** Escapes a value for a field, component or subcomponent written with the standard delimiters. */
export function escapeHl7(text: string): string {
  let out = '';
  for (const ch of text) {
    switch (ch) {
      case '\\':
        out += '\\E\\';
        break;
      case '|':
        out += '\\F\\';
        break;
      case '^':
        out += '\\S\\';
        break;
      case '&':
        out += '\\T\\';
        break;
      case '~':
        out += '\\R\\';
        break;
      case '\r':
      case '\n':
        out += '\\.br\\';
        break;
      default:
        // Other control characters have no place in HL7 text.
        out += ch < ' ' || ch === '\u007f' ? ' ' : ch;
    }
  }
  return out;
}

/** Components joined with ^, each escaped; trailing empty ones dropped. */
export function composite(...parts: (string | number | null | undefined)[]): string {
  const texts = parts.map((part) => (part === null || part === undefined ? '' : escapeHl7(String(part))));
  while (texts.length > 0 && texts[texts.length - 1] === '') texts.pop();
  return texts.join('^');
}

/** A segment from its name and fields 1..n (already escaped); trailing empty fields dropped. */
export function segment(name: string, ...fields: string[]): string {
  const list = [...fields];
  while (list.length > 0 && list[list.length - 1] === '') list.pop();
  return [name, ...list].join('|');
}

/** HL7's TS in UTC: 20261203092458+0000. */
export function hl7Timestamp(at: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(at.getUTCFullYear(), 4)}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}+0000`;
}
