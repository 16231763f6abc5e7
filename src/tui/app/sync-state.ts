import { type RefObject, useCallback, useRef, useState } from 'react';

/**
 * State that key handlers read and write synchronously. Several keys can arrive in one chunk (a
 * paste, fast typing) and are handled before React renders again; each must see what the one
 * before it did, so handlers read `ref.current`, and `set` updates it at once.
 */
export function useSyncState<T>(
  initial: T | (() => T),
): [T, (next: T | ((current: T) => T)) => void, RefObject<T>] {
  const [value, setValue] = useState(initial);
  const ref = useRef(value);
  const set = useCallback((next: T | ((current: T) => T)) => {
    ref.current = typeof next === 'function' ? (next as (current: T) => T)(ref.current) : next;
    setValue(ref.current);
  }, []);
  return [value, set, ref];
}
