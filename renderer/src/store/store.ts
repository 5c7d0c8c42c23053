// The window's store: one reducer over one state, as React's useReducer would hold it, but outside
// React, so the flows (an upload's checks, a password change) can read the state as it is NOW after
// each await instead of the state of the render that started them (which is what the refs copying
// state were for). React reads it through useSyncExternalStore, its own hook for an outside store.
export type Reducer<S, A> = (state: S, action: A) => S;

export interface Store<S, A> {
  getState(): S;
  dispatch(action: A): void;
  /** Called after every change of state; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export function createStore<S, A>(reduce: Reducer<S, A>, initial: S): Store<S, A> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch(action) {
      const next = reduce(state, action);
      if (next === state) return;
      state = next;
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
