// A new password's checklist as the window shows it while the user types, and how a registry's way of
// changing passwords is put into words. Each rule is judged by the same `checkPasswordRules` the
// engine runs before sending, so a ticked list never meets a refusal from the app itself.
import type { PasswordChangeMethod, PasswordRules, SupportContact } from '../../shared/contract';
import { checkPasswordRules } from '../../shared/password-rules';

/** `later`: the window cannot know (the current password is only in the main process); the app checks on submit. */
export type RuleState = 'met' | 'unmet' | 'later';

export interface RuleItem {
  id: 'length' | 'upper' | 'lower' | 'digit' | 'symbol' | 'match' | 'not-old';
  text: string;
  state: RuleState;
}

const NONE: PasswordRules = { minLength: 0, requireUpper: false, requireLower: false, requireDigit: false, requireSymbol: false };
const meets = (only: Partial<PasswordRules>, password: string) => password !== '' && checkPasswordRules({ ...NONE, ...only }, password).length === 0;
const judged = (ok: boolean): RuleState => (ok ? 'met' : 'unmet');

/**
 * The registry's rules, then "the two match" and "not the current one". The window never holds the
 * current password (the main process does, and checks it when the new one is given), so that item
 * says it is checked on submit.
 */
export function passwordChecklist(rules: PasswordRules, newPassword: string, again: string): RuleItem[] {
  const items: RuleItem[] = [];
  if (rules.minLength > 0) items.push({ id: 'length', text: `At least ${rules.minLength} characters`, state: judged(meets({ minLength: rules.minLength }, newPassword)) });
  if (rules.requireUpper) items.push({ id: 'upper', text: 'A capital letter (A–Z)', state: judged(meets({ requireUpper: true }, newPassword)) });
  if (rules.requireLower) items.push({ id: 'lower', text: 'A small letter (a–z)', state: judged(meets({ requireLower: true }, newPassword)) });
  if (rules.requireDigit) items.push({ id: 'digit', text: 'A digit (0–9)', state: judged(meets({ requireDigit: true }, newPassword)) });
  if (rules.requireSymbol) items.push({ id: 'symbol', text: 'A symbol, such as ! # $ % or *', state: judged(meets({ requireSymbol: true }, newPassword)) });
  items.push({ id: 'match', text: 'Both entries are the same', state: judged(newPassword !== '' && again === newPassword) });
  items.push({ id: 'not-old', text: 'Different from your current password (checked when you submit)', state: newPassword === '' ? 'unmet' : 'later' });
  return items;
}

export const checklistPasses = (items: readonly RuleItem[]) => items.every((item) => item.state !== 'unmet');

/**
 * `form`: the app sends the new password itself. `web-page`: the registry's own page changes it.
 * `at-sign-in`: the registry changes it only when it asks during sign-in (the app answers then).
 */
export type ChangeWay = 'form' | 'web-page' | 'at-sign-in';

/**
 * How a change the user chose (not one the registry demanded) is made with this method. A registry
 * that changes passwords only when it asks at sign-in did not ask: its web page, when it has one.
 */
export function chosenChangeWay(method: PasswordChangeMethod, webPageUrl: string | null = null): ChangeWay {
  if (method === 'site-pswd' || method === 'site-cpwd') return 'form';
  if (method === 'web-page') return 'web-page';
  return webPageUrl !== null ? 'web-page' : 'at-sign-in';
}

/** The registry changes passwords when it asks at sign-in (so a web page is only the way left). */
export const changesWhenAsked = (method: PasswordChangeMethod) => method === 'server-prompt' || method === 'pass-old-new';

/** How a change the registry demands at sign-in is made with this method. */
export function demandedChangeWay(method: PasswordChangeMethod): ChangeWay {
  if (method === 'server-prompt' || method === 'pass-old-new') return 'form';
  if (method === 'web-page') return 'web-page';
  // SITE PSWD / SITE CPWD need a signed-in account, which a registry demanding a change refuses.
  return 'at-sign-in';
}

/** The support contact as labelled lines; a profile may leave out the phone or the email. */
export function supportLines(support: SupportContact): { label: string; value: string }[] {
  const lines = [{ label: 'Who', value: support.team }];
  if (support.phone) lines.push({ label: 'Phone', value: support.phone });
  if (support.email) lines.push({ label: 'Email', value: support.email });
  return lines;
}
