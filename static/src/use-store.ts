import { useEffect, useState } from 'preact/hooks';
import type { ChatStore, State } from './store';

/** The store's current state; the calling component re-renders on every change. */
export function useStore(store: ChatStore): State {
  const [state, setState] = useState(store.state);
  useEffect(() => {
    setState(store.state);
    return store.subscribe(() => setState(store.state));
  }, [store]);
  return state;
}
