// The store as React sees it: the provider makes one store for the window and feeds it the engine's
// events; components read the state with useWindow and say things on the status line with useStatus
// (no callbacks handed down through every level); the flows get the store and the registry with
// useFlow.
import { createContext, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { RegistryApi } from '../../../shared/contract';
import { registry as windowRegistry } from '../registry';
import { reduce, type Action } from './reducer';
import { initialState, type WindowState } from './state';
import { createStore, type Store } from './store';

export type WindowStore = Store<WindowState, Action>;

/** What a flow works with: the state as it is now, the reducer's dispatch, and the way out to the engine. */
export interface FlowContext {
  getState(): WindowState;
  dispatch(action: Action): void;
  registry(): RegistryApi;
}

export const createWindowStore = (state: WindowState = initialState): WindowStore => createStore(reduce, state);

const StoreContext = createContext<{ store: WindowStore; flows: FlowContext } | null>(null);

export function WindowStoreProvider({ children, store: given, registry = windowRegistry }: { children: ReactNode; store?: WindowStore; registry?: () => RegistryApi }) {
  const [store] = useState(() => given ?? createWindowStore());
  const value = useMemo(() => ({ store, flows: { getState: store.getState, dispatch: store.dispatch, registry } }), [store, registry]);
  useEffect(() => registry().onEvent((event) => store.dispatch({ type: 'event', event })), [store, registry]);
  return <StoreContext.Provider value={value}>{children}</StoreContext.Provider>;
}

function useStoreContext() {
  const context = useContext(StoreContext);
  if (!context) throw new Error('The window store is used outside WindowStoreProvider.');
  return context;
}

/** The window's state; the component renders again whenever it changes. */
export function useWindow(): WindowState {
  const { store } = useStoreContext();
  return useSyncExternalStore(store.subscribe, store.getState);
}

export const useDispatch = (): ((action: Action) => void) => useStoreContext().store.dispatch;

export const useFlowContext = (): FlowContext => useStoreContext().flows;

/** A flow (a plain function of the flow context) bound to this window's store; stable across renders. */
export function useFlow<A extends unknown[], R>(flow: (ctx: FlowContext, ...args: A) => R): (...args: A) => R {
  const ctx = useFlowContext();
  return useMemo(() => (...args: A) => flow(ctx, ...args), [ctx, flow]);
}

/** Says something on the status line, from anywhere in the window. */
export function useStatus(): { problem(text: string): void; info(text: string): void } {
  const dispatch = useDispatch();
  return useMemo(
    () => ({
      problem: (text: string) => dispatch({ type: 'status', status: { tone: 'error', text } }),
      info: (text: string) => dispatch({ type: 'status', status: { tone: 'info', text } }),
    }),
    [dispatch],
  );
}
