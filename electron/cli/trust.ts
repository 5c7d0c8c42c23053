// The CLI never asks anyone: it answers the engine's trust requests from its flags, and the only
// identity it can accept is the fingerprint the user passed with --trust. An unknown identity without it, a changed one, or one that does not
// match it stops the run before any credential is sent, with both fingerprints in plain sight.
import type { IdentityRequest, TrustAnswer } from '../../shared/contract';
import { sameFingerprint } from '../engine/trust/fingerprint';
import type { SeenIdentity } from '../engine/trust/trust-store';
import type { Profile } from '../engine/profiles';
import { CliError } from './errors';

const where = (seen: SeenIdentity) => `${seen.host} port ${seen.port}`;
const keyKind = (seen: SeenIdentity) => (seen.kind === 'ssh-host-key' ? `${seen.description} host key` : 'certificate');
const checkWith = (profile: Profile) =>
  `${profile.support.team}${profile.support.phone ? `, ${profile.support.phone}` : ''}`;

export function notTrustedYet(seen: SeenIdentity, profile: Profile): CliError {
  return new CliError(
    'identity-unknown',
    [
      `${where(seen)} is not a trusted server yet. Nothing was sent to it. It showed this ${keyKind(seen)}:`,
      `  ${seen.fingerprint}`,
      `Check this fingerprint with the registry (${checkWith(profile)}), then run again with`,
      `  --trust ${seen.fingerprint}`,
      'to trust it from now on.',
    ].join('\n'),
    undefined,
    { host: seen.host, port: seen.port, fingerprint: seen.fingerprint, algorithm: seen.description },
  );
}

export function notTheGivenIdentity(seen: SeenIdentity, given: string): CliError {
  return new CliError(
    'identity-unknown',
    [
      `${where(seen)} showed a different identity from the one given with --trust. Nothing was sent to it.`,
      `  given with --trust: ${given}`,
      `  the server showed:  ${seen.fingerprint}`,
      'Check that --trust has the fingerprint the registry published. If it does, this may not be the registry: tell your IT.',
    ].join('\n'),
    undefined,
    { host: seen.host, port: seen.port, fingerprint: seen.fingerprint, algorithm: seen.description, expectedFingerprint: given },
  );
}

export function identityChanged(
  seen: SeenIdentity,
  previous: { fingerprint: string; description: string; firstTrusted: string },
  profile: Profile,
  settingsFile: string,
): CliError {
  return new CliError(
    'identity-changed',
    [
      `The identity of ${where(seen)} has CHANGED since it was trusted on ${previous.firstTrusted.slice(0, 10)}. Nothing was sent to it.`,
      `  trusted before: ${previous.fingerprint} (${previous.description})`,
      `  shown now:      ${seen.fingerprint} (${seen.description})`,
      'A registry sometimes replaces its keys, but this is also exactly what a server pretending to be the',
      `registry looks like. Check the new fingerprint with the registry (${checkWith(profile)}).`,
      'If they confirm it, remove the old one from the trusted servers in the desktop app (or from',
      `"trustedIdentities" in ${settingsFile}), then run again with --trust ${seen.fingerprint}.`,
    ].join('\n'),
    undefined,
    {
      host: seen.host,
      port: seen.port,
      fingerprint: seen.fingerprint,
      algorithm: seen.description,
      trustedFingerprint: previous.fingerprint,
      trustedSince: previous.firstTrusted,
    },
  );
}

/**
 * The command line's answer to the engine's trust request: "trust" for a server never trusted before
 * that shows the --trust fingerprint (pinned, so the next run needs no --trust); "deny" otherwise,
 * with the reason the run stops, in the command line's words, to report instead of the engine's.
 */
export function commandLineAnswer(request: IdentityRequest, given: string | undefined, profile: Profile, settingsFile: string): { answer: TrustAnswer; refusal?: CliError } {
  const seen: SeenIdentity = {
    host: request.host,
    port: request.port,
    kind: request.kind === 'host-key' ? 'ssh-host-key' : 'tls-certificate',
    fingerprint: request.fingerprint,
    description: request.algorithm,
  };
  if (request.previous) {
    const { fingerprint, algorithm, firstTrusted } = request.previous;
    return { answer: 'deny', refusal: identityChanged(seen, { fingerprint, description: algorithm, firstTrusted }, profile, settingsFile) };
  }
  if (given === undefined) return { answer: 'deny', refusal: notTrustedYet(seen, profile) };
  if (!sameFingerprint(given, seen.fingerprint)) return { answer: 'deny', refusal: notTheGivenIdentity(seen, given) };
  return { answer: 'trust' };
}
