// One sender per account at a time (issue 17): a scheduled send-new run and another one started by
// hand (or a second scheduled one) never send the same file twice nor open two connections to one
// account, which the registries count against a connection limit. A lock file in the data folder
// names the process that holds it; a lock whose process is gone (a crashed or killed run) is taken
// over, so a crash never leaves the account stuck.
import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const LOCKS_FOLDER_NAME = 'locks';

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  what: string;
}

export class AccountBusy extends Error {
  constructor(readonly owner: LockOwner | null) {
    super(
      owner
        ? `Another run is already sending for this account (${owner.what}, process ${owner.pid}, since ${owner.startedAt}). Nothing was sent by this one; the files wait for the next run.`
        : 'Another run is already sending for this account. Nothing was sent by this one; the files wait for the next run.',
    );
    this.name = 'AccountBusy';
  }
}

/** Whether the process that wrote `owner` still runs (on this computer; another computer's lock is never broken). */
function alive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Locks this process holds (or is taking), by file: the window's transfer queue and its folder
 * watcher (or the command line's send-new and the queue it sends through) are one sender, so they
 * share the lock; the file goes when the last of them lets go.
 */
const heldHere = new Map<string, Promise<{ count: number; release: () => Promise<void> }>>();

/** Take the account's lock, or throw AccountBusy; a lock left by a process that is gone is taken over. */
export async function lockAccount(dataDir: string, account: string, what: string): Promise<HeldLock> {
  const folder = join(dataDir, LOCKS_FOLDER_NAME);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const file = join(folder, `${account.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  let taking = heldHere.get(file);
  if (!taking) {
    const started = takeLockFile(file, what).then((own) => ({ count: 0, release: own.release }));
    taking = started;
    heldHere.set(file, started);
    started.catch(() => {
      if (heldHere.get(file) === started) heldHere.delete(file);
    });
  }
  const entry = await taking;
  entry.count += 1;
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      entry.count -= 1;
      if (entry.count === 0 && heldHere.get(file) === taking) {
        heldHere.delete(file);
        await entry.release();
      }
    },
  };
}

async function takeLockFile(file: string, what: string): Promise<HeldLock> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), what };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(owner));
      } finally {
        await handle.close();
      }
      return {
        release: async () => {
          // Only our own lock is removed (it may have been taken over after a very long pause).
          const now = await readOwner(file);
          if (now && now.pid === owner.pid && now.host === owner.host && now.startedAt === owner.startedAt) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await readOwner(file);
    if (held && alive(held)) throw new AccountBusy(held);
    // An unreadable lock may be one being written this very moment: only an old one is stale.
    if (!held && Date.now() - (await stat(file).then((s) => s.mtimeMs).catch(() => 0)) < 5_000) throw new AccountBusy(null);
    // Gone (or a lock file cut short by a crash while it was written): moved aside under a name of
    // this process's own, then looked at again. Two runs that both found it stale cannot both take
    // it: only one rename finds it, and a fresh lock moved aside by mistake is put back.
    const aside = `${file}.stale-${process.pid}-${Date.now()}`;
    try {
      await rename(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const moved = await readOwner(aside);
    if (moved && held && (moved.pid !== held.pid || moved.startedAt !== held.startedAt) && alive(moved)) {
      await rename(aside, file).catch(() => undefined);
      throw new AccountBusy(moved);
    }
    await rm(aside, { force: true });
  }
  throw new AccountBusy(await readOwner(file));
}

async function readOwner(file: string): Promise<LockOwner | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as LockOwner;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? parsed : null;
  } catch {
    return null;
  }
}
