// Waiting without durations, for unit tests over the in-memory fakes: one turn of the event loop at a
// time (setImmediate, which fake timers leave alone), until something holds or has had its chance.

/** One turn of the event loop: lets started work move on. */
export const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Give work that could start a fair chance to (for asserting that something did NOT start). */
export async function turns(n = 25): Promise<void> {
  for (let i = 0; i < n; i++) await turn();
}

/** Wait, turn by turn, until `condition` holds; no durations. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (condition()) return;
    await turn();
  }
  throw new Error(`This never happened: ${what}`);
}
