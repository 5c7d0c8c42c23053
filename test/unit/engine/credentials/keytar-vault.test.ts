// The keychain through keytar, with keytar stood in for (the real Secret Service is tested in
// test/integration/credentials-keychain.test.ts and sftp-keys.test.ts): an empty secret is never
// taken as a password or passphrase.
import { describe, expect, it } from 'vitest';
import { KeytarVault, type Keytar } from '../../../../electron/engine/credentials/keytar-vault';

/** A keytar whose getPassword answers `answers` in turn (the last one from then on). */
function keytarAnswering(...answers: (string | null)[]): Keytar & { asked: number } {
  const stand = {
    asked: 0,
    getPassword: async () => answers[Math.min(stand.asked++, answers.length - 1)] ?? null,
    setPassword: async () => undefined,
    deletePassword: async () => true,
  };
  return stand;
}

describe('KeytarVault.get', () => {
  it('gives the secret kept', async () => {
    const keytar = keytarAnswering('Kestrel-Harbor-6619!');
    expect(await new KeytarVault('test', 5, async () => keytar).get('PRAC01')).toBe('Kestrel-Harbor-6619!');
    expect(keytar.asked).toBe(1);
  });

  it('gives null when nothing is kept', async () => {
    const keytar = keytarAnswering(null);
    expect(await new KeytarVault('test', 5, async () => keytar).get('PRAC01')).toBeNull();
    expect(keytar.asked).toBe(1);
  });

  it('asks again when the keychain answers with an empty secret, and takes the one it then gives', async () => {
    const keytar = keytarAnswering('', 'Kestrel-Harbor-6619!');
    expect(await new KeytarVault('test', 5, async () => keytar).get('ssh-key-passphrase:/keys/id')).toBe('Kestrel-Harbor-6619!');
    expect(keytar.asked).toBe(2);
  });

  it('treats a secret still empty when asked again as none kept', async () => {
    const keytar = keytarAnswering('', '');
    expect(await new KeytarVault('test', 5, async () => keytar).get('ssh-key-passphrase:/keys/id')).toBeNull();
    expect(keytar.asked).toBe(2);
  });
});
