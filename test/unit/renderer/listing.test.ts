// A big folder arrives a page at a time (issue 18): each next page is asked for only once the rows
// already drawn are painted, every entry arrives once and in order, and a listing the user has left
// stops asking.
import { describe, expect, it } from 'vitest';
import type { Failure } from '../../../shared/contract';
import { afterPaint, readRemainingPages, type Page } from '../../../renderer/src/listing';

/** A listing of `pages` pages of two entries each, served by token, that records what was asked. */
function pagedListing(pages: number) {
  const asked: string[] = [];
  const page = (n: number): Page<number> => ({ entries: [2 * n, 2 * n + 1], more: n + 1 < pages ? `token-${n + 1}` : null });
  return {
    asked,
    first: page(0),
    next: async (token: string): Promise<(Page<number> & { ok: true }) | Failure> => {
      asked.push(token);
      return { ok: true, ...page(Number(token.slice('token-'.length))) };
    },
  };
}

describe('readRemainingPages', () => {
  it('asks for each page only after the one before is painted, and gives every entry once, in order', async () => {
    const listing = pagedListing(4);
    const events: string[] = [];
    const shown: number[][] = [];
    const painted = async () => {
      events.push(`painted after ${listing.asked.length} asked`);
    };
    const stopped = await readRemainingPages(listing.first, (token) => (events.push(`ask ${token}`), listing.next(token)), () => true, (all) => shown.push(all), painted);
    expect(stopped).toBeNull();
    expect(events).toEqual(['painted after 0 asked', 'ask token-1', 'painted after 1 asked', 'ask token-2', 'painted after 2 asked', 'ask token-3']);
    expect(shown.at(-1)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(shown.map((all) => all.length)).toEqual([4, 6, 8]);
  });

  it('asks nothing more once the user has left the folder, even while waiting for the paint', async () => {
    const listing = pagedListing(3);
    let wanted = true;
    const stopped = await readRemainingPages(listing.first, listing.next, () => wanted, () => undefined, async () => {
      wanted = false;
    });
    expect(stopped).toBeNull();
    expect(listing.asked).toEqual([]);
  });

  it('stops at a page that fails, and says why', async () => {
    const failure: Failure = { ok: false, code: 'not-found', message: 'That folder listing has ended.' };
    const shown: number[][] = [];
    const stopped = await readRemainingPages({ entries: [1], more: 'token-1' }, async () => failure, () => true, (all) => shown.push(all), async () => undefined);
    expect(stopped).toEqual(failure);
    expect(shown).toEqual([]);
  });

  it('with the whole folder in the first page, asks for nothing', async () => {
    const listing = pagedListing(1);
    expect(await readRemainingPages(listing.first, listing.next, () => true, () => undefined, async () => undefined)).toBeNull();
    expect(listing.asked).toEqual([]);
  });
});

describe('afterPaint', () => {
  it('resolves where there are no frames to wait for (no window)', async () => {
    await expect(afterPaint()).resolves.toBeUndefined();
  });

  it('resolves after the next frame in a window, and by itself when frames are held back (a hidden window)', async () => {
    const frames: (() => void)[] = [];
    const global = globalThis as { requestAnimationFrame?: (run: () => void) => number };
    global.requestAnimationFrame = (run) => frames.push(run);
    try {
      let done = false;
      const painted = afterPaint().then(() => (done = true));
      await new Promise((r) => setTimeout(r, 20));
      expect(done).toBe(false);
      frames.shift()?.();
      await painted;
      expect(done).toBe(true);
      // No frame ever comes: it goes on anyway.
      await expect(afterPaint()).resolves.toBeUndefined();
    } finally {
      delete global.requestAnimationFrame;
    }
  });
});
