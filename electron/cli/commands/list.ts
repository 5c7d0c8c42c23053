// `registry-transfer list [FOLDER]`: sign in to a registry and list its role folders.
import { calls, type FolderRole, type Protocol, type RemoteEntry, type RoleFolder } from '../../../shared/contract';
import { KeytarVault } from '../../engine/credentials/keytar-vault';
import type { Profile } from '../../engine/profiles';
import { resolveRoleFolders } from '../../engine/remote/folders';
import { openVerified, type OpenRequest } from '../../engine/session/open-verified';
import { sameFingerprint } from '../../engine/trust/fingerprint';
import { TrustStore } from '../../engine/trust/trust-store';
import type { CommandOptions } from '../args';
import { catalogFor, openSettings, resolveProfile } from '../engine-setup';
import { CliError, toCliError, usageError } from '../errors';
import { EXIT, EXIT_CODE_FOR, type ExitCode } from '../exit-codes';
import { folderListing, type CliIo, type Output } from '../output';
import { resolvePassword } from '../password';
import { commandLineAsker, notTheGivenIdentity } from '../trust';

/** The profile's folder named by FOLDER: its name as the profile spells it, or its role, any case. */
export function selectFolders(profile: Profile, wanted: string | undefined): FolderRole[] {
  if (wanted === undefined) return profile.folders.map((f) => f.role);
  const lower = wanted.toLowerCase();
  const match = profile.folders.find((f) => f.name.toLowerCase() === lower) ?? profile.folders.find((f) => f.role === lower);
  if (!match) {
    throw usageError(
      `${profile.name} has no folder "${wanted}". Its folders: ${profile.folders.map((f) => `${f.name} (${f.role})`).join(', ')}.`,
    );
  }
  return [match.role];
}

export function chooseProtocol(profile: Profile, wanted: Protocol | undefined): Protocol {
  const offered = profile.endpoints.map((e) => e.protocol);
  if (wanted !== undefined) {
    if (!offered.includes(wanted)) throw usageError(`${profile.name} does not offer ${wanted.toUpperCase()}; it offers ${offered.join(', ').toUpperCase()}.`);
    return wanted;
  }
  return offered.includes('sftp') ? 'sftp' : (offered[0] as Protocol);
}

function checkedUsername(user: string | undefined, profile: Profile): string {
  if (user === undefined) throw usageError(`Say which login with --user NAME (${profile.username.label.toLowerCase()}).`);
  const parsed = calls.connect.input.shape.username.safeParse(user);
  if (!parsed.success) throw usageError(`--user: ${parsed.error.issues[0]?.message ?? 'not a valid username.'}`);
  return parsed.data;
}

type FolderResult = { folder: RoleFolder; entries: RemoteEntry[] } | { folder: RoleFolder; error: CliError };

const entryRecord = (e: RemoteEntry) => ({
  name: e.name,
  kind: e.kind,
  size: e.size,
  modified: e.modified === null ? null : new Date(e.modified).toISOString(),
});

export async function listCommand(options: CommandOptions, positionals: string[], out: Output, io: CliIo): Promise<ExitCode> {
  const settings = openSettings(options.dataDir, io.env);
  const profile = await resolveProfile(options.profile, catalogFor(settings));
  const protocol = chooseProtocol(profile, options.protocol);
  const roles = selectFolders(profile, positionals[0]);
  const username = checkedUsername(options.user, profile);

  const password = await resolvePassword(
    { profileId: profile.id, username, ...(options.passwordEnv !== undefined ? { passwordEnv: options.passwordEnv } : {}) },
    io.env,
    () => new KeytarVault(),
  );
  out.hide(password);

  const request: OpenRequest = {
    profile,
    protocol,
    username,
    password,
    ...(options.host !== undefined || options.port !== undefined
      ? { endpointOverride: { ...(options.host !== undefined ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) } }
      : {}),
    ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
  };
  const opened = await openVerified(request, {
    trust: new TrustStore(settings),
    allowedOnce: new Set(),
    ask: commandLineAsker(options.trust, profile, settings.file),
  });

  const results: FolderResult[] = [];
  const fs = opened.fs;
  try {
    // A server the store already trusts never reaches the asker; a --trust naming another key is
    // still the user's expectation failing, and is reported the same way.
    if (options.trust !== undefined && !sameFingerprint(options.trust, opened.identity.fingerprint)) {
      throw notTheGivenIdentity(opened.identity, options.trust);
    }
    const folders = await resolveRoleFolders(fs, profile, username);
    for (const folder of folders.filter((f) => roles.includes(f.role))) {
      try {
        const entries = (await fs.list(folder.path)).filter((e) => e.name !== '.' && e.name !== '..');
        entries.sort((a, b) => a.name.localeCompare(b.name));
        results.push({ folder, entries });
      } catch (error) {
        results.push({ folder, error: toCliError(error) });
      }
    }
  } finally {
    await fs.close();
  }

  const firstError = results.find((r): r is Extract<FolderResult, { error: CliError }> => 'error' in r)?.error;
  const summary = {
    profile: { id: profile.id, name: profile.name },
    protocol,
    host: opened.host,
    port: opened.port,
    username,
    fingerprint: opened.identity.fingerprint,
    folders: results.map((r) => ({
      role: r.folder.role,
      name: r.folder.name,
      path: r.folder.path,
      rights: r.folder.rights,
      ...('entries' in r
        ? { entries: r.entries.map(entryRecord) }
        : { error: { code: r.error.code, message: r.error.message, exitCode: EXIT_CODE_FOR[r.error.code] } }),
    })),
  };

  if (!out.json) {
    const blocks = results.map((r) => ('entries' in r ? folderListing(r.folder, r.entries).join('\n') : `${r.folder.name} (${r.folder.role})  ${r.folder.path}\n  could not be listed`));
    out.out(blocks.join('\n\n'));
  }
  if (firstError) {
    for (const r of results) if ('error' in r) out.err(`registry-transfer: ${r.folder.name}: ${r.error.message}`);
    if (out.json) out.document({ ok: false, code: firstError.code, message: firstError.message, exitCode: EXIT_CODE_FOR[firstError.code], ...summary });
    return EXIT_CODE_FOR[firstError.code];
  }
  if (out.json) out.document({ ok: true, ...summary });
  return EXIT.done;
}
