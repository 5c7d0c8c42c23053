// The rules a new password must meet, as the window shows them while the user types and as the engine
// checks them before anything is sent; and how a profile sets them.
import { describe, expect, it } from 'vitest';
import { checkPasswordRules, DEFAULT_PASSWORD_RULES } from '../../../shared/password-rules';
import { builtInProfiles, parseProfile } from '../../../electron/engine/profiles';

describe('checkPasswordRules', () => {
  it('accepts a password that meets every default rule', () => {
    expect(checkPasswordRules(DEFAULT_PASSWORD_RULES, 'Blue-Heron-77', 'Issued-Password-1!')).toEqual([]);
  });

  it('names every rule broken, in plain words, without repeating the password', () => {
    const problems = checkPasswordRules(DEFAULT_PASSWORD_RULES, 'abc');
    expect(problems).toEqual([
      'It needs at least 8 characters (it has 3).',
      'It needs at least one capital letter (A-Z).',
      'It needs at least one digit (0-9).',
      'It needs at least one symbol, such as ! # $ % or *.',
    ]);
    expect(problems.join(' ')).not.toContain('abc');
  });

  it('refuses the old password again', () => {
    expect(checkPasswordRules(DEFAULT_PASSWORD_RULES, 'Same-Pass-2026!', 'Same-Pass-2026!')).toEqual(['It must be different from the current password.']);
  });

  it('counts letters beyond A-Z and characters as the user sees them', () => {
    expect(checkPasswordRules(DEFAULT_PASSWORD_RULES, 'Ñandú-Über-9', undefined)).toEqual([]);
    // Twelve UTF-16 code units, eight characters.
    expect(checkPasswordRules({ ...DEFAULT_PASSWORD_RULES, minLength: 8 }, 'Ab1!😀😀😀😀')).toEqual([]);
    expect(checkPasswordRules({ ...DEFAULT_PASSWORD_RULES, minLength: 9 }, 'Ab1!😀😀😀😀')).toEqual(['It needs at least 9 characters (it has 8).']);
  });

  it('checks only the classes a profile asks for', () => {
    const lengthOnly = { minLength: 12, requireUpper: false, requireLower: false, requireDigit: false, requireSymbol: false };
    expect(checkPasswordRules(lengthOnly, 'correct horse battery')).toEqual([]);
    expect(checkPasswordRules(lengthOnly, 'short one')).toEqual(['It needs at least 12 characters (it has 9).']);
  });
});

describe('password rules in a profile', () => {
  const base = {
    id: 'example-registry',
    name: 'Example State Registry',
    endpoints: [{ protocol: 'sftp', host: 'sftp.registry.example.org', port: 22 }],
    folders: [{ role: 'dropoff', name: 'Inbox', path: 'inbox', rights: ['list', 'write'] }],
    support: { team: 'Example registry help desk' },
  };

  it('default to at least 8 characters with capitals, small letters, digits and symbols', () => {
    expect(parseProfile(base).passwordChange.rules).toEqual(DEFAULT_PASSWORD_RULES);
    expect(parseProfile({ ...base, passwordChange: { requiredAtFirstLogin: true } }).passwordChange.rules).toEqual(DEFAULT_PASSWORD_RULES);
    for (const profile of builtInProfiles) expect(profile.passwordChange.rules).toEqual(DEFAULT_PASSWORD_RULES);
  });

  it('can be set per registry, and nonsense is refused', () => {
    const custom = parseProfile({ ...base, passwordChange: { rules: { minLength: 12, requireSymbol: false } } });
    expect(custom.passwordChange.rules).toEqual({ ...DEFAULT_PASSWORD_RULES, minLength: 12, requireSymbol: false });
    expect(() => parseProfile({ ...base, passwordChange: { rules: { minLength: 0 } } })).toThrow(/passwordChange\.rules\.minLength/);
    expect(() => parseProfile({ ...base, passwordChange: { rules: { mustRhyme: true } } })).toThrow(/not a valid registry profile/);
  });
});
