// `registry-transfer list [FOLDER]`: sign in to a registry and list its role folders.
import type { FolderRole, RemoteEntry, RoleFolder } from '../../../shared/contract';
import type { Profile } from '../../engine/profiles';
import { listRegistryFolder } from '../../engine/listing/listing-pages';
import type { CommandOptions } from '../args';
import { CliError, toCliError, usageError } from '../errors';
import { EXIT, EXIT_CODE_FOR, type ExitCode } from '../exit-codes';
import { folderListing, type CliIo, type Output } from '../output';
import { chooseRegistry, connectionFacts, signInForRun } from '../session';

export { chooseProtocol } from '../session';

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

type FolderResult = { folder: RoleFolder; entries: RemoteEntry[] } | { folder: RoleFolder; error: CliError };

/** `modified` in ISO form: a date the server gave without a time is a date alone (`2026-03-05`). */
const entryRecord = (e: RemoteEntry) => ({
  name: e.name,
  kind: e.kind,
  size: e.size,
  modified: e.modified === null ? null : new Date(e.modified).toISOString().slice(0, e.modifiedPrecision === 'day' ? 10 : undefined),
  ...(e.modifiedPrecision ? { modifiedPrecision: e.modifiedPrecision } : {}),
});

export async function listCommand(options: CommandOptions, positionals: string[], out: Output, io: CliIo): Promise<ExitCode> {
  const registry = await chooseRegistry(options, io);
  const roles = selectFolders(registry.profile, positionals[0]);
  const run = await signInForRun(registry, options, io, out);

  const results: FolderResult[] = [];
  try {
    for (const folder of run.session.info.folders.filter((f) => roles.includes(f.role))) {
      try {
        // In the window's order: folders first, then names as people read them (file9 before file10).
        const entries = await listRegistryFolder(run.session, folder.path);
        results.push({ folder, entries });
      } catch (error) {
        results.push({ folder, error: toCliError(error) });
      }
    }
  } finally {
    await run.engine.disconnect();
  }

  const firstError = results.find((r): r is Extract<FolderResult, { error: CliError }> => 'error' in r)?.error;
  const summary = {
    ...connectionFacts(registry, run),
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
    const blocks = results.map((r) => ('entries' in r ? folderListing(r.folder, r.entries) : [`${r.folder.name} (${r.folder.role})  ${r.folder.path}`, '  could not be listed']));
    out.out(blocks.flatMap((block, i) => (i === 0 ? block : ['', ...block])));
  }
  if (firstError) {
    for (const r of results) if ('error' in r) out.err(`registry-transfer: ${r.folder.name}: ${r.error.message}`);
    if (out.json) out.document({ ok: false, code: firstError.code, message: firstError.message, exitCode: EXIT_CODE_FOR[firstError.code], ...summary });
    return EXIT_CODE_FOR[firstError.code];
  }
  if (out.json) out.document({ ok: true, ...summary });
  return EXIT.done;
}
