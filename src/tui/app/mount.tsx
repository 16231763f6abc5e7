import { render } from 'ink';
import { closeLab, type Lab } from '../../lab.js';
import { realServices } from '../real-services.js';
import type { Services } from '../services.js';
import { Session } from '../session.js';
import { App } from './App.js';
import type { Route } from './CourseScreens.js';
import { startTimings } from './timings.js';

/**
 * Draws the app until it ends, and ends with the terminal restored and every process the app
 * started ended, whether the learner quits, presses Ctrl-C, or the app gets SIGTERM or SIGHUP.
 */
const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** If something still holds the event loop after the app has cleaned up, do not hang on it. */
const EXIT_GRACE_MS = 3_000;

export async function mountApp(options: { lab: Lab; simulate: boolean; only?: Route; services?: Services }) {
  const session = new Session();
  // The kubectl proxy that the checks' HTTP probes share ends with the app.
  session.hold(closeLab);
  let exitCode = 0;
  // Warnings from the core go above the app, not through stderr across its frame.
  const early: string[] = [];
  let printWarning: ((message: string) => void) | undefined;
  const lab: Lab = {
    ...options.lab,
    warn: (message) => (printWarning ? printWarning(message) : early.push(message)),
  };
  // The exit code a signal asks for, whichever way the app then ends: Ink's own exit hook
  // (signal-exit) may unmount it on the same signal before the app's quit has finished.
  let signalled: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = SIGNAL_CODES[signal] ?? 1;
    signalled ??= code;
    if (!session.requestQuit(code)) {
      void session.close().finally(() => process.exit(code));
    }
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);

  const timings = startTimings(process.env.CHURN_LABS_TUI_TIMINGS);
  const instance = render(
    <App
      lab={lab}
      services={options.services ?? realServices()}
      session={session}
      simulate={options.simulate}
      only={options.only}
      onWarnings={(print) => {
        printWarning = print;
        for (const message of early.splice(0)) print(message);
      }}
      onExit={(code) => {
        exitCode = code;
      }}
    />,
    { exitOnCtrlC: false, onRender: timings?.onRender },
  );
  try {
    await instance.waitUntilExit();
  } finally {
    const simulator = session.simulator;
    await session.close();
    // Like a kind cluster, the simulated one outlives the app: say where it is and how to stop it.
    if (simulator && !options.services)
      process.stdout.write(
        `The simulated cluster keeps running in the background (context ${simulator.context}, kubeconfig ${simulator.kubeconfig}): kubectl works on it, and churn-labs down --simulate stops it.\n`,
      );
    await timings?.save();
    // The signal handlers stay until the process ends: a signal that signal-exit raises again
    // after unmounting finds them, and cannot kill the process before its children are ended.
    process.stdin.pause();
    setTimeout(() => process.exit(signalled ?? exitCode), EXIT_GRACE_MS).unref();
  }
  return signalled ?? exitCode;
}
