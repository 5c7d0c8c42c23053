// Big folders reach the window a page at a time (issue 18): every entry exactly once, in order, the
// count known from the first page; a token read once, only by the session that listed, and not kept
// for ever.
import { describe, expect, it } from 'vitest';
import { FIRST_PAGE_SIZE, listingOf, ListingPages, PAGE_SIZE } from '../../../../electron/engine/listing/listing-pages';
import { RemoteError } from '../../../../electron/engine/remote/remote-fs';

const numbers = (count: number) => Array.from({ length: count }, (_, i) => i);

async function readAll(pages: ListingPages<number>, entries: number[], owner: unknown = null): Promise<{ pages: number[][]; all: number[] }> {
  const first = await pages.start(listingOf(entries), owner);
  const seen = [first.entries];
  let more = first.more;
  while (more !== null) {
    const page = await pages.next(more, owner);
    seen.push(page.entries);
    more = page.more;
  }
  return { pages: seen, all: seen.flat() };
}

describe('a listing in pages', () => {
  it('gives a small folder whole, with no token', async () => {
    const first = await new ListingPages<number>().start(listingOf(numbers(FIRST_PAGE_SIZE)));
    expect(first.entries).toHaveLength(FIRST_PAGE_SIZE);
    expect(first.more).toBeNull();
  });

  it('gives 20,000 entries as a short first page and then full pages, each entry once and in order', async () => {
    const entries = numbers(20_000);
    const { pages, all } = await readAll(new ListingPages<number>(), entries);
    expect(all).toEqual(entries);
    expect(pages[0]).toHaveLength(FIRST_PAGE_SIZE);
    expect(pages.slice(1, -1).every((page) => page.length === PAGE_SIZE)).toBe(true);
    expect(pages.length).toBe(1 + Math.ceil((20_000 - FIRST_PAGE_SIZE) / PAGE_SIZE));
  });

  it('reads a token once: asking again for the same page is refused in plain words', async () => {
    const pages = new ListingPages<number>();
    const first = await pages.start(listingOf(numbers(5_000)));
    await pages.next(first.more as string);
    const again = await pages.next(first.more as string).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(RemoteError);
    expect((again as RemoteError).message).toMatch(/List the folder again/);
  });

  it('serves a registry listing only to the session that read it', async () => {
    const pages = new ListingPages<number>();
    const session = {};
    const first = await pages.start(listingOf(numbers(5_000)), session);
    await expect(pages.next(first.more as string, {})).rejects.toBeInstanceOf(RemoteError);
    // Refused to another session, the page is still there for its own.
    const page = await pages.next(first.more as string, session);
    expect(page.entries[0]).toBe(FIRST_PAGE_SIZE);
    pages.forget(session);
    await expect(pages.next(page.more as string, session)).rejects.toBeInstanceOf(RemoteError);
  });

  it('lets a listing go after five minutes unread, and keeps only the newest few', async () => {
    let now = 0;
    const pages = new ListingPages<number>(() => now);
    const old = await pages.start(listingOf(numbers(3_000)));
    now += 5 * 60_000 + 1;
    await expect(pages.next(old.more as string)).rejects.toBeInstanceOf(RemoteError);

    const tokens: string[] = [];
    for (let i = 0; i < 10; i += 1) tokens.push((await pages.start(listingOf(numbers(3_000)))).more as string);
    await expect(pages.next(tokens[0] as string)).rejects.toBeInstanceOf(RemoteError);
    expect((await pages.next(tokens[9] as string)).entries).toHaveLength(3_000 - FIRST_PAGE_SIZE);
  });
});
