import { Box, Static, Text, useApp, useInput, useStdin, useStdout } from 'ink';
import { type ReactNode, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Lab } from '../../lab.js';
import { Help } from '../components/Help.js';
import type { Services } from '../services.js';
import type { Session } from '../session.js';
import { CourseScreens, type Route } from './CourseScreens.js';
import { KeyContext, KeyRouter } from './keys.js';
import { useSyncState } from './sync-state.js';
import { releaseKeyboard, takeKeyboard } from './terminal.js';
import { type Ui, UiContext } from './ui.js';

export interface AppProps {
  lab: Lab;
  services: Services;
  session: Session;
  /** Use the built-in simulated cluster (start --simulate). */
  simulate: boolean;
  /** Open on this screen only; leaving it ends the app (`churn-labs quiz` in a terminal). */
  only?: Route;
  /** Sees warnings from the core (a progress file moved aside), to print them. */
  onWarnings?: (print: (message: string) => void) => void;
  onExit: (code: number) => void;
}

interface Entry {
  key: number;
  node: ReactNode;
}

/** Ink draws at most every 33 ms; let its last frame land before an editor takes the screen. */
const FRAME_SETTLE_MS = 50;

export function App(props: AppProps) {
  const { exit } = useApp();
  const { stdin } = useStdin();
  const { stdout } = useStdout();
  const columns = stdout.columns || 80;
  const [help, setHelp] = useState(false);
  const [typing, setTyping, typingNow] = useSyncState(false);
  const [suspended, setSuspended] = useState(false);
  const [quitting, setQuitting] = useState(false);
  const [transcript, setTranscript] = useState<Entry[]>([]);
  const nextKey = useRef(0);
  const quitStarted = useRef(false);
  const handedOver = useRef<(() => void) | undefined>(undefined);

  const print = useCallback((node: ReactNode) => {
    const key = nextKey.current++;
    setTranscript((entries) => [...entries, { key, node }]);
  }, []);

  const quit = useCallback(
    (code = 0) => {
      if (quitStarted.current) return;
      quitStarted.current = true;
      setQuitting(true);
      void props.session.close().finally(() => {
        props.onExit(code);
        exit();
      });
    },
    [props.session, props.onExit, exit],
  );

  useEffect(() => props.session.onQuitRequest(quit), [props.session, quit]);
  useEffect(
    () => props.onWarnings?.((message) => print(<Text color="yellow">{message}</Text>)),
    [props.onWarnings, print],
  );

  const handOver = useCallback(
    async <T,>(run: () => Promise<T>): Promise<T> => {
      await new Promise<void>((resolve) => {
        handedOver.current = resolve;
        setSuspended(true);
      });
      // The editor gets the terminal as a shell would hand it over: in its normal (cooked) mode,
      // with this process no longer reading keys. Raw mode and reading come back after it.
      releaseKeyboard(stdin);
      try {
        return await run();
      } finally {
        takeKeyboard(stdin);
        setSuspended(false);
      }
    },
    [stdin],
  );
  useEffect(() => {
    // The screen now says the editor has the terminal; let that frame land first.
    if (!suspended || !handedOver.current) return;
    const resolve = handedOver.current;
    handedOver.current = undefined;
    setTimeout(resolve, FRAME_SETTLE_MS);
  }, [suspended]);

  // The one Ink input hook: Ctrl-C and ? here, every other key to the screen's handlers.
  const [router] = useState(() => new KeyRouter());
  const interrupts = useRef<(() => boolean)[]>([]);
  const onInterrupt = useCallback((handler: () => boolean) => {
    interrupts.current.push(handler);
    return () => {
      interrupts.current = interrupts.current.filter((h) => h !== handler);
    };
  }, []);
  const now = useRef({ help, typing, quit, suspended });
  now.current = { help, typing, quit, suspended };
  // Stays subscribed while an editor has the terminal (stdin is paused then), so that no key is
  // lost to Ink subscribing again after the editor closes.
  useInput(
    (input, key) => {
      if (now.current.suspended) return;
      if (key.ctrl && input === 'c') {
        // A first Ctrl-C stops what a screen is running (a solution); the next one quits.
        if (![...interrupts.current].reverse().some((stop) => stop())) now.current.quit(0);
      } else if (now.current.help) setHelp(false);
      else if (input === '?' && !typingNow.current) setHelp(true);
      else if (input.length > 1 && /^[^\r\n]+\r$/.test(input)) {
        // Text typed fast, Enter included, arrives as one chunk (Ink takes it for a paste): the
        // text, then the Enter.
        router.dispatch(input.slice(0, -1), key);
        router.dispatch('', { ...key, return: true });
      } else router.dispatch(input, key);
    },
    { isActive: !quitting },
  );

  const ui = useMemo<Ui>(
    () => ({
      services: props.services,
      session: props.session,
      print,
      inputActive: !help && !suspended && !quitting,
      setTyping,
      handOver,
      onInterrupt,
    }),
    [props.services, props.session, print, help, suspended, quitting, setTyping, handOver, onInterrupt],
  );

  return (
    <KeyContext.Provider value={router}>
      <UiContext.Provider value={ui}>
        <Static items={transcript}>
          {(entry) => (
            // Ink lays <Static> out at the width of its widest item; pin it to the terminal's, so
            // that text wraps between words rather than where the terminal cuts it.
            <Box key={entry.key} width={columns} flexDirection="column">
              {entry.node}
            </Box>
          )}
        </Static>
        {/* The screen stays mounted under the help and the editor, so it keeps its state. */}
        <Box display={help || suspended || quitting ? 'none' : 'flex'} flexDirection="column">
          <Suspense fallback={<Text dimColor>Loading…</Text>}>
            <CourseScreens
              lab={props.lab}
              simulate={props.simulate}
              only={props.only}
              onQuit={() => quit(0)}
            />
          </Suspense>
        </Box>
        {help && !quitting && <Help />}
        {suspended && <Text dimColor>Your editor has the terminal; the quiz goes on when you close it.</Text>}
        {quitting && <Text dimColor>Stopping: ending the watches and commands…</Text>}
      </UiContext.Provider>
    </KeyContext.Provider>
  );
}
