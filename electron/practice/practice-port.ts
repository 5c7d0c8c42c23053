// The practice registry as the engine's port: its profile at the ports it listens on, its account,
// and its own key and certificate vouched for where it listens (the engine never imports the practice
// registry). One definition for the window (the registry it started, or one already running on its
// data folder) and the command line (`--profile practice`, from running.json).
import type { PracticePort } from '../engine/engine';
import { sameFingerprint } from '../engine/trust/fingerprint';
import type { Profile } from '../engine/profiles';
import type { PracticeListening } from './practice-registry';

export interface PracticePortSource {
  listening: PracticeListening;
  profile: Profile;
  /** The issued password until the first-login change (null when unknown here or already changed). */
  issuedPassword: () => string | null;
  processAfterSeconds: number;
  samplesFolder: string | null;
}

export function practicePort({ listening, profile, issuedPassword, processAfterSeconds, samplesFolder }: PracticePortSource): PracticePort {
  return {
    profile: () => profile,
    account: () => ({ username: listening.username, issuedPassword: issuedPassword(), processAfterSeconds }),
    // Only where it listens, and only the key and certificate made for it.
    vouches: (seen) =>
      seen.host === listening.host &&
      ((seen.kind === 'ssh-host-key' && seen.port === listening.sftp.port && sameFingerprint(seen.fingerprint, listening.sftp.fingerprint)) ||
        (seen.kind === 'tls-certificate' &&
          (seen.port === listening.ftpsImplicit.port || seen.port === listening.ftpsExplicit.port) &&
          sameFingerprint(seen.fingerprint, listening.ftpsImplicit.fingerprint))),
    samplesFolder: () => samplesFolder,
  };
}
