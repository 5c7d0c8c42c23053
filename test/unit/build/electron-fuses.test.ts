// The packaging settings flip Electron's fuses (issue 11, item 5). electron-builder reads them from
// build/electron-builder.yml; this test reads the same file, as a reviewer would, without a YAML
// package: the block is a flat list of `name: true|false` lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const settingsFile = join(__dirname, '..', '..', '..', 'build', 'electron-builder.yml');

function fusesBlock(text: string): Record<string, string> {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => /^electronFuses:\s*$/.test(line));
  if (start < 0) throw new Error('build/electron-builder.yml has no top-level electronFuses block');
  const fuses: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const entry = /^\s+([A-Za-z]+):\s*(\S+)\s*(#.*)?$/.exec(line);
    if (!entry) break;
    const [, name, value] = entry as unknown as [string, string, string];
    if (name in fuses) throw new Error(`electronFuses sets ${name} twice`);
    fuses[name] = value;
  }
  return fuses;
}

describe('Electron fuses in the packaging settings', () => {
  const fuses = fusesBlock(readFileSync(settingsFile, 'utf8'));

  it('cannot be run as a plain Node.js, nor given Node options or a debugger from outside', () => {
    expect(fuses.runAsNode).toBe('false');
    expect(fuses.enableNodeOptionsEnvironmentVariable).toBe('false');
    expect(fuses.enableNodeCliInspectArguments).toBe('false');
  });

  it('loads only the app in its archive, checked against the hash signed into the binary', () => {
    expect(fuses.onlyLoadAppFromAsar).toBe('true');
    expect(fuses.enableEmbeddedAsarIntegrityValidation).toBe('true');
    // Integrity validation needs the archive (and its hash) to exist.
    expect(readFileSync(settingsFile, 'utf8')).toMatch(/^asar: true$/m);
  });

  it('encrypts its cookie store with the operating system keys', () => {
    expect(fuses.enableCookieEncryption).toBe('true');
  });

  it('sets every fuse with a plain true or false', () => {
    for (const [name, value] of Object.entries(fuses)) expect([name, value]).toEqual([name, expect.stringMatching(/^(true|false)$/)]);
  });
});
