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
 * Resolves once what was just drawn has been painted: after the next frame. Asking for the next page
 * only then keeps the engine's file reads and the next page's arrival from competing with the paint
 * of the rows just drawn (on two busy cores that paint came up to 100 ms later).
 */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame !== 'function') setTimeout(resolve, 0);
    // A frame can be held back for a long time in a window that is hidden: the page is asked for
    // anyway then.
    else {
      const fallback = setTimeout(resolve, 250);
      requestAnimationFrame(() => setTimeout(() => (clearTimeout(fallback), resolve()), 0));
    }
  });
}

/**
 * Reads the pages after `first` while `stillWanted()`; `onPage` gets all entries so far after each.
 * Each page is asked for once the one before is painted (`painted`, after the next frame by default).
 * Resolves to null when every page arrived or the listing was left, or to the failure that stopped it.
 */
export async function readRemainingPages<E>(
  first: Page<E>,
  nextPage: (listing: string) => Promise<(Page<E> & { ok: true }) | Failure>,
  stillWanted: () => boolean,
  onPage: (entries: E[]) => void,
  painted: () => Promise<void> = afterPaint,
): Promise<Failure | null> {
  let entries = first.entries;
  let more = first.more;
  while (more !== null) {
    const token = more;
    await painted();
    if (!stillWanted()) return null;
    const page = await safely(() => nextPage(token));
    if (!stillWanted()) return null;
    if (!page.ok) return page;
    entries = entries.concat(page.entries);
    more = page.more;
    onPage(entries);
  }
  return null;
}
