// `registry-transfer keygen --out FILE [--type ed25519|rsa] [--passphrase-env VAR]` (issue 15, item
// 5): a key for SFTP sign-in by public key, made by the engine's keys module (OpenSSH's format, which
// ssh2 and OpenSSH read alike), FILE readable by its owner only and FILE.pub beside it, never over an
// existing file. Prints the public key's fingerprint and what to do with it: send FILE.pub, never
// FILE, to the registry's team by encrypted e-mail (the Texas specification's words), and wait until
// the registry says it is on file. With --profile, the team is the profile's.
import { resolve } from 'node:path';
import { KeytarVault } from '../../engine/credentials/keytar-vault';
import { KeyFileExists, makeKeyPair, passphraseVaultAccount, writeKeyPair } from '../../engine/keys/ssh-keys';
import type { Profile } from '../../engine/profiles';
import type { CommandOptions } from '../args';
import { catalogFor, openSettings, resolveDataDir, resolveProfile } from '../engine-setup';
import { CliError } from '../errors';
import { EXIT, type ExitCode } from '../exit-codes';
import type { CliIo, Output } from '../output';

export async function keygenCommand(options: CommandOptions, out: Output, io: CliIo): Promise<ExitCode> {
  const profile: Profile | null =
    options.profile === undefined ? null : await resolveProfile(options.profile, catalogFor(openSettings(options.dataDir, io.env), resolveDataDir(options.dataDir, io.env)), options.dataDir);
  let passphrase: string | null = null;
  if (options.passphraseEnv !== undefined) {
    const value = io.env[options.passphraseEnv];
    if (value === undefined || value === '') {
      throw new CliError('invalid-input', `No passphrase: the environment variable ${options.passphraseEnv} named by --passphrase-env is not set or is empty. Nothing was written.`);
    }
    out.hide(value);
    passphrase = value;
  }
  const type = options.keyType ?? 'ed25519';
  const path = resolve(options.out as string);
  const pair = makeKeyPair({ type, passphrase, comment: `registry-transfer key${profile ? ` for ${profile.name}` : ''}` });
  let written;
  try {
    written = await writeKeyPair(path, pair);
  } catch (error) {
    if (error instanceof KeyFileExists) throw new CliError('invalid-input', `${error.message} Nothing was written.`);
    throw error;
  }

  // Kept in the system keychain when asked, so a scheduled job needs only --key FILE.
  let saved: 'saved' | 'not-saved' | null = null;
  let notSavedWhy = '';
  if (options.savePassphrase && passphrase !== null) {
    try {
      await new KeytarVault().set(passphraseVaultAccount(written.privatePath), passphrase);
      saved = 'saved';
    } catch (error) {
      saved = 'not-saved';
      notSavedWhy = error instanceof Error ? error.message : 'the system keychain could not be used';
    }
  }
  const team = profile?.support.team ?? "your registry's interoperability team";
  const email = profile?.support.email ? ` (${profile.support.email})` : '';
  const send = `Send ${written.publicPath} (never ${written.privatePath}) to ${team}${email} by encrypted e-mail, and wait until the registry says the key is on file. Then sign in with --key ${written.privatePath}${passphrase && saved !== 'saved' ? ` --passphrase-env ${options.passphraseEnv}` : ''}.`;
  const keptWords =
    saved === 'saved'
      ? 'Its passphrase is kept in the system keychain: --key needs no --passphrase-env on this computer, for this user.'
      : saved === 'not-saved'
        ? `Its passphrase could not be kept in the system keychain (${notSavedWhy}): give it with --passphrase-env.`
        : null;
  if (out.json) {
    out.document({ ok: true, type, privateKeyFile: written.privatePath, publicKeyFile: written.publicPath, fingerprint: pair.fingerprint, publicKey: pair.publicKey, protectedByPassphrase: passphrase !== null, passphraseInKeychain: saved === 'saved', next: send });
    return EXIT.done;
  }
  out.out([
    `Wrote the private key to ${written.privatePath} (only you can read it) and the public key to ${written.publicPath}.`,
    type === 'rsa' ? 'Type: RSA, 4096 bits.' : 'Type: Ed25519.',
    passphrase
      ? `Protected by the passphrase in ${options.passphraseEnv}.`
      : `Not protected by a passphrase: anyone who can read ${written.privatePath} can sign in with it. Keep it where only you can read it.`,
    ...(keptWords ? [keptWords] : []),
    `Fingerprint: ${pair.fingerprint}`,
    '',
    'Public key:',
    pair.publicKey,
    '',
    send,
  ]);
  return EXIT.done;
}
