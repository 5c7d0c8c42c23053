// The practice registry beside the window: started with the app on its data folder, and offered to
// the engine as a port (its profile with today's ports, its account, its own key and certificate,
// the sample files). The engine never imports the practice registry; the window only sees the port.
import { sameFingerprint } from '../engine/trust/fingerprint';
import type { PracticePort } from '../engine/engine';
import type { RunningPracticeRegistry } from '../practice/practice-registry';

export function practicePortFor(practice: RunningPracticeRegistry, samplesFolder: string | null): PracticePort {
  return {
    profile: () => practice.profile,
    account: () => ({ username: practice.username, issuedPassword: practice.issuedPassword(), processAfterSeconds: practice.processAfterSeconds }),
    // Only where it listens, and only the key and certificate the app made for it.
    vouches: (seen) =>
      seen.host === practice.host &&
      ((seen.kind === 'ssh-host-key' && seen.port === practice.sftp.port && sameFingerprint(seen.fingerprint, practice.sftp.fingerprint)) ||
        (seen.kind === 'tls-certificate' &&
          (seen.port === practice.ftpsImplicit.port || seen.port === practice.ftpsExplicit.port) &&
          sameFingerprint(seen.fingerprint, practice.ftpsImplicit.fingerprint))),
    samplesFolder: () => samplesFolder,
  };
}
