import type { Quiz } from '../course/schema.js';
import { type Lab, openLab, SIM_CONTEXT } from '../lab.js';
import type { Route } from './app/CourseScreens.js';

/**
 * The terminal app's two doors: `churn-labs start` (the whole course) and `churn-labs quiz` in a
 * terminal (the quiz alone).
 */
export interface StartOptions {
  simulate: boolean;
  context?: string;
  kubeconfig?: string;
}

export async function runStart(options: StartOptions): Promise<number> {
  const [lab, { mountApp }] = await Promise.all([
    openLab(
      options.simulate
        ? { context: SIM_CONTEXT }
        : { context: options.context, kubeconfig: options.kubeconfig },
    ),
    loadApp(),
  ]);
  // `start` alone resumes the lab last brought up, the simulated one included.
  return mountApp({ lab, simulate: options.simulate || lab.simulated });
}

export async function runQuiz(lab: Lab, quiz: Quiz): Promise<number> {
  const { mountApp } = await loadApp();
  const only: Route = { screen: 'quiz', quiz: quiz.id };
  return mountApp({ lab, simulate: lab.simulated, only });
}

/**
 * Loads Ink and the app. Ink's layout engine (yoga-layout) reads its WebAssembly from a data: URL
 * through fetch() when there is one, which starts Node's HTTP client first (some 40 ms of a 300 ms
 * budget for the first frame); without fetch it decodes the same bytes itself.
 */
async function loadApp() {
  const fetch = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  delete (globalThis as { fetch?: unknown }).fetch;
  try {
    return await import('./app/mount.js');
  } finally {
    if (fetch) Object.defineProperty(globalThis, 'fetch', fetch);
  }
}
