// A registry's rules for a new password, checked the same way in the window (as the user types) and in
// the engine (before anything is sent). Plain TypeScript: the window bundles it too.

export interface PasswordRules {
  minLength: number;
  requireUpper: boolean;
  requireLower: boolean;
  requireDigit: boolean;
  requireSymbol: boolean;
}

/** What the registries' own first-login instructions ask for when a profile says nothing else. */
export const DEFAULT_PASSWORD_RULES: PasswordRules = {
  minLength: 8,
  requireUpper: true,
  requireLower: true,
  requireDigit: true,
  requireSymbol: true,
};

const UPPER = /\p{Lu}/u;
const LOWER = /\p{Ll}/u;
const DIGIT = /\p{Nd}/u;
/** Anything that is not a letter, a digit or white space counts as a symbol. */
const SYMBOL = /[^\p{L}\p{N}\s]/u;

/**
 * Every way `newPassword` breaks the rules, one plain sentence each; empty when it is fine. Nothing
 * here repeats the password itself, so a problem can be shown or logged safely.
 */
export function checkPasswordRules(rules: PasswordRules, newPassword: string, oldPassword?: string): string[] {
  const problems: string[] = [];
  // Counted as the user sees characters, so an accented letter or an emoji counts once.
  const length = [...newPassword].length;
  if (length < rules.minLength) {
    problems.push(`It needs at least ${rules.minLength} characters (it has ${length}).`);
  }
  if (rules.requireUpper && !UPPER.test(newPassword)) problems.push('It needs at least one capital letter (A-Z).');
  if (rules.requireLower && !LOWER.test(newPassword)) problems.push('It needs at least one small letter (a-z).');
  if (rules.requireDigit && !DIGIT.test(newPassword)) problems.push('It needs at least one digit (0-9).');
  if (rules.requireSymbol && !SYMBOL.test(newPassword)) problems.push('It needs at least one symbol, such as ! # $ % or *.');
  if (oldPassword !== undefined && oldPassword !== '' && newPassword === oldPassword) {
    problems.push('It must be different from the current password.');
  }
  return problems;
}
