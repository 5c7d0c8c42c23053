// Big folders reach the window a page at a time (issue 18): the first page at once, with the counts,
// so the window paints the top of the folder and says how many entries it holds before the rest has
// crossed; the rest when the window asks for it, each page by a token that names the listing. A
// listing is held only until its last page is read, a few minutes pass, or newer ones push it out;
// a remote one also ends with the session it was read on.
import { randomUUID } from 'node:crypto';
import type { RemoteEntry } from '../../../shared/contract';
import { compareListed } from '../../../shared/listing-order';
import { RemoteError } from '../remote/remote-fs';
import type { RegistrySession } from '../session/registry-session';

/**
 * A registry folder's first page: rows enough to fill the tallest window many times over, and a
 * folder within the registry's quota (300 files) comes whole in one answer, as it always did. The
 * whole listing is already read from the server, so a bigger first page costs only its copy.
 */
export const FIRST_PAGE_SIZE = 1000;
/**
 * A folder on this computer: each entry of its first page is one more file read before the window
 * can draw anything, so this one is smaller (a folder of the quota's size still comes whole).
 */
export const LOCAL_FIRST_PAGE_SIZE = 300;
/** Later pages: large enough that 20,000 entries take a handful of calls, small enough to paint between. */
export const PAGE_SIZE = 2500;
const KEPT_LISTINGS = 6;
const KEPT_FOR_MS = 5 * 60_000;

export interface ListingSource<E> {
  /** How many entries the listing holds (a local one may lose a few that vanish before they are read). */
  total: number;
  /** Entries `from` to `from + count` in the listing's order. */
  read(from: number, count: number): Promise<E[]>;
}

interface HeldListing<E> {
  source: ListingSource<E>;
  next: number;
  owner: unknown;
  lastUsed: number;
}

export interface ListingPage<E> {
  entries: E[];
  /** The token for the next page, or null when this page was the last. */
  more: string | null;
}

export class ListingPages<E> {
  private readonly held = new Map<string, HeldListing<E>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The first page of a new listing. `owner`: what the listing belongs to (a session); see `next`. */
  async start(source: ListingSource<E>, owner: unknown = null, firstPageSize = FIRST_PAGE_SIZE): Promise<ListingPage<E>> {
    this.drop();
    const entries = await source.read(0, firstPageSize);
    if (firstPageSize >= source.total) return { entries, more: null };
    const token = randomUUID();
    this.held.set(token, { source, next: firstPageSize, owner, lastUsed: this.now() });
    return { entries, more: token };
  }

  /** The page after the last one read. `owner` must be the one the listing started with. */
  async next(token: string, owner: unknown = null, pageSize = PAGE_SIZE): Promise<ListingPage<E>> {
    const held = this.held.get(token);
    if (!held || held.owner !== owner || this.now() - held.lastUsed > KEPT_FOR_MS) {
      throw new RemoteError('not-found', 'That folder listing has ended (the folder was listed again, or the app was signed out). List the folder again.');
    }
    // Taken out while it is read: a second call with the same token cannot read the same page twice.
    this.held.delete(token);
    this.drop();
    const from = held.next;
    const entries = await held.source.read(from, pageSize);
    if (from + pageSize >= held.source.total) return { entries, more: null };
    const nextToken = randomUUID();
    this.held.set(nextToken, { ...held, next: from + pageSize, lastUsed: this.now() });
    return { entries, more: nextToken };
  }

  /** Every listing that belongs to `owner` ends (a session signed out). */
  forget(owner: unknown): void {
    for (const [token, held] of this.held) if (held.owner === owner) this.held.delete(token);
  }

  /** Listings kept too long, and the oldest beyond the few kept, are let go. */
  private drop(): void {
    const now = this.now();
    for (const [token, held] of this.held) if (now - held.lastUsed > KEPT_FOR_MS) this.held.delete(token);
    while (this.held.size >= KEPT_LISTINGS) {
      const oldest = this.held.keys().next().value as string;
      this.held.delete(oldest);
    }
  }
}

/** A listing already read whole (a registry folder: the server sends it all), served in pages. */
export function listingOf<E>(entries: readonly E[]): ListingSource<E> {
  return { total: entries.length, read: async (from, count) => entries.slice(from, from + count) };
}

/**
 * A registry folder's entries in the listing order (shared/listing-order.ts), without `.` and `..`:
 * the same for the window and the command line.
 */
export async function listRegistryFolder(session: RegistrySession, path: string): Promise<RemoteEntry[]> {
  const listed = await session.exclusive((fs) => fs.list(path));
  return listed.filter((e) => e.name !== '.' && e.name !== '..').sort(compareListed);
}
