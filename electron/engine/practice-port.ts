// The practice registry as the engine's port: its profile at the ports it listens on, its account,
// and its own key and certificate vouched for where it listens. One definition for the window (the
// registry it started, or one already running on its data folder) and the command line
// (`--profile practice`, from running.json). It lives in the engine, which owns the port, and reads
// where the registry listens as plain facts: the engine never imports the practice registry.
import type { PracticePort } from './engine';
import { sameFingerprint } from './trust/fingerprint';
import type { Profile } from './profiles';

/** Where the practice registry listens, as it says in running.json (its PracticeListening). */
export interface PracticeDoors {
  host: string;
  sftp: { port: number; fingerprint: string };
  ftpsImplicit: { port: number; fingerprint: string };
  ftpsExplicit: { port: number; fingerprint: string };
  username: string;
}

export interface PracticePortSource {
  listening: PracticeDoors;
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
