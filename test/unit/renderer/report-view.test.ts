// The report viewer's plain logic (issue 14, item 2): a CSV column sorted as numbers when it holds
// numbers and as words otherwise (empty cells last, ties in the file's order), the sort a header
// click moves to, search counts and highlight pieces, an ACK's lines for a search, and the frame
// document an HTML report is shown in.
import { describe, expect, it } from 'vitest';
import type { AckSummary } from '../../../shared/contract';
import { ackLines, countMatches, framedReport, isNumberColumn, matches, nextColumnSort, sortRows, splitMatches } from '../../../renderer/src/report-view';

const rows = [
  ['PID-7', '10', 'b'],
  ['RXA-5', '9', ''],
  ['PID-5', '100', 'a'],
  ['OBX-3', '', 'c'],
  ['RXA-3', '9.5', 'a'],
];

describe('sorting a CSV column', () => {
  it('sorts a column of numbers as numbers, empty cells last both ways', () => {
    expect(isNumberColumn(rows, 1)).toBe(true);
    expect(sortRows(rows, { column: 1, direction: 'ascending' }).map((r) => r[1])).toEqual(['9', '9.5', '10', '100', '']);
    expect(sortRows(rows, { column: 1, direction: 'descending' }).map((r) => r[1])).toEqual(['100', '10', '9.5', '9', '']);
  });
  it('sorts words in any letter case with numbers inside them in order, ties in the file\'s order', () => {
    expect(isNumberColumn(rows, 0)).toBe(false);
    expect(sortRows(rows, { column: 0, direction: 'ascending' }).map((r) => r[0])).toEqual(['OBX-3', 'PID-5', 'PID-7', 'RXA-3', 'RXA-5']);
    expect(sortRows(rows, { column: 2, direction: 'ascending' }).map((r) => r[0])).toEqual(['PID-5', 'RXA-3', 'PID-7', 'OBX-3', 'RXA-5']);
    expect(sortRows(rows, null)).toEqual(rows);
  });
  it('moves from ascending to descending to the file\'s order, and starts over on another column', () => {
    expect(nextColumnSort(null, 2)).toEqual({ column: 2, direction: 'ascending' });
    expect(nextColumnSort({ column: 2, direction: 'ascending' }, 2)).toEqual({ column: 2, direction: 'descending' });
    expect(nextColumnSort({ column: 2, direction: 'descending' }, 2)).toBeNull();
    expect(nextColumnSort({ column: 2, direction: 'descending' }, 0)).toEqual({ column: 0, direction: 'ascending' });
  });
});

describe('searching', () => {
  it('finds words in any letter case, counts them, and cuts the text for highlighting', () => {
    expect(matches('Patient birth date is missing', 'BIRTH')).toBe(true);
    expect(matches('anything', '   ')).toBe(true);
    expect(countMatches('aaa Aa', 'aa')).toBe(2);
    expect(countMatches('text', '')).toBe(0);
    expect(splitMatches('PID-7 and pid-7', 'pid-7')).toEqual([
      { text: 'PID-7', found: true },
      { text: ' and ', found: false },
      { text: 'pid-7', found: true },
    ]);
  });

  it('keeps an ACK message with its errors when the message or one of its errors is found', () => {
    const ack: AckSummary = {
      batchWrapped: false,
      totals: { messages: 2, accepted: 1, errors: 1, rejected: 0, unknown: 0 },
      commonErrors: [],
      truncated: false,
      messages: [
        { controlId: 'M1', outcome: 'accepted', text: '', errors: [] },
        {
          controlId: 'M2',
          outcome: 'errors',
          text: '',
          errors: [{ location: 'PID-7', hl7Code: '101', hl7Text: 'Required field missing', severity: 'W', applicationCode: null, applicationText: null, message: 'Birth date missing' }],
        },
      ],
    };
    expect(ackLines(ack, '').map((l) => l.kind)).toEqual(['message', 'message', 'error']);
    expect(ackLines(ack, 'birth').map((l) => (l.kind === 'message' ? l.message.controlId : 'error'))).toEqual(['M2', 'error']);
    expect(ackLines(ack, 'warning')).toHaveLength(2);
    expect(ackLines(ack, 'm1').map((l) => l.kind)).toEqual(['message']);
  });
});

describe('the frame of an HTML report', () => {
  it('puts its own policy first: no script, no connection, no form target', () => {
    const doc = framedReport('<h1>Report</h1><script>alert(1)</script>');
    expect(doc.startsWith('<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src \'none\';')).toBe(true);
    expect(doc).toContain("form-action 'none'");
    expect(doc.endsWith('<h1>Report</h1><script>alert(1)</script>')).toBe(true);
  });
});
