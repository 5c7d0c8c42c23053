// Trust decisions: the same behaviour over the in-memory settings (tests, CLI one-offs) and over the
// JSON settings file the CLI shares with the app, where they must survive a restart.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonFileSettings, MemorySettings, type SettingsStore } from '../../../../electron/engine/settings/settings-store';
import { TrustStore, type SeenIdentity } from '../../../../electron/engine/trust/trust-store';

const fingerprintOf = (seed: string) => `SHA256:${createHash('sha256').update(seed).digest('base64').replace(/=+$/, '')}`;
const hexOf = (seed: string) => createHash('sha256').update(seed).digest('hex');

const seen = (overrides: Partial<SeenIdentity> = {}): SeenIdentity => ({
  host: 'immtrac-ftp1.dshs.state.tx.us',
  port: 22,
  kind: 'ssh-host-key',
  fingerprint: fingerprintOf('key one'),
  description: 'ED25519',
  ...overrides,
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-trust-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let fileCounter = 0;
const backends: [string, () => SettingsStore][] = [
  ['MemorySettings', () => new MemorySettings()],
  ['JsonFileSettings', () => new JsonFileSettings(join(dir, `settings-${++fileCounter}`, 'config.json'))],
];

describe.each(backends)('TrustStore over %s', (_name, makeSettings) => {
  it('says unknown for a server never seen, trusted after "Trust"', () => {
    const store = new TrustStore(makeSettings(), () => new Date('2026-11-14T09:30:00Z'));
    expect(store.decide(seen())).toEqual({ status: 'unknown' });
    const entry = store.trust(seen());
    expect(entry).toMatchObject({ host: 'immtrac-ftp1.dshs.state.tx.us', port: 22, kind: 'ssh-host-key', description: 'ED25519', firstTrusted: '2026-11-14T09:30:00.000Z' });
    expect(store.decide(seen())).toEqual({ status: 'trusted', identity: entry });
    expect(store.list()).toEqual([entry]);
  });

  it('matches the host name without regard to case, but not another port or kind', () => {
    const store = new TrustStore(makeSettings());
    store.trust(seen({ host: 'ImmTrac-FTP1.DSHS.State.TX.us' }));
    expect(store.decide(seen()).status).toBe('trusted');
    expect(store.decide(seen({ host: 'IMMTRAC-FTP1.DSHS.STATE.TX.US' })).status).toBe('trusted');
    expect(store.decide(seen({ port: 2222 })).status).toBe('unknown');
    expect(store.decide(seen({ kind: 'tls-certificate' })).status).toBe('unknown');
    expect(store.decide(seen({ host: 'sshftp.cohealthnet.com' })).status).toBe('unknown');
  });

  it('accepts the same fingerprint written in hex', () => {
    const store = new TrustStore(makeSettings());
    store.trust(seen());
    expect(store.decide(seen({ fingerprint: hexOf('key one') })).status).toBe('trusted');
  });

  it('says changed, with the earlier entry, when the server shows another key', () => {
    const store = new TrustStore(makeSettings());
    const first = store.trust(seen());
    expect(store.decide(seen({ fingerprint: fingerprintOf('key two') }))).toEqual({ status: 'changed', previous: first });
  });

  it('replaces the earlier entry when a new key is trusted', () => {
    const store = new TrustStore(makeSettings());
    store.trust(seen());
    store.trust(seen({ port: 990, kind: 'tls-certificate', fingerprint: fingerprintOf('cert'), description: 'CN=immtrac' }));
    const replacement = store.trust(seen({ host: 'IMMTRAC-FTP1.dshs.state.tx.us', fingerprint: fingerprintOf('key two') }));
    expect(store.list().filter((t) => t.kind === 'ssh-host-key')).toEqual([replacement]);
    expect(store.list()).toHaveLength(2);
    expect(store.decide(seen()).status).toBe('changed');
    expect(store.decide(seen({ fingerprint: fingerprintOf('key two') })).status).toBe('trusted');
  });

  it('removes an entry by id, and says false for an id it does not hold', () => {
    const store = new TrustStore(makeSettings());
    const entry = store.trust(seen());
    expect(store.remove('no-such-id')).toBe(false);
    expect(store.remove(entry.id)).toBe(true);
    expect(store.list()).toEqual([]);
    expect(store.decide(seen())).toEqual({ status: 'unknown' });
    expect(store.remove(entry.id)).toBe(false);
  });

  it.each([
    ['not a list', 'trust everything'],
    ['a list of the wrong things', [1, 2, 3]],
    ['an entry missing its fingerprint', [{ id: 'x', host: 'immtrac-ftp1.dshs.state.tx.us', port: 22, kind: 'ssh-host-key', description: 'ED25519', firstTrusted: '2026-01-01' }]],
  ])('trusts nothing when the stored data is damaged (%s)', (_label, damaged) => {
    const settings = makeSettings();
    settings.set('trustedIdentities', damaged);
    const store = new TrustStore(settings);
    expect(store.list()).toEqual([]);
    expect(store.decide(seen()).status).toBe('unknown');
  });
});

describe('TrustStore over JsonFileSettings, across restarts', () => {
  it('keeps trust decisions in an owner-only file that a new instance reads back', () => {
    const file = join(dir, 'restart', 'config.json');
    const entry = new TrustStore(new JsonFileSettings(file)).trust(seen());
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const reopened = new TrustStore(new JsonFileSettings(file));
    expect(reopened.list()).toEqual([entry]);
    expect(reopened.decide(seen())).toEqual({ status: 'trusted', identity: entry });

    expect(reopened.remove(entry.id)).toBe(true);
    expect(new TrustStore(new JsonFileSettings(file)).decide(seen()).status).toBe('unknown');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('trusts nothing from a file whose trust list was damaged by hand', () => {
    const file = join(dir, 'damaged.json');
    writeFileSync(file, JSON.stringify({ trustedIdentities: [{ host: 'immtrac-ftp1.dshs.state.tx.us', port: '22' }] }));
    expect(new TrustStore(new JsonFileSettings(file)).decide(seen()).status).toBe('unknown');
  });

  it('refuses a settings file that is not JSON with a message saying what to do', () => {
    const file = join(dir, 'not-json.json');
    writeFileSync(file, '{ "trustedIdentities": [');
    expect(() => new JsonFileSettings(file)).toThrow(`The settings file ${file} is damaged (not valid JSON). Move it aside to start fresh.`);
    expect(readFileSync(file, 'utf8')).toBe('{ "trustedIdentities": [');
  });
});
