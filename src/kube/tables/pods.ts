import type { KubeObject } from '../objects.js';
import { podStatus } from '../pod-status.js';
import { condition, humanDuration, type Obj, since } from './format.js';
import { AGE, col, NAME, type Printer } from './printer.js';

/**
 * The table of pods, after k8s.io/kubernetes/pkg/printers/internalversion/printers.go: the same
 * columns, and the same STATUS a real cluster computes (src/course/pod-status.ts).
 */
export const podPrinter: Printer = {
  columns: [
    NAME,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    AGE,
    col(
      'IP',
      'string',
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      1,
    ),
    col('Node', 'string', 'NodeName indicates in which node this pod is scheduled.', 1),
    col(
      'Nominated Node',
      'string',
      'nominatedNodeName is set only when this pod preempts other pods on the node.',
      1,
    ),
    col(
      'Readiness Gates',
      'string',
      'If specified, all readiness gates will be evaluated for pod readiness.',
      1,
    ),
  ],
  row(pod, nowMs) {
    const { ready, reason, restarts, lastRestart } = podStatus(pod as KubeObject);
    const restartsText =
      restarts !== 0 && lastRestart
        ? `${restarts} (${humanDuration(nowMs - lastRestart)} ago)`
        : String(restarts);
    const gates: Obj[] = pod.spec?.readinessGates ?? [];
    const gatesText = gates.length
      ? `${gates.filter((g) => condition(pod, g.conditionType)?.status === 'True').length}/${gates.length}`
      : '<none>';
    return [
      pod.metadata.name,
      ready,
      reason,
      restartsText,
      since(pod.metadata.creationTimestamp, nowMs),
      pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>',
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      gatesText,
    ];
  },
  conditions(pod) {
    if (pod.status?.phase === 'Succeeded')
      return [
        {
          type: 'Completed',
          status: 'True',
          reason: 'Succeeded',
          message: 'The pod has completed successfully.',
        },
      ];
    if (pod.status?.phase === 'Failed')
      return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};
