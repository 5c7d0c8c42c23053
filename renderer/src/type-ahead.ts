// Typing a name's first letters in a file list goes to that name, as in Explorer and Finder: the
// quickest way through a folder of 20,000 files from the keyboard (issue 18). Letters typed within a
// second of each other make one search; the same letter again goes on to the next name that starts
// with it.

/** Letters typed further apart than this start a new search. */
export const TYPE_AHEAD_PAUSE_MS = 1000;

/**
 * The row to go to for `typed` (case aside), searching from the row `from` on and round to the top;
 * -1 when no name starts with it. One letter repeated ("ppp") steps through the names starting with
 * that letter, as file managers do.
 */
export function typedRow(names: readonly string[], typed: string, from: number): number {
  if (typed === '' || names.length === 0) return -1;
  const lower = typed.toLocaleLowerCase();
  const repeated = [...lower].every((c) => c === lower[0]);
  // A new search starts at the row it is on (it may match already); a repeated letter at the next.
  const prefix = repeated && lower.length > 1 ? (lower[0] as string) : lower;
  const start = repeated ? from + 1 : from;
  for (let step = 0; step < names.length; step += 1) {
    const index = (((start + step) % names.length) + names.length) % names.length;
    if ((names[index] as string).toLocaleLowerCase().startsWith(prefix)) return index;
  }
  return -1;
}
