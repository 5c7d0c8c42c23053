// The new-password checklist as the change dialog shows it, judged by the same rules the engine
// applies before sending, and which way each registry method changes a password from the window.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD_RULES, checkPasswordRules, type PasswordRules } from '../../../shared/password-rules';
import { checklistPasses, chosenChangeWay, demandedChangeWay, passwordChecklist, supportLines } from '../../../renderer/src/passwords';

const states = (items: ReturnType<typeof passwordChecklist>) => Object.fromEntries(items.map((i) => [i.id, i.state]));

describe('the checklist beside the new password', () => {
  it('ticks each rule as it is met, and waits for both entries to match', () => {
    expect(states(passwordChecklist(DEFAULT_PASSWORD_RULES, '', ''))).toEqual({
      length: 'unmet', upper: 'unmet', lower: 'unmet', digit: 'unmet', symbol: 'unmet', match: 'unmet', 'not-old': 'unmet',
    });
    expect(states(passwordChecklist(DEFAULT_PASSWORD_RULES, 'heron', ''))).toMatchObject({ length: 'unmet', upper: 'unmet', lower: 'met', digit: 'unmet', symbol: 'unmet', 'not-old': 'later' });
    const typed = passwordChecklist(DEFAULT_PASSWORD_RULES, 'Blue-Heron-7', 'Blue-Heron-');
    expect(states(typed)).toMatchObject({ length: 'met', upper: 'met', lower: 'met', digit: 'met', symbol: 'met', match: 'unmet' });
    expect(checklistPasses(typed)).toBe(false);
    expect(checklistPasses(passwordChecklist(DEFAULT_PASSWORD_RULES, 'Blue-Heron-7', 'Blue-Heron-7'))).toBe(true);
  });

  it('leaves "not the current password" to the app on submit: the window never holds the current one', () => {
    expect(states(passwordChecklist(DEFAULT_PASSWORD_RULES, '', ''))['not-old']).toBe('unmet');
    const same = passwordChecklist(DEFAULT_PASSWORD_RULES, 'Issued-By-Registry-31!', 'Issued-By-Registry-31!');
    expect(same.find((i) => i.id === 'not-old')).toEqual({ id: 'not-old', text: 'Different from your current password (checked when you submit)', state: 'later' });
    expect(checklistPasses(same)).toBe(true);
  });

  it('lists only the rules the registry has, and agrees with the engine\'s check on every one', () => {
    const lenient: PasswordRules = { minLength: 6, requireUpper: false, requireLower: true, requireDigit: true, requireSymbol: false };
    expect(passwordChecklist(lenient, '', '').map((i) => i.text)).toEqual([
      'At least 6 characters', 'A small letter (a–z)', 'A digit (0–9)', 'Both entries are the same', 'Different from your current password (checked when you submit)',
    ]);
    for (const candidate of ['abc', 'abcdef', 'abcde1', 'ABCDE1', 'Ünïcødé9', '😀😀😀😀😀a1', 'Blue-Heron-7']) {
      for (const rules of [lenient, DEFAULT_PASSWORD_RULES]) {
        const ruleItems = passwordChecklist(rules, candidate, candidate).filter((i) => i.id !== 'match' && i.id !== 'not-old');
        expect(ruleItems.every((i) => i.state === 'met'), candidate).toBe(checkPasswordRules(rules, candidate).length === 0);
      }
    }
  });
});

describe('how the window changes a password for each registry method', () => {
  it('a change the user asks for: the app sends SITE commands, opens the web page, or waits for the registry to ask', () => {
    expect(chosenChangeWay('site-pswd')).toBe('form');
    expect(chosenChangeWay('site-cpwd')).toBe('form');
    expect(chosenChangeWay('web-page')).toBe('web-page');
    expect(chosenChangeWay('server-prompt')).toBe('at-sign-in');
    expect(chosenChangeWay('pass-old-new')).toBe('at-sign-in');
  });

  it('a registry that changes passwords only when it asks, and did not ask: its web page when it has one', () => {
    const page = 'https://immtrac-ftp1.dshs.state.tx.us/ThinClient';
    expect(chosenChangeWay('server-prompt', page)).toBe('web-page');
    expect(chosenChangeWay('pass-old-new', page)).toBe('web-page');
    expect(chosenChangeWay('server-prompt', null)).toBe('at-sign-in');
    // A command the app sends itself stays the way, web page or not.
    expect(chosenChangeWay('site-pswd', page)).toBe('form');
  });

  it('a change the registry demands at sign-in: answered in the sign-in itself, or on the web page', () => {
    expect(demandedChangeWay('server-prompt')).toBe('form');
    expect(demandedChangeWay('pass-old-new')).toBe('form');
    expect(demandedChangeWay('web-page')).toBe('web-page');
    expect(demandedChangeWay('site-pswd')).toBe('at-sign-in');
  });

  it('the support contact leaves out what the profile does not give', () => {
    expect(supportLines({ team: 'CIIS user support' })).toEqual([{ label: 'Who', value: 'CIIS user support' }]);
    expect(supportLines({ team: 'T', phone: '1', email: 'a@b.org' }).map((l) => l.label)).toEqual(['Who', 'Phone', 'Email']);
  });
});
