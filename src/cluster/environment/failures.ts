import { osFix } from '../doctor.js';
import { outputTail, type ToolResult } from '../tool.js';
import { StepFailed } from './steps.js';

/**
 * Turns a failed docker or kind run into one sentence and a fix. The daemon can die in the middle
 * of `up` (Docker Desktop quits, the laptop sleeps); a port can be taken by another program.
 */
const DAEMON_DOWN = /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i;

export function daemonDown(result: ToolResult): boolean {
  return DAEMON_DOWN.test(`${result.stderr}\n${result.stdout}`);
}

/** The host port that kind could not publish, when that is why it failed. */
export function takenPort(text: string): number | undefined {
  const match =
    /Bind for [^\s]*:(\d+) failed: port is already allocated/i.exec(text) ??
    /listen tcp[46]? [^\s]*:(\d+): bind: address already in use/i.exec(text) ??
    /ports are not available: exposing port TCP [^\s]*:(\d+)/i.exec(text);
  return match ? Number(match[1]) : undefined;
}

function missingTool(tool: 'docker' | 'kind'): StepFailed {
  return new StepFailed(
    `${tool} is not installed (not found on PATH).`,
    `${osFix(tool)} To practise without Docker, use the simulated cluster: churn-labs start --simulate`,
  );
}

/** The failure for a docker/kind command that did not work, recognising the usual causes. */
export function toolFailure(result: ToolResult, what: string): StepFailed {
  const tail = outputTail(result);
  if (result.missing) return missingTool(result.command.startsWith('kind') ? 'kind' : 'docker');
  if (daemonDown(result))
    return new StepFailed(
      `The Docker daemon stopped answering while ${what}.`,
      `${osFix('daemonDown')} Then run churn-labs up again: it picks up where it stopped.`,
      tail,
    );
  if (result.timedOut)
    return new StepFailed(
      `${capitalize(what)} took too long and was stopped.`,
      'Check that Docker is responsive (docker info), then run churn-labs up again.',
      tail,
    );
  return new StepFailed(
    `${capitalize(what)} failed (exit code ${result.exitCode ?? 'none'}).`,
    'Read the output below; fix what it says, then run churn-labs up again.',
    tail,
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
