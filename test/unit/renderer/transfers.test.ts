import { describe, expect, it } from 'vitest';
import type { TransferStatus, UploadCheck } from '../../../shared/contract';
import {
  acceptWords,
  bytesWords,
  progressLine,
  refusalWords,
  remedyWords,
  stateWord,
  summarize,
  summaryWords,
  timeLeftWords,
  verdictOf,
} from '../../../renderer/src/transfers';
import { droppedFiles, unknownPathWords } from '../../../renderer/src/drop';

const MB = 1024 * 1024;
const transfer = (over: Partial<TransferStatus>): TransferStatus => ({
  id: 'a',
  direction: 'upload',
  name: 'TXABCD_20261121.HL7',
  folder: 'dropoff',
  state: 'sending',
  bytes: 0,
  total: 0,
  bytesPerSecond: null,
  secondsLeft: null,
  message: '',
  ...over,
});

describe('a transfer in words', () => {
  it.each([
    ['queued', 'upload', 'Waiting'],
    ['sending', 'upload', 'Sending'],
    ['sending', 'download', 'Downloading'],
    ['verifying', 'upload', 'Checking'],
    ['done', 'upload', 'Delivered'],
    ['done', 'download', 'Saved'],
    ['failed', 'upload', 'Failed'],
    ['cancelled', 'download', 'Cancelled'],
  ] as const)('%s %s is "%s"', (state, direction, words) => {
    expect(stateWord({ state, direction })).toBe(words);
  });

  it.each([
    [null, null],
    [0.5, 'almost done'],
    [20, 'about 20 s'],
    [59.4, 'about 59 s'],
    [150, 'about 3 min'],
    [3600, 'about 1 h'],
    [5400, 'about 1 h 30 min'],
  ])('%s seconds left is %s', (seconds, words) => {
    expect(timeLeftWords(seconds)).toBe(words);
  });

  it('shows bytes of the total, the rate and the time left while sending', () => {
    expect(progressLine(transfer({ bytes: 12.4 * MB, total: 256 * MB, bytesPerSecond: 8.1 * MB, secondsLeft: 20 }))).toBe(
      '12 MB of 256 MB · 8.1 MB/s · about 20 s left',
    );
    // Before the engine knows the size, the size the checks found is used.
    expect(progressLine(transfer({ state: 'queued' }), 3 * MB)).toBe('3 MB');
    expect(progressLine(transfer({ state: 'done', bytes: 0, total: 1500 }))).toBe('1.5 KB of 1.5 KB');
    expect(bytesWords(0, 0)).toBe('');
  });

  it('sums a batch for the overall bar, leaving failed and cancelled files out of the bytes', () => {
    const batch = [
      transfer({ id: '1', state: 'done', total: 10 * MB, bytes: 10 * MB }),
      transfer({ id: '2', state: 'sending', total: 20 * MB, bytes: 5 * MB }),
      transfer({ id: '3', state: 'queued' }),
      transfer({ id: '4', state: 'failed', total: 7 * MB, bytes: 1 * MB }),
    ];
    const summary = summarize(batch, { '3': 2 * MB });
    expect(summary).toMatchObject({ count: 4, finished: 2, delivered: 1, failed: 1, bytes: 15 * MB, total: 32 * MB });
    expect(summaryWords(summary)).toBe('2 of 4 files finished (1 failed) · 15 MB of 32 MB');
    expect(summaryWords(summarize([transfer({ state: 'done', total: 41 })]))).toBe('1 file finished · 41 bytes of 41 bytes');
  });
});

describe('folders that do not take files', () => {
  it('say why, and where to drop instead', () => {
    expect(refusalWords({ role: 'reports', name: 'DQA-Report' }, 'HL7-Dropoff')).toBe(
      'DQA-Report is read-only: the registry puts its reports there. Drop files on HL7-Dropoff.',
    );
    expect(refusalWords({ role: 'accepted', name: 'Accepted' }, 'HL7-Dropoff')).toBe(
      'Accepted is read-only: the registry puts the files it has processed there. Drop files on HL7-Dropoff.',
    );
    expect(refusalWords({ role: 'receive', name: 'Receive' }, null)).toBe(
      'Receive is read-only: the registry puts consent notifications there. This account has no folder it may upload to.',
    );
  });
});

describe('the upload checks', () => {
  const check = (over: Partial<UploadCheck>): UploadCheck => ({
    localPath: '/tmp/x.HL7',
    fileName: 'x.HL7',
    size: 10,
    sha256: null,
    messageCount: 1,
    lines: [],
    canUpload: true,
    warningIds: [],
    ...over,
  });

  it('word the choice for each warning, the replace one as the registry would', () => {
    expect(acceptWords('replace')).toBe('Replace the file that is waiting');
    expect(acceptWords('duplicate')).toBe('Send it again anyway');
    expect(acceptWords('hl7-extension-0')).toBe('Send it anyway');
  });

  it('keep a file with an error back, and one with warnings until each is accepted', () => {
    expect(verdictOf(check({}), new Set())).toBe('ready');
    expect(verdictOf(check({ canUpload: false }), new Set())).toBe('blocked');
    const warned = check({ warningIds: ['replace', 'duplicate'] });
    expect(verdictOf(warned, new Set(['replace']))).toBe('needs-choice');
    expect(verdictOf(warned, new Set(['replace', 'duplicate']))).toBe('ready');
  });

  it('say what to do about a missing import code or a broken batch', () => {
    const missing = check({ canUpload: false, lines: [{ id: 'hl7-import-code-missing-0', severity: 'error', message: '…' }] });
    expect(remedyWords(missing, 'TXABCD')).toBe('Rename the file on this computer so its name contains TXABCD, then send it again.');
    const broken = check({ canUpload: false, lines: [{ id: 'hl7-bts-count-0', severity: 'error', message: '…' }] });
    expect(remedyWords(broken, 'TXABCD')).toMatch(/^Correct the file in the program that made it/);
    // The quota message already says what to do.
    expect(remedyWords(check({ canUpload: false, lines: [{ id: 'quota', severity: 'error', message: '…' }] }), null)).toBeNull();
  });
});

describe('what a drop carries', () => {
  const data = (values: Record<string, string>, files: File[] = []) =>
    ({ getData: (type: string) => values[type] ?? '', files, types: Object.keys(values) }) as unknown as DataTransfer;

  it('reads rows dragged from My Computer, one or several', () => {
    expect(droppedFiles(data({ 'application/x-registry-local-path': '/a/b.HL7' }), () => '')).toEqual({ paths: ['/a/b.HL7'], unknown: [] });
    const several = data({ 'application/x-registry-local-path': '/a/b.HL7', 'application/x-registry-local-paths': JSON.stringify(['/a/b.HL7', '/a/c.HL7']) });
    expect(droppedFiles(several, () => '').paths).toEqual(['/a/b.HL7', '/a/c.HL7']);
  });

  it("asks the preload for a system file's path, and names the files it cannot place", () => {
    const placed = { name: 'placed.HL7' } as File;
    const lost = { name: 'lost.HL7' } as File;
    const result = droppedFiles(data({}, [placed, lost]), (file) => (file === placed ? '/home/clinic/placed.HL7' : ''));
    expect(result).toEqual({ paths: ['/home/clinic/placed.HL7'], unknown: ['lost.HL7'] });
    expect(unknownPathWords(result.unknown)).toBe(
      'The app could not tell where lost.HL7 is on this computer, so nothing was sent. Drag it from the My Computer pane, or use “Upload files…”.',
    );
  });
});
