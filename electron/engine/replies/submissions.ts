// The application layer's "where is each file I sent" (issue 14, item 1), shared by the window's
// handler and the command line (`registry-transfer submissions`): the local history says what this
// computer sent to the account; one listing of each of the registry's folders says where each file
// stands. Registries name their answers after the batch (the practice registry writes
// `<batch>_ACK.hl7`, `<batch>_DQA.txt` and `<batch>.CNF` for `<batch>.HL7`; other registries put the
// batch's name first or last with their own words around it), so a file of the registry belongs to a
// batch when the batch's name, without its extension, stands in the file's name as a whole word. Only
// listings are read: nothing is downloaded.
import type { FolderRole, RemoteEntry, RoleFolder, Submission, SubmissionState, UnmatchedRemoteFile } from '../../../shared/contract';
import type { Profile } from '../profiles';
import { RemoteError } from '../remote/remote-fs';
import type { RegistrySession } from '../session/registry-session';
import type { TransferHistory, TransferRecord } from '../transfers/history';
import { isTemporaryName } from '../transfers/upload';

export interface SubmissionFilter {
  /** Sent on or after this day of this computer's calendar (YYYY-MM-DD). */
  from?: string;
  /** Sent on or before this day (YYYY-MM-DD). */
  to?: string;
  states?: readonly SubmissionState[];
}

export interface SubmissionsFound {
  submissions: Submission[];
  unmatched: UnmatchedRemoteFile[];
  /** When the folders were listed (ISO 8601). */
  checkedAt: string;
  /** What could not be looked at, in plain words. */
  notes: string[];
}

/** The folders a submission's answers are looked for in, in the order they are listed. */
const ROLES: readonly FolderRole[] = ['dropoff', 'accepted', 'reports', 'receive'];

const stemOf = (name: string) => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
};

/** A letter or digit: what may not touch a batch's name for it to stand as a whole word. */
const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/**
 * Whether `stem` (lower case) stands in `name` (lower case) as a whole word: at its start or after a
 * character that is no letter or digit, and followed by one (or the end). `week1` is not found in
 * `week10_ACK.hl7`, and `batch` is not found in `mybatch_ACK.hl7`.
 */
export function namesBatch(name: string, stem: string): boolean {
  if (stem === '') return false;
  for (let at = name.indexOf(stem); at !== -1; at = name.indexOf(stem, at + 1)) {
    const before = at === 0 ? '' : name[at - 1]!;
    const after = name[at + stem.length] ?? '';
    if (!WORD_CHARACTER.test(before) && !WORD_CHARACTER.test(after)) return true;
  }
  return false;
}

/** The sent file whose name stands in `name`; the longest wins (`week1_b` before `week1`). */
function batchOf(name: string, stemsLongestFirst: readonly string[]): string | null {
  const lower = name.toLowerCase();
  return stemsLongestFirst.find((stem) => namesBatch(lower, stem)) ?? null;
}

/** YYYY-MM-DD of this computer's calendar for an ISO time. */
function localDay(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "3 hours", "2 days": how long, in the words a hint uses. */
export function durationWords(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 90) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}

interface SentFile {
  record: TransferRecord;
  /** Lower case, without its extension. */
  stem: string;
  /** This computer deleted it from the dropoff after sending it. */
  deletedAfter: boolean;
}

/**
 * The files this computer sent to the account, newest first: one per name (the latest sending of
 * it), with whether this computer deleted it from the dropoff since.
 */
function sentFiles(records: readonly TransferRecord[], profileId: string, username: string): SentFile[] {
  const mine = (r: TransferRecord) => r.profileId === profileId && r.account.toLowerCase() === username.toLowerCase();
  const latest = new Map<string, SentFile>();
  // Records come newest first: the first upload seen of a name is its latest sending; a delete seen
  // before it (newer) took it back.
  const deletedNames = new Set<string>();
  for (const record of records) {
    if (!mine(record) || record.result !== 'done') continue;
    const key = record.remoteName.toLowerCase();
    if (record.direction === 'delete' && record.folder === 'dropoff' && !latest.has(key)) deletedNames.add(key);
    if (record.direction !== 'upload' || latest.has(key) || record.remoteName === '') continue;
    latest.set(key, { record, stem: stemOf(record.remoteName).toLowerCase(), deletedAfter: deletedNames.has(key) });
  }
  return [...latest.values()];
}

const STATE_WORDS: Record<SubmissionState, string> = {
  waiting: 'waiting in the dropoff folder',
  'picked-up': 'picked up, nothing back yet',
  accepted: 'accepted',
  'report-ready': 'accepted, report ready',
  'consent-received': 'accepted, consent notification received',
  rejected: 'not accepted',
  gone: 'no longer on the server',
};
export const submissionStateWords = (state: SubmissionState): string => STATE_WORDS[state];

/** Where each file this computer sent stands, from one listing of each of the registry's folders. */
export async function listSubmissions(
  session: RegistrySession,
  profile: Profile,
  history: TransferHistory | null,
  filter: SubmissionFilter = {},
  now: Date = new Date(),
): Promise<SubmissionsFound> {
  const info = session.info;
  const notes: string[] = [];
  const folders = ROLES.map((role) => info.folders.find((f) => f.role === role)).filter((f): f is RoleFolder => f !== undefined);
  const listings = new Map<FolderRole, RemoteEntry[]>();
  await session.exclusive(async (fs) => {
    for (const folder of folders) {
      if (!folder.rights.includes('list')) {
        notes.push(`${folder.name} was not looked at: the registry does not let this account list it.`);
        continue;
      }
      try {
        listings.set(
          folder.role,
          (await fs.list(folder.path)).filter((e) => e.kind === 'file' && !isTemporaryName(e.name)),
        );
      } catch (error) {
        // A folder the server refuses (or lost) leaves its part unknown; the others still count.
        if (error instanceof RemoteError && (error.code === 'permission-denied' || error.code === 'not-found') && fs.usable) {
          notes.push(`${folder.name} could not be listed (${error.message}) What is there is not shown.`);
          continue;
        }
        throw error;
      }
    }
  });
  const checkedAt = now.toISOString();

  const sent = sentFiles(history ? await history.list() : [], info.profileId, info.username);
  const stemsLongestFirst = [...new Set(sent.map((s) => s.stem))].sort((a, b) => b.length - a.length);
  /** Files of each folder by the sent stem they belong to. */
  const byStem = new Map<string, Map<FolderRole, RemoteEntry[]>>();
  const unmatched: UnmatchedRemoteFile[] = [];
  for (const [role, entries] of listings) {
    for (const entry of entries) {
      const stem = batchOf(entry.name, stemsLongestFirst);
      if (stem === null) {
        unmatched.push({ role, name: entry.name, size: entry.size, modified: entry.modified });
        continue;
      }
      const perRole = byStem.get(stem) ?? new Map<FolderRole, RemoteEntry[]>();
      byStem.set(stem, perRole);
      perRole.set(role, [...(perRole.get(role) ?? []), entry]);
    }
  }

  const folderName = (role: FolderRole) => info.folders.find((f) => f.role === role)?.name ?? role;
  const late = profile.answerWithinMinutes === null ? null : profile.answerWithinMinutes * 60_000;
  const submissions: Submission[] = [];
  for (const file of sent) {
    const name = file.record.remoteName;
    const found = byStem.get(file.stem) ?? new Map<FolderRole, RemoteEntry[]>();
    const sameName = (role: FolderRole) => (found.get(role) ?? []).filter((e) => e.name.toLowerCase() === name.toLowerCase());
    const inDropoff = sameName('dropoff').length > 0;
    // The original file, as the registry keeps it (its own name, or the batch's name in another).
    const acceptedEntry = sameName('accepted')[0] ?? found.get('accepted')?.[0] ?? null;
    const reports = (found.get('reports') ?? []).sort((a, b) => a.name.localeCompare(b.name, 'en'));
    const consent = (found.get('receive') ?? []).sort((a, b) => a.name.localeCompare(b.name, 'en'));
    const answers = [acceptedEntry, ...reports, ...consent].filter((e): e is RemoteEntry => e !== null);
    const answeredTimes = answers.map((e) => e.modified).filter((t): t is number => t !== null);
    const sentAt = file.record.time;
    const sinceSent = now.getTime() - Date.parse(sentAt);
    const purgedBy = profile.retentionDays === null ? null : profile.retentionDays * 86_400_000;

    let state: SubmissionState;
    if (inDropoff) state = 'waiting';
    else if (consent.length > 0) state = 'consent-received';
    else if (acceptedEntry && reports.length > 0) state = 'report-ready';
    else if (acceptedEntry) state = 'accepted';
    else if (reports.length > 0) state = 'rejected';
    // Nothing of it anywhere: taken back from this computer, or purged by the registry (past its
    // retention), else still being processed.
    else if (file.deletedAfter || (purgedBy !== null && sinceSent > purgedBy)) state = 'gone';
    else state = 'picked-up';

    let hint: string | undefined;
    if (late !== null && sinceSent > late && (state === 'waiting' || state === 'picked-up')) {
      const usual = `${profile.name} usually answers within ${durationWords(late)}`;
      const call = `${profile.support.team}${profile.support.phone ? `, ${profile.support.phone}` : ''}`;
      hint =
        state === 'waiting'
          ? `Still waiting in ${folderName('dropoff')} ${durationWords(sinceSent)} after it was sent; ${usual}. Leave it there: if it is still there tomorrow, call ${call}.`
          : `Picked up, but nothing has come back ${durationWords(sinceSent)} after it was sent; ${usual}. If nothing comes by tomorrow, call ${call}.`;
    } else if (state === 'gone' && file.deletedAfter) {
      hint = `Deleted from ${folderName('dropoff')} on this computer after it was sent.`;
    } else if (state === 'rejected') {
      hint = `The registry did not accept it: open its report to see why.`;
    }

    submissions.push({
      name,
      state,
      sentAt,
      size: file.record.size,
      accepted: acceptedEntry?.name ?? null,
      reports: reports.map((e) => e.name),
      consent: consent.map((e) => e.name),
      answeredAt: answeredTimes.length > 0 ? Math.min(...answeredTimes) : null,
      ...(hint ? { hint } : {}),
    });
  }

  const wanted = (s: Submission) => {
    const day = localDay(s.sentAt);
    if (filter.from !== undefined && day < filter.from) return false;
    if (filter.to !== undefined && day > filter.to) return false;
    return filter.states === undefined || filter.states.length === 0 || filter.states.includes(s.state);
  };
  unmatched.sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || a.name.localeCompare(b.name, 'en'));
  return { submissions: submissions.filter(wanted), unmatched, checkedAt, notes };
}
