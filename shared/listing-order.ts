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

/**
 * The first `count` of `items` in listing order, without sorting them all: the first page of a folder
 * of 20,000 names is ready after about one comparison a name instead of fourteen (a full sort with
 * the collator took 40 ms of the 100 ms a folder has to open in). A max-heap of the `count` first
 * names so far, its root the last of them, the one a new name has to come before. Written here
 * rather than taken from a package: it is these few lines over `compareListed`.
 */
export function firstInListingOrder<T extends { name: string; kind: EntryKind }>(items: readonly T[], count: number): T[] {
  if (count >= items.length) return [...items].sort(compareListed);
  const heap: T[] = [];
  if (count <= 0) return heap;
  const after = (i: number, j: number) => compareListed(heap[i] as T, heap[j] as T) > 0;
  const swap = (i: number, j: number) => {
    const held = heap[i] as T;
    heap[i] = heap[j] as T;
    heap[j] = held;
  };
  for (const item of items) {
    if (heap.length < count) {
      heap.push(item);
      for (let i = heap.length - 1, up = (i - 1) >> 1; i > 0 && after(i, up); i = up, up = (i - 1) >> 1) swap(i, up);
    } else if (compareListed(item, heap[0] as T) < 0) {
      heap[0] = item;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let last = i;
        if (left < count && after(left, last)) last = left;
        if (right < count && after(right, last)) last = right;
        if (last === i) break;
        swap(i, last);
        i = last;
      }
    }
  }
  return heap.sort(compareListed);
}
