import { emptyProgress, PROGRESS_VERSION, type Progress, progressProblem } from '../course/progress.js';
import { own } from '../kube/own.js';

/** The progress a ConfigMap's `progress.json` holds, or an empty one and what is wrong with it. */
export function readProgressJson(text: unknown): { progress: Progress; problem?: string } {
  if (typeof text !== 'string') return { progress: emptyProgress(), problem: 'progress.json is missing' };
  try {
    const data = JSON.parse(text) as unknown;
    const version = own(data, 'version');
    if (typeof version === 'number' && version > PROGRESS_VERSION)
      return {
        progress: emptyProgress(),
        problem: `progress.json is of a newer churn-labs (format ${version})`,
      };
    const problem = progressProblem(data);
    return problem
      ? { progress: emptyProgress(), problem: `progress.json is not valid (${problem})` }
      : { progress: data as Progress };
  } catch {
    return { progress: emptyProgress(), problem: 'progress.json is not JSON' };
  }
}
