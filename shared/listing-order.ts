// The order a folder's entries arrive in, from the engine to the window: folders first (as every file
// manager shows them), then by name as people read names (case aside, numbers by value: file9 before
// file10), with the exact characters as the last word so that no two names tie. The engine sorts a
// listing this way once, so an entry's place in it is its rank by name: the window sorts 20,000 rows
// by size or date with number comparisons alone, and by name not at all (issue 18).
import type { EntryKind } from './contract';

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function compareListed(a: { name: string; kind: EntryKind }, b: { name: string; kind: EntryKind }): number {
  const folders = (a.kind === 'folder' ? 0 : 1) - (b.kind === 'folder' ? 0 : 1);
  if (folders !== 0) return folders;
  return byName.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
