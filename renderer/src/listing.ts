// A big folder arrives a page at a time (issue 18): the window shows the first page and the count at
// once, then asks for the rest, page after page, and adds each to the table as it lands. A listing
// the user has left (another folder, a refresh) stops asking.
import type { Failure } from '../../shared/contract';
import { safely } from './registry';

export interface Page<E> {
  entries: E[];
  more: string | null;
}

/**
 * Reads the pages after `first` while `stillWanted()`; `onPage` gets all entries so far after each.
 * Resolves to null when every page arrived or the listing was left, or to the failure that stopped it.
 */
export async function readRemainingPages<E>(
  first: Page<E>,
  nextPage: (listing: string) => Promise<(Page<E> & { ok: true }) | Failure>,
  stillWanted: () => boolean,
  onPage: (entries: E[]) => void,
): Promise<Failure | null> {
  let entries = first.entries;
  let more = first.more;
  while (more !== null) {
    const token = more;
    const page = await safely(() => nextPage(token));
    if (!stillWanted()) return null;
    if (!page.ok) return page;
    entries = entries.concat(page.entries);
    more = page.more;
    onPage(entries);
  }
  return null;
}
