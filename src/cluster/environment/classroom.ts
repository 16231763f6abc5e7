import { type ClusterTarget, targetFlags, unreachableReason } from '../kubectl.js';
import { outputTail } from '../tool.js';
import { kube } from './kube.js';
import { commandLine, type Step, StepFailed } from './steps.js';

/**
 * A classroom learner's environment (`start --kubeconfig <name>.kubeconfig`): the instructor's
 * `classroom create` made the namespace, the access and the cluster-wide objects on a shared
 * cluster, so there is no kind, no Docker and nothing to install. What is left: the learner's
 * context answers with their credentials, and their namespace is there.
 */
export function classroomNamespaceStep(target: ClusterTarget, namespace: string): Step {
  const args = ['get', 'namespace', namespace, '-o', 'name'];
  return {
    id: 'classroom',
    title: `Your namespace ${namespace}`,
    command: commandLine('kubectl', [...targetFlags(target), ...args]),
    async run(io) {
      const result = await kube(io, target, args, { timeoutMs: 20_000 });
      if (result.ok)
        return {
          outcome: 'ok',
          detail: `context ${target.context} answers; namespace ${namespace} is there`,
        };
      const said = result.stderr;
      if (/Unauthorized|must be logged in|provide credentials/i.test(said))
        throw new StepFailed(
          `The cluster of context ${target.context} does not accept your kubeconfig's credentials.`,
          'The class may have been deleted or your access renewed: ask your instructor for a new kubeconfig.',
          outputTail(result),
        );
      const reason = unreachableReason(result, target);
      if (reason)
        throw new StepFailed(
          reason,
          'Check your network, or ask your instructor whether the class cluster is up.',
          outputTail(result),
        );
      if (/NotFound|not found/i.test(said))
        throw new StepFailed(
          `The namespace ${namespace} does not exist on the cluster of context ${target.context}.`,
          "Your instructor's `churn-labs classroom create` makes it: ask them to run it again (it adds what is missing).",
          outputTail(result),
        );
      if (/Forbidden|forbidden/.test(said))
        throw new StepFailed(
          `Your kubeconfig may not read the namespace ${namespace} on the cluster of context ${target.context}.`,
          'Is this the kubeconfig your instructor gave you? Run churn-labs start --kubeconfig <your name>.kubeconfig.',
          outputTail(result),
        );
      throw new StepFailed(
        `kubectl could not read the namespace ${namespace}.`,
        'Read the output below, then try again.',
        outputTail(result),
      );
    },
  };
}
