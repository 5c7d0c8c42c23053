import { describe, expect, it } from 'vitest';
import { formatSize, nextSortOrder, sortEntries, type ListedEntry } from '../../../renderer/src/format';
import { compareListed } from '../../../shared/listing-order';

describe('sizes as people read them', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1,023 bytes'],
    [1024, '1 KB'],
    [12 * 1024, '12 KB'],
    [10_200, '10 KB'],
    [1.4 * 1024 * 1024, '1.4 MB'],
    [5 * 1024 ** 3, '5 GB'],
  ])('%d bytes is "%s"', (bytes, words) => {
    expect(formatSize(bytes)).toBe(words);
  });
});

describe('sorting a listing', () => {
  // As a folder listing arrives from the engine: in the listing's order.
  const listed: ListedEntry[] = [
    { name: 'b.HL7', kind: 'file', size: 300, modified: 3 },
    { name: 'Reports', kind: 'folder', size: 0, modified: 1 },
    { name: 'a.HL7', kind: 'file', size: 2000, modified: 1 },
    { name: 'archive', kind: 'folder', size: 0, modified: 2 },
    { name: 'file10.txt', kind: 'file', size: 300, modified: 2 },
    { name: 'file9.txt', kind: 'file', size: 10, modified: 4 },
  ];
  const entries = listed.sort(compareListed);
  const names = (list: ListedEntry[]) => list.map((e) => e.name);

  it('orders a listing folders first, then names in natural order regardless of case', () => {
    expect(names(sortEntries(entries, { key: 'name', direction: 'ascending' }))).toEqual(['archive', 'Reports', 'a.HL7', 'b.HL7', 'file9.txt', 'file10.txt']);
  });

  it('turns the names round on the second click, folders still first', () => {
    expect(names(sortEntries(entries, { key: 'name', direction: 'descending' }))).toEqual(['Reports', 'archive', 'file10.txt', 'file9.txt', 'b.HL7', 'a.HL7']);
  });

  it('keeps folders first when sorting by size either way', () => {
    expect(names(sortEntries(entries, { key: 'size', direction: 'descending' })).slice(2)).toEqual(['a.HL7', 'file10.txt', 'b.HL7', 'file9.txt']);
    expect(names(sortEntries(entries, { key: 'size', direction: 'ascending' })).slice(2)).toEqual(['file9.txt', 'b.HL7', 'file10.txt', 'a.HL7']);
    expect(names(sortEntries(entries, { key: 'size', direction: 'ascending' })).slice(0, 2).sort()).toEqual(['Reports', 'archive']);
  });

  it('sorts by date with the newest first on the first click', () => {
    const order = nextSortOrder({ key: 'name', direction: 'ascending' }, 'modified');
    expect(order).toEqual({ key: 'modified', direction: 'descending' });
    expect(names(sortEntries(entries, order)).slice(2)).toEqual(['file9.txt', 'b.HL7', 'file10.txt', 'a.HL7']);
    expect(nextSortOrder(order, 'modified')).toEqual({ key: 'modified', direction: 'ascending' });
  });
});
