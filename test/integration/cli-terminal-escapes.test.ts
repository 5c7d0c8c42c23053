// Names a server chose reach the clinic's terminal through the command line (issue 11, item 4). A
// hostile or broken registry server can name a file with ESC and BEL sequences (set the window's
// title, clear the screen), carriage returns and line feeds (forge a line), C1 controls and
// bidirectional overrides. The built `registry-transfer` run against a real OpenSSH sshd shows each
// such character escaped in its text output, and JSON output stays exact and terminal-safe.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../support/cli-runner';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';


/** What a terminal acts on instead of showing; only the CLI's own line feeds may be in its output. */
const ACTED_ON = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const HOSTILE_NAMES = {
  title: '\u001b]0;All files accepted\u0007report.txt',
  clear: '\u001b[2J\u001b[Hclear.txt',
  forged: 'x.txt\nregistry-transfer: all 12 files were accepted',
  overwrite: 'bad.txt\rgood.txt',
  csi: 'c1\u009b31mred.txt',
  bidi: 'invoice\u202Etxt.exe',
};

let server: SshServer;
let scratch: string;
let profileFile: string;

const run = (args: string[]) => runCli(args, cliEnv(scratch, server.home.password));

const listArgs = (...more: string[]) => [
  'list',
  'DQA-Report',
  ...more,
  '--profile',
  profileFile,
  '--user',
  server.home.username,
  '--password-env',
  'RT_PASSWORD',
  '--data-dir',
  join(scratch, 'data'),
  '--trust',
  server.fingerprint,
  '--timeout',
  '30',
];

beforeAll(async () => {
  server = await startSshd({ tag: 'GE' });
  scratch = mkdtempSync(join(tmpdir(), 'rt-cli-escapes-'));
  profileFile = join(scratch, 'texas-test.json');
  writeFileSync(profileFile, JSON.stringify(localTexasProfile(server.port)));
  for (const name of Object.values(HOSTILE_NAMES)) writeFileSync(join(server.home.accountDir, 'DQA-Report', name), 'report\n');
});

afterAll(async () => {
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('registry-transfer and names a server chose', () => {
  it('lists them with every control character shown escaped: no title set, no screen cleared, no forged line', async () => {
    const result = await run(listArgs());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(ACTED_ON);
    expect(result.stdout).toContain('\\x1B]0;All files accepted\\x07report.txt');
    expect(result.stdout).toContain('\\x1B[2J\\x1B[Hclear.txt');
    expect(result.stdout).toContain('x.txt\\x0Aregistry-transfer: all 12 files were accepted');
    expect(result.stdout).toContain('bad.txt\\x0Dgood.txt');
    expect(result.stdout).toContain('c1\\x9B31mred.txt');
    expect(result.stdout).toContain('invoice\\u202Etxt.exe');
    // The forged text is inside its listing line, never a line of its own.
    expect(result.stdout.split('\n').filter((line) => line.startsWith('registry-transfer:'))).toEqual([]);
  });

  it('gives the exact names in --json, with nothing in the document a terminal would act on', async () => {
    const result = await run(listArgs('--json'));
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(ACTED_ON);
    const document = JSON.parse(result.stdout) as { folders: { entries: { name: string }[] }[] };
    const names = document.folders.flatMap((f) => f.entries.map((e) => e.name));
    for (const name of Object.values(HOSTILE_NAMES)) expect(names).toContain(name);
  });
});
