// What the SFTP adapter reads from a keyboard-interactive prompt: the login's password, or one step
// of a password change (the prompts OpenSSH passes on from PAM, and a few other servers' wordings).
import { describe, expect, it } from 'vitest';
import { classifyLoginPrompt } from '../../../../electron/engine/remote/sftp';

describe('classifyLoginPrompt', () => {
  it.each([
    ['Password: ', 'password'],
    ['TX1234@registry password: ', 'password'],
    // OpenSSH with PAM and an expired password (chage -d 0), exactly as it sends them.
    ['You are required to change your password immediately (administrator enforced).\nChanging password for TX1234.\nCurrent password: ', 'current'],
    ['New password: ', 'new'],
    ['Retype new password: ', 'retype'],
    ['No password has been supplied.\nNew password: ', 'new'],
    // Older pam_unix, and other servers.
    ['(current) UNIX password: ', 'current'],
    ['Enter new UNIX password: ', 'new'],
    ['Re-enter new password: ', 'retype'],
    ['Old password: ', 'current'],
    ['Verification code: ', 'other'],
  ] as const)('%j is %s', (prompt, kind) => {
    expect(classifyLoginPrompt(prompt)).toBe(kind);
  });
});
