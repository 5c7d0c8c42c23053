// The exit status is what a Task Scheduler job or a cron script acts on: each kind of failure has one.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../shared/contract';
import { EXIT_CODE_FOR } from '../../../electron/cli/exit-codes';

describe('EXIT_CODE_FOR', () => {
  it('places every engine error code, and only codes 1 to 5', () => {
    expect(Object.keys(EXIT_CODE_FOR).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect([1, 2, 3, 4, 5]).toContain(EXIT_CODE_FOR[code]);
  });

  it.each([
    [2, ['invalid-input', 'unknown-profile']],
    [3, ['identity-unknown', 'identity-changed', 'identity-denied']],
    [4, ['auth-failed', 'no-password', 'keychain-unavailable', 'password-change-required']],
    [5, ['permission-denied']],
    [1, ['unreachable', 'timeout', 'tls-required', 'folders-missing', 'not-found', 'internal']],
  ] as const)('exits %i for %j', (exit, codes) => {
    for (const code of codes) expect(EXIT_CODE_FOR[code]).toBe(exit);
  });
});
