// Typing a name's first letters in a file list goes to that name (issue 18: a folder of 20,000 files
// from the keyboard), as Explorer and Finder do.
import { describe, expect, it } from 'vitest';
import { typedRow } from '../../../renderer/src/type-ahead';

const names = ['Archive', 'export_00001.txt', 'export_00002.txt', 'Old exports', 'PRAC01_01.HL7', 'PRAC01_02.HL7', 'PRAC01_03.HL7'];

describe('type-ahead in a file list', () => {
  it('goes to the first name that starts with the letters typed, case aside', () => {
    expect(typedRow(names, 'p', 0)).toBe(4);
    expect(typedRow(names, 'PRAC01_02', 0)).toBe(5);
    expect(typedRow(names, 'export_00002', 0)).toBe(2);
  });

  it('steps through the names that start with one letter typed again and again, round to the top', () => {
    expect(typedRow(names, 'pp', 4)).toBe(5);
    expect(typedRow(names, 'ppp', 5)).toBe(6);
    expect(typedRow(names, 'pppp', 6)).toBe(4);
    // A single letter from the row it is on goes to the next one starting with it, as Explorer does.
    expect(typedRow(names, 'e', 1)).toBe(2);
  });

  it('searches on from the row it is on, and round to the top', () => {
    expect(typedRow(names, 'a', 5)).toBe(0);
    expect(typedRow(names, 'ex', 2)).toBe(2);
  });

  it('goes nowhere when no name starts with the letters', () => {
    expect(typedRow(names, 'zz top', 0)).toBe(-1);
    expect(typedRow([], 'a', 0)).toBe(-1);
  });
});
