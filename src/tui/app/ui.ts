import { createContext, type ReactNode, useContext } from 'react';
import type { Services } from '../services.js';
import type { Session } from '../session.js';

/** What every screen shares: the printed transcript, whether keys reach it, and the services. */
export interface Ui {
  services: Services;
  session: Session;
  /** Prints a finished piece of output once, above the live part (Ink's <Static>). */
  print(node: ReactNode): void;
  /** False while the keys are elsewhere: the help is open, an editor has the terminal, or the app is quitting. */
  inputActive: boolean;
  /** A text field has the keys, so `?` and `q` are letters, not commands. */
  setTyping(typing: boolean): void;
  /** Hands the terminal to another program (an editor) while `run` runs, then takes it back. */
  handOver<T>(run: () => Promise<T>): Promise<T>;
  /**
   * Ctrl-C asks `handler` first (the latest registered first): it returns true when it stopped
   * something of its own (a running solution), and then the app does not quit. Returns the removal.
   */
  onInterrupt(handler: () => boolean): () => void;
}

export const UiContext = createContext<Ui | undefined>(undefined);

export function useUi(): Ui {
  const ui = useContext(UiContext);
  if (!ui) throw new Error('useUi outside the app');
  return ui;
}
