// The practice registry as a registry profile: Texas ImmTrac2's shape (folders, rights, quota,
// retention, rules, the first-login change) on this computer, at the ports it listens on now.
import { parseProfile, type Profile } from '../engine/profiles';
import { texasImmTrac2 } from '../engine/profiles/builtin';

export const PRACTICE_PROFILE_ID = 'practice';
export const PRACTICE_PROFILE_NAME = 'Practice registry (on this computer)';
/** The practice account's import code: six characters, as Texas issues them. */
export const PRACTICE_USERNAME = 'PRAC01';

export interface PracticePorts {
  host: string;
  sftpPort: number;
  ftpsImplicitPort: number;
  /** How long it waits before it processes a file (the window's hint for a late file follows it). */
  processAfterSeconds?: number;
}

/** The practice registry's wait before it processes a file, when none is given. */
export const DEFAULT_PROCESS_AFTER_SECONDS = 5;

export function practiceProfile({ host, sftpPort, ftpsImplicitPort, processAfterSeconds = DEFAULT_PROCESS_AFTER_SECONDS }: PracticePorts): Profile {
  return parseProfile(
    {
      ...texasImmTrac2,
      id: PRACTICE_PROFILE_ID,
      name: PRACTICE_PROFILE_NAME,
      endpoints: [
        { protocol: 'sftp', host, port: sftpPort },
        { protocol: 'ftps', host, port: ftpsImplicitPort, tls: 'implicit' },
      ],
      username: { label: 'Import code', hint: `The practice account is ${PRACTICE_USERNAME}.`, isImportCode: true },
      // A practice server on this computer answers at once; it need not wait as long as a state's.
      network: { ...texasImmTrac2.network, timeoutSeconds: 30 },
      passwordChange: { ...texasImmTrac2.passwordChange, webPageUrl: null, resetBy: 'Stop the app, delete the practice folder in its data folder, and start it again: a new account is issued.' },
      webClientUrl: null,
      // It answers once its wait is over; a minute more before a file counts as late.
      answerWithinMinutes: processAfterSeconds / 60 + 1,
      // What the practice registry writes a batch's data quality report as (each also opens in the viewer).
      reportFormats: ['text', 'html'],
      support: { team: 'the practice registry built into this app (nobody to call: it is yours)' },
    },
    'the practice registry',
  );
}
