import type { Key } from 'ink';
import { createContext, type RefObject, useContext, useLayoutEffect, useRef } from 'react';

/**
 * Keys reach the screens through one Ink input hook at the top of the app. Ink's own hook
 * subscribes in a passive effect, after the frame is drawn, so a key typed (or pasted) right after
 * a screen changes could be lost; handlers registered here are in place in the same commit that
 * draws the screen.
 */
/** Returns true when it used the key: a key is used once, by the first handler that takes it. */
export type KeyHandler = (input: string, key: Key) => boolean;

export class KeyRouter {
  private readonly handlers = new Set<RefObject<KeyHandler>>();

  add(handler: RefObject<KeyHandler>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  dispatch(input: string, key: Key): boolean {
    for (const handler of [...this.handlers]) if (handler.current(input, key)) return true;
    return false;
  }
}

export const KeyContext = createContext<KeyRouter | undefined>(undefined);

/** Like Ink's useInput, but registered in the commit that shows the screen. */
export function useKeys(handler: KeyHandler, options: { isActive?: boolean } = {}): void {
  const router = useContext(KeyContext);
  if (!router) throw new Error('useKeys outside the app');
  const ref = useRef(handler);
  ref.current = handler;
  const active = options.isActive !== false;
  useLayoutEffect(() => (active ? router.add(ref) : undefined), [active, router]);
}

/** Runs the action of the first rule that applies; true when one did (the key is used). */
export function runFirst(rules: readonly (readonly [applies: boolean, action: () => unknown])[]): boolean {
  const rule = rules.find(([applies]) => applies);
  rule?.[1]();
  return rule !== undefined;
}
