import { osFix } from '../doctor.js';
import { currentHostOs, dockerTrouble, troubleFix } from '../host.js';
import { outputTail, type ToolResult } from '../tool.js';
import { StepFailed } from './steps.js';

/**
 * Turns a failed docker or kind run into one sentence and a fix. The daemon can die in the middle
 * of `up` (Docker Desktop quits, the laptop sleeps); a port can be taken by another program;
 * Docker Hub can refuse a pull.
 */
export function daemonDown(result: ToolResult): boolean {
  return dockerTrouble(`${result.stderr}\n${result.stdout}`) !== undefined;
}

/** The host port that kind could not publish, when that is why it failed. */
export function takenPort(text: string): number | undefined {
  const match =
    /Bind for [^\s]*:(\d+) failed: port is already allocated/i.exec(text) ??
    /listen tcp[46]? [^\s]*:(\d+): bind: address already in use/i.exec(text) ??
    /ports are not available: exposing port TCP [^\s]*:(\d+)/i.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * Docker Hub's pull limit for anonymous users ("toomanyrequests: You have reached your
 * unauthenticated pull rate limit"), and the image it refused, when the output names one.
 */
export function pullLimit(text: string): { image?: string } | undefined {
  if (!/toomanyrequests|pull rate limit/i.test(text)) return undefined;
  const image =
    /failed to pull image "?([^"\s:]+:[^"\s]+)"?/i.exec(text)?.[1] ??
    /failed to resolve source metadata for ([^\s:]+:[^\s:]+)/i.exec(text)?.[1] ??
    /docker pull ([^\s"]+)/i.exec(text)?.[1];
  return { image: image?.replace(/^docker\.io\/(library\/)?/, '') };
}

export function pullLimitFailure(text: string, what: string): StepFailed | undefined {
  const limit = pullLimit(text);
  if (!limit) return undefined;
  return new StepFailed(
    `Docker Hub refused to send ${limit.image ?? 'an image'} while ${what}: the pull limit for anonymous downloads is reached (toomanyrequests).`,
    osFix('pullLimit'),
    text.trim().split('\n').slice(-6).join('\n'),
  );
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
  const text = `${result.stderr}\n${result.stdout}`;
  if (result.missing) return missingTool(result.command.startsWith('kind') ? 'kind' : 'docker');
  const trouble = dockerTrouble(text);
  if (trouble) {
    const said = trouble === 'permission' ? 'refused to let this user in' : 'stopped answering';
    return new StepFailed(
      `The Docker daemon ${said} while ${what}.`,
      `${troubleFix(trouble, currentHostOs())} Then run churn-labs up again: it picks up where it stopped.`,
      tail,
    );
  }
  const limited = pullLimitFailure(text, what);
  if (limited) return limited;
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
