// What the CLI answers to the engine's trust request when a server's identity is not vouched for by
// the trust store: it can only ever accept the exact fingerprint given with --trust, and only for a
// server never trusted before.
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../electron/cli/errors';
import { commandLineAnswer } from '../../../electron/cli/trust';
import type { IdentityRequest } from '../../../shared/contract';
import { builtInProfiles } from '../../../electron/engine/profiles';
import type { SeenIdentity } from '../../../electron/engine/trust/trust-store';

const texas = builtInProfiles.find((p) => p.id === 'texas-immtrac2')!;
const fingerprintOf = (byte: number) => `SHA256:${Buffer.alloc(32, byte).toString('base64').replace(/=+$/, '')}`;
const seen: SeenIdentity = { host: 'immtrac-ftp1.dshs.state.tx.us', port: 22, kind: 'ssh-host-key', fingerprint: fingerprintOf(1), description: 'ED25519' };
const previous = { id: 'p1', host: seen.host, port: 22, kind: 'ssh-host-key' as const, fingerprint: fingerprintOf(2), description: 'RSA', firstTrusted: '2026-01-05T10:00:00.000Z' };

/** The engine's trust request for `seen` (and the identity trusted before, when it changed). */
const requestFor = (shown: SeenIdentity, before?: typeof previous): IdentityRequest => ({
  id: 'r1',
  kind: shown.kind === 'ssh-host-key' ? 'host-key' : 'certificate',
  profileId: texas.id,
  profileName: texas.name,
  host: shown.host,
  port: shown.port,
  algorithm: shown.description,
  fingerprint: shown.fingerprint,
  ...(before ? { previous: { fingerprint: before.fingerprint, algorithm: before.description, firstTrusted: before.firstTrusted } } : {}),
  timeoutSeconds: 300,
});

function refusal(decided: { answer: string; refusal?: CliError }): CliError {
  expect(decided.answer).toBe('deny');
  expect(decided.refusal).toBeInstanceOf(CliError);
  return decided.refusal as CliError;
}

describe('commandLineAnswer', () => {
  it('trusts a new server that shows the --trust fingerprint, in either form', () => {
    const hex = Buffer.alloc(32, 1).toString('hex').match(/../g)!.join(':');
    expect(commandLineAnswer(requestFor(seen), seen.fingerprint, texas, '/data/config.json')).toEqual({ answer: 'trust' });
    expect(commandLineAnswer(requestFor(seen), hex, texas, '/data/config.json')).toEqual({ answer: 'trust' });
  });

  it('without --trust, stops with the fingerprint to check and the registry to check it with', () => {
    const error = refusal(commandLineAnswer(requestFor(seen), undefined, texas, '/data/config.json'));
    expect(error.code).toBe('identity-unknown');
    expect(error.message).toContain(seen.fingerprint);
    expect(error.message).toContain(`--trust ${seen.fingerprint}`);
    expect(error.message).toContain('(800) 348-9158');
    expect(error.facts).toMatchObject({ fingerprint: seen.fingerprint, host: seen.host, port: 22 });
  });

  it('stops when the server shows another fingerprint than --trust, showing both', () => {
    const error = refusal(commandLineAnswer(requestFor(seen), fingerprintOf(3), texas, '/data/config.json'));
    expect(error.code).toBe('identity-unknown');
    expect(error.message).toContain(fingerprintOf(3));
    expect(error.message).toContain(seen.fingerprint);
  });

  it('never replaces a trusted identity that changed, even with a matching --trust', () => {
    const error = refusal(commandLineAnswer(requestFor(seen, previous), seen.fingerprint, texas, '/data/config.json'));
    expect(error.code).toBe('identity-changed');
    expect(error.message).toContain(previous.fingerprint);
    expect(error.message).toContain(seen.fingerprint);
    expect(error.message).toContain('2026-01-05');
    expect(error.message).toContain('/data/config.json');
    expect(error.facts).toMatchObject({ fingerprint: seen.fingerprint, trustedFingerprint: previous.fingerprint });
  });
});
