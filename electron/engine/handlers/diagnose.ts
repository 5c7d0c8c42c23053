// The connection check for the window (issue 16): the same diagnose() the command line runs, with the
// account's key when it signs in by key, and the report saved where the user picks.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { failure, type CallHandlers, type Protocol } from '../../../shared/contract';
import { diagnose } from '../diagnose/diagnose';
import type { Engine } from '../engine';
import { answering } from './call-failure';

type DiagnoseCalls = Pick<CallHandlers, 'diagnose' | 'saveDiagnosisReport'>;

export function diagnoseHandlers(engine: Engine): DiagnoseCalls {
  const { ports } = engine;
  return {
    diagnose: ({ profileId, protocol, username, password }) =>
      answering(async () => {
        const profile = engine.requireProfile(profileId);
        if (!profile.endpoints.some((e) => e.protocol === protocol)) return failure('invalid-input', `${profile.name} does not offer ${protocol.toUpperCase()}.`);
        // The account's key, when it signs in by key: a key that cannot be opened is the sign-in's answer.
        const setting = username !== undefined && protocol === 'sftp' ? engine.accountKeys.get(profileId, username) : null;
        const key = setting && setting.method !== 'password' && setting.keyPath !== null ? await engine.accountKeys.open(setting.keyPath).catch(() => undefined) : undefined;
        const diagnosis = await diagnose(engine, {
          profile,
          protocol: protocol as Protocol,
          username: username ?? null,
          ...(setting?.method === 'key' && key ? { typed: '' } : password !== undefined ? { typed: password } : {}),
          ...(key ? { key } : {}),
          ...(ports.timeoutSeconds !== undefined ? { timeoutSeconds: ports.timeoutSeconds } : {}),
          app: ports.appInfo,
          ...(ports.now ? { now: ports.now } : {}),
        });
        return { ok: true, diagnosis };
      }),

    saveDiagnosisReport: ({ report }) =>
      answering(async () => {
        if (!ports.chooseFolder) return failure('internal', 'This window cannot open the folder picker.');
        const folder = await ports.chooseFolder('Choose where to save the connection report');
        if (folder === null) return { ok: true, savedAs: null };
        const stamp = (ports.now?.() ?? new Date()).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
        for (let n = 1; n < 100; n += 1) {
          const target = join(folder, `connection-check-${stamp}${n === 1 ? '' : `-${n}`}.txt`);
          try {
            await writeFile(target, report, { flag: 'wx' });
            return { ok: true, savedAs: target };
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
            return failure('permission-denied', `The report could not be saved in ${folder}. Choose another folder.`);
          }
        }
        return failure('permission-denied', `The report could not be saved in ${folder}. Choose another folder.`);
      }),
  };
}
