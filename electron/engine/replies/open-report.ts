// The application layer's two report operations, shared by the window's handlers and the command
// line (`registry-transfer report`): open one of the registry's files for the viewer, and gather the
// scores of every data quality report. Files are read into memory only, held to the size the server
// lists for them (as downloads are) and to REPORT_SIZE_LIMIT; nothing is written to disk, and no
// content reaches a log or an error message.
import type { FolderRole, OpenedReport, RemoteEntry, RoleFolder, ScorePoint } from '../../../shared/contract';
import { joinRemote, RemoteError, type RemoteFs } from '../remote/remote-fs';
import type { RegistrySession } from '../session/registry-session';
import { endedShort } from '../transfers/download';
import { isTemporaryName } from '../transfers/upload';
import { REPORT_SIZE_LIMIT, reportTooLarge, reportView } from './report-view';
import { reportScores } from './scores';

/** Reports read for the chart: the newest ones, so a folder the registry never purges stays quick. */
export const SCORE_REPORTS_READ = 300;

/** The extensions read for scores, best first: a batch whose report comes in several formats counts once, from its text. */
const SCORE_FORMATS = ['txt', 'html', 'htm', 'csv', 'json'] as const;

function folderFor(session: RegistrySession, role: FolderRole): RoleFolder {
  const folder = session.info.folders.find((f) => f.role === role);
  if (!folder) throw new RemoteError('not-found', `${session.info.profileName} has no such folder.`);
  if (!folder.rights.includes('read')) throw new RemoteError('permission-denied', `The registry does not let this account read files in ${folder.name}.`);
  return folder;
}

/** A name typed or sent must be a file's name in the folder: no path, no climbing, no control characters. */
export function checkPlainName(name: string, folder: RoleFolder): void {
  // eslint-disable-next-line no-control-regex
  if (name === '' || name === '.' || name === '..' || /[/\\]/.test(name) || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new RemoteError('invalid-input', `Give the name of a file in ${folder.name} only, without a folder or path.`);
  }
}

/** A file's bytes into memory, held to the size the listing states and to the viewer's limit. */
async function readListed(fs: RemoteFs, folder: RoleFolder, entry: RemoteEntry): Promise<Buffer> {
  if (entry.size > REPORT_SIZE_LIMIT) throw reportTooLarge(entry.name, entry.size);
  const bytes = await fs.read(joinRemote(folder.path, entry.name), { maxBytes: entry.size });
  if (bytes.length < entry.size) throw endedShort(entry.name, bytes.length, entry.size);
  return bytes;
}

/** One of the registry's files, read and decoded for the viewer. */
export async function openReport(session: RegistrySession, role: FolderRole, name: string): Promise<OpenedReport> {
  const folder = folderFor(session, role);
  checkPlainName(name, folder);
  const { entry, bytes } = await session.exclusive(async (fs) => {
    const found = (await fs.list(folder.path)).find((e) => e.name === name && e.kind === 'file');
    if (!found) throw new RemoteError('not-found', `There is no file named ${name} in ${folder.name} (any more). Refresh the list.`);
    return { entry: found, bytes: await readListed(fs, folder, found) };
  });
  const view = reportView(entry.name, bytes);
  return { role: folder.role, name: entry.name, size: entry.size, modified: entry.modified, view, scores: reportScores(view) };
}

const extensionOf = (name: string) => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
};
const stemOf = (name: string) => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
};

/**
 * The reports of the reports folder worth reading for scores: one per batch (its text where it has
 * one, else HTML, CSV, JSON), the SCORE_REPORTS_READ newest, oldest first.
 */
export function scoreCandidates(entries: readonly RemoteEntry[]): RemoteEntry[] {
  const best = new Map<string, RemoteEntry>();
  const rank = (e: RemoteEntry) => SCORE_FORMATS.indexOf(extensionOf(e.name) as (typeof SCORE_FORMATS)[number]);
  for (const entry of entries) {
    if (entry.kind !== 'file' || isTemporaryName(entry.name) || rank(entry) === -1) continue;
    const stem = stemOf(entry.name);
    const held = best.get(stem);
    if (!held || rank(entry) < rank(held)) best.set(stem, entry);
  }
  const time = (e: RemoteEntry) => e.modified ?? 0;
  const newest = [...best.values()].sort((a, b) => time(b) - time(a) || b.name.localeCompare(a.name, 'en')).slice(0, SCORE_REPORTS_READ);
  return newest.reverse();
}

/** Every data quality report's scores in the reports folder, oldest first; reports without scores are left out. */
export async function listScores(session: RegistrySession): Promise<ScorePoint[]> {
  const folder = folderFor(session, 'reports');
  return session.exclusive(async (fs) => {
    const points: ScorePoint[] = [];
    for (const entry of scoreCandidates(await fs.list(folder.path))) {
      let scores;
      try {
        scores = reportScores(reportView(entry.name, await readListed(fs, folder, entry)));
      } catch (error) {
        // One report that cannot be read or shown (too large, binary, gone since the listing) leaves
        // its point out; the connection's own failures end the whole call.
        if (error instanceof RemoteError && ['invalid-input', 'not-found', 'incomplete'].includes(error.code) && fs.usable) continue;
        throw error;
      }
      if (scores) points.push({ name: entry.name, at: entry.modified, scores });
    }
    return points;
  });
}
