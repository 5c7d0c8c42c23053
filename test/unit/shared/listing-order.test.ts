// The first page of a big folder is picked out without sorting it all (issue 18): it must be exactly
// the first entries of the whole folder sorted, for every kind of name a clinic's folders hold.
import { describe, expect, it } from 'vitest';
import type { EntryKind } from '../../../shared/contract';
import { compareListed, firstInListingOrder } from '../../../shared/listing-order';

type Named = { name: string; kind: EntryKind };

/** A folder's names as a disk gives them: in no order, of every sort a clinic's export folder holds. */
function folderOf(size: number, seed: number): Named[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const stems = ['PRAC01_', 'prac01_', 'report', 'Report', 'ÄRZTE', 'zeta', 'alpha', 'file', 'File', '', '.hidden', '_ack', 'дети', '東京'];
  const names = new Set<string>();
  while (names.size < size) {
    const stem = stems[Math.floor(next() * stems.length)] as string;
    names.add(`${stem}${Math.floor(next() * 200)}${next() < 0.5 ? '.hl7' : '.HL7'}`);
  }
  return [...names].map((name) => ({ name, kind: next() < 0.1 ? 'folder' : next() < 0.05 ? 'other' : 'file' }));
}

describe('firstInListingOrder', () => {
  it('gives the first entries of the folder in listing order, as a full sort would', () => {
    for (const seed of [1, 2, 3]) {
      const folder = folderOf(2000, seed);
      const sorted = [...folder].sort(compareListed);
      for (const count of [1, 2, 7, 300, 1999]) {
        expect(firstInListingOrder(folder, count).map((n) => n.name)).toEqual(sorted.slice(0, count).map((n) => n.name));
      }
    }
  });

  it('puts folders first and numbers by value (file9 before file10)', () => {
    const folder: Named[] = [
      { name: 'file10.hl7', kind: 'file' },
      { name: 'Zeta', kind: 'folder' },
      { name: 'file9.hl7', kind: 'file' },
      { name: 'Accepted', kind: 'folder' },
      { name: 'file1.hl7', kind: 'file' },
    ];
    expect(firstInListingOrder(folder, 4).map((n) => n.name)).toEqual(['Accepted', 'Zeta', 'file1.hl7', 'file9.hl7']);
  });

  it('takes a whole folder, or more than it holds, as a full sort, and nothing for none', () => {
    const folder = folderOf(50, 4);
    const sorted = [...folder].sort(compareListed).map((n) => n.name);
    expect(firstInListingOrder(folder, 50).map((n) => n.name)).toEqual(sorted);
    expect(firstInListingOrder(folder, 300).map((n) => n.name)).toEqual(sorted);
    expect(firstInListingOrder(folder, 0)).toEqual([]);
    expect(firstInListingOrder([], 300)).toEqual([]);
  });

  it('leaves the folder it is given as it was', () => {
    const folder = folderOf(500, 5);
    const before = folder.map((n) => n.name);
    firstInListingOrder(folder, 20);
    firstInListingOrder(folder, 500);
    expect(folder.map((n) => n.name)).toEqual(before);
  });
});
