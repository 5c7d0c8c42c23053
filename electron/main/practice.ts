// The practice registry beside the window, as the engine's port: the one the app started on its data
// folder, or one `registry-transfer practice` already runs there (its password is then not known
// here: the one who started it was shown it).
import type { PracticePort } from '../engine/engine';
import { practiceProfile } from '../practice/practice-profile';
import { practicePort } from '../engine/practice-port';
import type { PracticeListening, RunningPracticeRegistry } from '../practice/practice-registry';

export function practicePortOf(practice: RunningPracticeRegistry, samplesFolder: string | null): PracticePort {
  return practicePort({ listening: practice, profile: practice.profile, issuedPassword: () => practice.issuedPassword(), processAfterSeconds: practice.processAfterSeconds, samplesFolder });
}

export function practicePortOfRunning(running: PracticeListening & { processAfterSeconds: number }, samplesFolder: string | null): PracticePort {
  const profile = practiceProfile({ host: running.host, sftpPort: running.sftp.port, ftpsImplicitPort: running.ftpsImplicit.port, processAfterSeconds: running.processAfterSeconds });
  return practicePort({ listening: running, profile, issuedPassword: () => null, processAfterSeconds: running.processAfterSeconds, samplesFolder });
}
