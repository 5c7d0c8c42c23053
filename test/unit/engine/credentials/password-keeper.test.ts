// The pending/current model on its own: whatever point a change stops at, the passwords to try hold
// the one the registry has, in at most two attempts, and settling keeps only the one that worked.
import { describe, expect, it } from 'vitest';
import { PasswordKeeper, pendingAccount } from '../../../../electron/engine/credentials/password-keeper';
import type { CredentialVault } from '../../../../electron/engine/credentials/vault';

/** The vault port over a Map: the keeper's logic is what is under test here, not the keychain. */
class MapVault implements CredentialVault {
  readonly entries = new Map<string, string>();
  async get(account: string) {
    return this.entries.get(account) ?? null;
  }
  async set(account: string, password: string) {
    this.entries.set(account, password);
  }
  async delete(account: string) {
    return this.entries.delete(account);
  }
}

const ACCOUNT = 'texas-immtrac2:AB1234';
const OLD = 'Old-Password-1!';
const NEW = 'New-Password-2@';

function keeperWith(entries: Record<string, string> = {}) {
  const vault = new MapVault();
  for (const [k, v] of Object.entries(entries)) vault.entries.set(k, v);
  return { vault, keeper: new PasswordKeeper(vault) };
}

/** What the registry does with a login: it has one password. */
const tryLogins = async (keeper: PasswordKeeper, serverHas: string) => {
  const tried: string[] = [];
  for (const candidate of await keeper.loginCandidates(ACCOUNT)) {
    tried.push(candidate.source);
    if (candidate.password === serverHas) return { tried, worked: candidate.password };
  }
  return { tried, worked: null };
};

describe('PasswordKeeper', () => {
  it('keeps the new password as pending under <account>#pending, apart from the current one', async () => {
    const { vault, keeper } = keeperWith({ [ACCOUNT]: OLD });
    await keeper.beginChange(ACCOUNT, NEW);
    expect(pendingAccount(ACCOUNT)).toBe(`${ACCOUNT}#pending`);
    expect(Object.fromEntries(vault.entries)).toEqual({ [ACCOUNT]: OLD, [`${ACCOUNT}#pending`]: NEW });
    expect(await keeper.loginCandidates(ACCOUNT)).toEqual([
      { source: 'current', password: OLD },
      { source: 'pending', password: NEW },
    ]);
  });

  it('confirmChange promotes pending to current; abandonChange drops pending', async () => {
    const confirmed = keeperWith({ [ACCOUNT]: OLD, [`${ACCOUNT}#pending`]: NEW });
    await confirmed.keeper.confirmChange(ACCOUNT);
    expect(Object.fromEntries(confirmed.vault.entries)).toEqual({ [ACCOUNT]: NEW });

    const abandoned = keeperWith({ [ACCOUNT]: OLD, [`${ACCOUNT}#pending`]: NEW });
    await abandoned.keeper.abandonChange(ACCOUNT);
    expect(Object.fromEntries(abandoned.vault.entries)).toEqual({ [ACCOUNT]: OLD });
  });

  it.each([
    ['before anything was sent (the server has the old one)', OLD, ['current'], 'current', OLD],
    ['after the server took the new one, before the keychain knew', NEW, ['current', 'pending'], 'pending', NEW],
  ] as const)('stopped %s: at most two attempts find it, and settling keeps only it', async (_when, serverHas, tried, source, kept) => {
    const { vault, keeper } = keeperWith({ [ACCOUNT]: OLD });
    await keeper.beginChange(ACCOUNT, NEW);
    const login = await tryLogins(keeper, serverHas);
    expect(login.tried).toEqual(tried);
    expect(login.worked).toBe(serverHas);
    expect(await keeper.settle(ACCOUNT, serverHas, true)).toEqual({ source, saved: true });
    expect(Object.fromEntries(vault.entries)).toEqual({ [ACCOUNT]: kept });
  });

  it('after a completed change the one current password works at the first attempt', async () => {
    const { keeper } = keeperWith({ [ACCOUNT]: OLD });
    await keeper.beginChange(ACCOUNT, NEW);
    await keeper.confirmChange(ACCOUNT);
    expect(await tryLogins(keeper, NEW)).toEqual({ tried: ['current'], worked: NEW });
  });

  it('settling a typed password saves it only when asked, and never leaves a stale pending', async () => {
    const notAsked = keeperWith({ [`${ACCOUNT}#pending`]: NEW });
    expect(await notAsked.keeper.settle(ACCOUNT, OLD, false)).toEqual({ source: 'typed', saved: false });
    expect(notAsked.vault.entries.size).toBe(0);

    const asked = keeperWith();
    expect(await asked.keeper.settle(ACCOUNT, OLD, true)).toEqual({ source: 'typed', saved: true });
    expect(Object.fromEntries(asked.vault.entries)).toEqual({ [ACCOUNT]: OLD });
  });

  it('a pending password that worked replaces a saved current one even when not asked to save: the old one is stale', async () => {
    const { vault, keeper } = keeperWith({ [ACCOUNT]: OLD, [`${ACCOUNT}#pending`]: NEW });
    expect(await keeper.settle(ACCOUNT, NEW, false)).toEqual({ source: 'pending', saved: true });
    expect(Object.fromEntries(vault.entries)).toEqual({ [ACCOUNT]: NEW });
  });

  it('forget removes both passwords of the login and only those', async () => {
    const other = 'texas-immtrac2:ZZ9999';
    const { vault, keeper } = keeperWith({ [ACCOUNT]: OLD, [`${ACCOUNT}#pending`]: NEW, [other]: OLD });
    expect(await keeper.forget(ACCOUNT)).toBe(true);
    expect(await keeper.forget(ACCOUNT)).toBe(false);
    expect(Object.fromEntries(vault.entries)).toEqual({ [other]: OLD });
  });
});
