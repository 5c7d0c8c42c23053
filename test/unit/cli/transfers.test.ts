// The decisions `upload` and `download` make without a server: what the command line means, which
// warnings stop a file, what a run's exit status is, which files a pattern names, and what a
// terminal's progress line says.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteEntry, UploadCheck, UploadCheckLine } from '../../../shared/contract';
import { parseCommandLine } from '../../../electron/cli/args';
import { downloadableFiles, findRemoteFile } from '../../../electron/cli/commands/download';
import { blockedBy, checkLineText, SendingProgress, unacceptedWarnings } from '../../../electron/cli/commands/upload';
import { CliError, toCliError } from '../../../electron/cli/errors';
import { EXIT, EXIT_CODE_FOR, fileExitCode, worstExitCode } from '../../../electron/cli/exit-codes';
import { expandFileArguments, wildcardPattern } from '../../../electron/cli/file-args';
import { helpText } from '../../../electron/cli/help';
import { ProgressLine, progressText } from '../../../electron/cli/progress';
import { RemoteError } from '../../../electron/engine/remote/remote-fs';

const usage = (argv: string[]): string => {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('invalid-input');
    return (error as CliError).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('the upload and download command lines', () => {
  it('reads files with spaces, --replace and --accept-warnings for upload', () => {
    const argv = ['upload', 'C:\\Clinic Exports\\ABC123_week 1.HL7', '/srv/out/ABC123_2.HL7', '--profile', 'texas-immtrac2', '--user', 'ABC123', '--replace', '--accept-warnings', '--json'];
    expect(parseCommandLine(argv)).toEqual({
      kind: 'run',
      command: 'upload',
      positionals: ['C:\\Clinic Exports\\ABC123_week 1.HL7', '/srv/out/ABC123_2.HL7'],
      options: { profile: 'texas-immtrac2', user: 'ABC123', replace: true, acceptWarnings: true, json: true },
    });
  });

  it('reads a folder, names and --to for download', () => {
    expect(parseCommandLine(['download', 'DQA-Report', 'A.txt', 'B.txt', '--to', 'C:\\Clinic Reports', '--profile', 'texas-immtrac2'])).toEqual({
      kind: 'run',
      command: 'download',
      positionals: ['DQA-Report', 'A.txt', 'B.txt'],
      options: { profile: 'texas-immtrac2', to: 'C:\\Clinic Reports', json: false },
    });
  });

  it.each([
    [['upload'], /Say which files to send/],
    [['upload', ''], /An empty argument/],
    [['upload', 'a.HL7', '--to', '/tmp'], /upload does not take --to/],
    [['download', '--to', '/tmp'], /Say which folder to download from/],
    [['download', 'DQA-Report'], /Say where to save the files with --to DIR/],
    [['download', 'DQA-Report', '--to', '/tmp', '--replace'], /download does not take --replace/],
    [['list', '--accept-warnings'], /list does not take --accept-warnings/],
    [['upload', 'a.HL7', '--replace=yes'], /--replace does not take a value/],
  ])('refuses %j', (argv, message) => {
    expect(usage(argv)).toMatch(message);
  });

  it('has help for both commands that names their options and the exit statuses', () => {
    expect(parseCommandLine(['help', 'upload'])).toEqual({ kind: 'help', command: 'upload' });
    expect(parseCommandLine(['download', '--help'])).toEqual({ kind: 'help', command: 'download' });
    for (const option of ['--replace', '--accept-warnings', '--password-env VAR', '--trust FINGERPRINT', '--json']) expect(helpText('upload')).toContain(option);
    for (const option of ['--to DIR', '--password-env VAR', '--json', '"name (2).ext"']) expect(helpText('download')).toContain(option);
    for (const text of [helpText(null), helpText('upload'), helpText('download')]) expect(text).toContain('5  refused by the registry (permission denied, or its file quota is full)');
    expect(helpText(null)).toContain('registry-transfer upload FILE...');
    expect(helpText(null)).toContain('registry-transfer download FOLDER [NAME...] --to DIR');
  });
});

const line = (id: UploadCheckLine['id'], severity: UploadCheckLine['severity'], message = `${id} says so.`): UploadCheckLine => ({ id, severity, message });
const checkWith = (lines: UploadCheckLine[]): UploadCheck => ({
  localPath: '/exports/ABC123_1.HL7',
  fileName: 'ABC123_1.HL7',
  size: 100,
  sha256: 'a'.repeat(64),
  messageCount: 3,
  lines,
  canUpload: !lines.some((l) => l.severity === 'error'),
  warningIds: lines.filter((l) => l.severity === 'warning').map((l) => l.id),
});
const none = { replace: false, acceptWarnings: false };

describe('which checks stop a file', () => {
  it('lets a file with only OK lines go', () => {
    expect(blockedBy(checkWith([line('hl7', 'ok'), line('quota', 'ok')]), none)).toBeNull();
  });

  it('stops a file with an error whatever the options, with exit 1, or 5 when the dropoff folder is full', () => {
    const all = { replace: true, acceptWarnings: true };
    expect(blockedBy(checkWith([line('hl7-import-code-missing-0', 'error')]), all)).toEqual({ message: 'Not sent: fix what the checks found, then send it again.', exitCode: 1 });
    expect(blockedBy(checkWith([line('hl7', 'ok'), line('quota', 'error')]), all)?.exitCode).toBe(5);
  });

  it('needs --accept-warnings for a file\'s warnings and for a duplicate of an accepted file, but --replace for a waiting one', () => {
    const warnings = checkWith([line('hl7-bts-count-0', 'warning'), line('duplicate', 'warning'), line('replace', 'warning')]);
    expect(unacceptedWarnings(warnings, none).map((u) => [u.line.id, u.option])).toEqual([
      ['hl7-bts-count-0', '--accept-warnings'],
      ['duplicate', '--accept-warnings'],
      ['replace', '--replace'],
    ]);
    expect(unacceptedWarnings(warnings, { replace: true, acceptWarnings: false }).map((u) => u.line.id)).toEqual(['hl7-bts-count-0', 'duplicate']);
    expect(unacceptedWarnings(warnings, { replace: false, acceptWarnings: true }).map((u) => u.line.id)).toEqual(['replace']);
    expect(unacceptedWarnings(warnings, { replace: true, acceptWarnings: true })).toEqual([]);
  });

  it('says which options would send it', () => {
    expect(blockedBy(checkWith([line('duplicate', 'warning')]), none)?.message).toBe('Not sent: check the warnings above. To send it anyway, run again with --accept-warnings.');
    expect(blockedBy(checkWith([line('replace', 'warning')]), none)?.message).toBe(
      'Not sent: a file of the same name is already waiting in the dropoff folder. To replace it, run again with --replace.',
    );
    expect(blockedBy(checkWith([line('replace', 'warning'), line('hl7-line-feeds-0', 'warning')]), none)?.message).toBe(
      'Not sent: check the warnings above. To send it anyway, run again with --accept-warnings --replace.',
    );
    expect(blockedBy(checkWith([line('replace', 'warning')]), { replace: true, acceptWarnings: false })).toBeNull();
  });

  it('prints each check line behind a plain word', () => {
    expect(checkLineText(line('hl7', 'ok', 'A valid HL7 batch: 3 messages.'))).toBe('  OK       A valid HL7 batch: 3 messages.');
    expect(checkLineText(line('replace', 'warning', 'Already waiting.'))).toBe('  WARNING  Already waiting.');
    expect(checkLineText(line('quota', 'error', 'Full.'))).toBe('  ERROR    Full.');
  });
});

describe('the exit status of a run over several files', () => {
  it('is the worst of the files\', and 0 for none', () => {
    expect(worstExitCode([])).toBe(EXIT.done);
    expect(worstExitCode([0, 0])).toBe(0);
    expect(worstExitCode([0, 1, 0])).toBe(1);
    expect(worstExitCode([1, 5, 0])).toBe(5);
  });

  it('counts a file the engine calls invalid as a failed file, not a usage error', () => {
    expect(fileExitCode('invalid-input')).toBe(1);
    expect(fileExitCode('permission-denied')).toBe(5);
    expect(fileExitCode('internal')).toBe(1);
    expect(fileExitCode('cancelled')).toBe(1);
  });
});

describe('expandFileArguments', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rt file args '));
    for (const name of ['ABC123_b.HL7', 'ABC123_a.HL7', 'ABC123_c.hl7', 'notes.txt', '.ABC123_hidden.HL7']) writeFileSync(join(dir, name), 'x');
    mkdirSync(join(dir, 'ABC123_folder.HL7'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves plain paths against the working folder, keeping spaces', async () => {
    expect(await expandFileArguments(['ABC123_a.HL7', join(dir, 'missing file.HL7')], dir, 'linux')).toEqual([join(dir, 'ABC123_a.HL7'), join(dir, 'missing file.HL7')]);
  });

  it('matches * and ? in the file name, in name order, files only, no hidden files', async () => {
    expect(await expandFileArguments([join(dir, 'ABC123_*.HL7')], '/', 'linux')).toEqual([join(dir, 'ABC123_a.HL7'), join(dir, 'ABC123_b.HL7')]);
    expect(await expandFileArguments(['ABC123_?.HL7'], dir, 'linux')).toEqual([join(dir, 'ABC123_a.HL7'), join(dir, 'ABC123_b.HL7')]);
  });

  it('ignores case where Windows does', async () => {
    expect(await expandFileArguments([join(dir, 'abc123_*.hl7')], '/', 'win32')).toEqual(['a', 'b', 'c'].map((x) => join(dir, `ABC123_${x}.${x === 'c' ? 'hl7' : 'HL7'}`)));
  });

  it('keeps a pattern that matches nothing, so it is reported as a missing file, and names a file once', async () => {
    expect(await expandFileArguments([join(dir, 'XYZ*.HL7')], '/', 'linux')).toEqual([join(dir, 'XYZ*.HL7')]);
    expect(await expandFileArguments([join(dir, 'ABC123_a.HL7'), join(dir, 'ABC123_*.HL7')], '/', 'linux')).toEqual([join(dir, 'ABC123_a.HL7'), join(dir, 'ABC123_b.HL7')]);
  });

  it('escapes everything in a pattern but * and ?', () => {
    expect(wildcardPattern('a+b (1).HL7', false).test('a+b (1).HL7')).toBe(true);
    expect(wildcardPattern('a+b (1).HL7', false).test('aab (1)xHL7')).toBe(false);
  });
});

describe('finding the files to download', () => {
  const entry = (name: string, kind: RemoteEntry['kind'] = 'file'): RemoteEntry => ({ name, kind, size: 10, modified: null });
  const listing = [entry('B_DQA.txt'), entry('a_DQA.txt'), entry('old', 'folder'), entry('.upload-0a1b2c3d4e5f.rt-partial'), entry('Report.PDF')];

  it('takes every file but folders and uploads still under their temporary name, in name order', () => {
    expect(downloadableFiles(listing).map((e) => e.name)).toEqual(['a_DQA.txt', 'B_DQA.txt', 'Report.PDF']);
  });

  it('finds a NAME exactly, else by case when only one file matches', () => {
    const files = downloadableFiles(listing);
    expect(findRemoteFile(files, 'Report.PDF')?.name).toBe('Report.PDF');
    expect(findRemoteFile(files, 'report.pdf')?.name).toBe('Report.PDF');
    expect(findRemoteFile(files, 'missing.txt')).toBeNull();
    expect(findRemoteFile([entry('r.txt'), entry('R.TXT')], 'r.Txt')).toBeNull();
  });
});

describe('the progress line', () => {
  it('says how far, how fast and how long is left', () => {
    expect(progressText('sending', 0, 256 * 1024 * 1024, 0)).toBe('  sending  0%  0 B of 256 MB');
    expect(progressText('sending', 128 * 1024 * 1024, 256 * 1024 * 1024, 4)).toBe('  sending  50%  128 MB of 256 MB  32 MB/s  0:04 left');
    expect(progressText('downloading', 3 * 1024, 0, 2)).toBe('  downloading  3.0 KB  1.5 KB/s');
  });

  it('redraws in place at most four times a second, always at the end, and clears itself', () => {
    let now = 1_000;
    const drawn: string[] = [];
    const progress = new ProgressLine({ redraw: (t) => drawn.push(t) }, true, () => now);
    progress.start('sending', 1000);
    progress.update(100);
    now += 100;
    progress.update(200);
    now += 200;
    progress.update(300);
    now += 10;
    progress.update(1000);
    progress.clear();
    expect(drawn).toEqual(['\r  sending  10%  100 B of 1000 B\x1b[K', '\r  sending  30%  300 B of 1000 B\x1b[K', '\r  sending  100%  1000 B of 1000 B\x1b[K', '\r\x1b[K']);
  });

  it('shows files sent at once on the one line, their bytes together, and clears it when the last is done', () => {
    let now = 1_000;
    const drawn: string[] = [];
    const sending = new SendingProgress(new ProgressLine({ redraw: (t) => drawn.push(t) }, true, () => now));
    const a = sending.for(0);
    const b = sending.for(1);
    a.start(600);
    b.start(400);
    a.update(300);
    now += 300;
    b.update(400);
    b.stop();
    now += 300;
    a.update(600);
    expect(drawn).toEqual(['\r  sending  30%  300 B of 1000 B\x1b[K', '\r  sending  70%  700 B of 1000 B\x1b[K', '\r  sending  100%  1000 B of 1000 B\x1b[K']);
    a.stop();
    expect(drawn.at(-1)).toBe('\r\x1b[K');
    // The next file starts a line of its own.
    const c = sending.for(2);
    c.start(50);
    c.update(50);
    expect(drawn.at(-1)).toBe('\r  sending  100%  50 B of 50 B\x1b[K');
  });

  it('prints nothing at all when the output is not a terminal', () => {
    const drawn: string[] = [];
    const progress = new ProgressLine({ redraw: (t) => drawn.push(t) }, false);
    progress.start('sending', 10);
    progress.update(10);
    progress.clear();
    expect(drawn).toEqual([]);
  });
});

describe('a registry that wants a new password', () => {
  it('stops a run with exit 4 and says where the password is changed', () => {
    const error = toCliError(new RemoteError('password-change-required', 'The registry asks you to choose a new password before you can sign in.'));
    expect(EXIT_CODE_FOR[error.code]).toBe(4);
    expect(error.message).toBe(
      'The registry asks you to choose a new password before you can sign in. Choose it with registry-transfer change-password (see registry-transfer change-password --help), or sign in once with the desktop app, then run this again.',
    );
  });
});
