import { formatLabelSelector, selectorFromObject, selectorString } from '../selectors.js';
import { condition, containerCells, humanDuration, type Obj, since } from './format.js';
import { AGE, CONTAINERS, col, IMAGES, NAME, type Printer } from './printer.js';

/** Tables of Deployments, ReplicaSets, Jobs, CronJobs and HorizontalPodAutoscalers (printers.go). */
const SELECTOR_WIDE = (description: string) => col('Selector', 'string', description, 1);

export const deploymentPrinter: Printer = {
  columns: [
    NAME,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col(
      'Up-to-date',
      'string',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    col(
      'Available',
      'string',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR_WIDE('Label selector for pods.'),
  ],
  row(d, nowMs) {
    const s = d.status ?? {};
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata.name,
      `${s.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      s.updatedReplicas ?? 0,
      s.availableReplicas ?? 0,
      since(d.metadata.creationTimestamp, nowMs),
      names,
      images,
      selectorString(selectorFromObject(d.spec?.selector)),
    ];
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    NAME,
    col('Desired', 'integer', 'Replicas is the number of desired pods.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of non-terminating pods.'),
    col(
      'Ready',
      'integer',
      'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.',
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR_WIDE('Selector is a label query over pods that should match the replica count.'),
  ],
  row(rs, nowMs) {
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata.name,
      rs.spec?.replicas ?? 0,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      since(rs.metadata.creationTimestamp, nowMs),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

export const jobPrinter: Printer = {
  columns: [
    NAME,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR_WIDE('A label query over pods that should match the pod count.'),
  ],
  row(job, nowMs) {
    const spec = job.spec ?? {};
    const s = job.status ?? {};
    const succeeded = s.succeeded ?? 0;
    const completions =
      spec.completions !== undefined && spec.completions !== null
        ? `${succeeded}/${spec.completions}`
        : (spec.parallelism ?? 0) > 1
          ? `${succeeded}/1 of ${spec.parallelism}`
          : `${succeeded}/1`;
    const start = s.startTime ? Date.parse(s.startTime) : undefined;
    const duration =
      start === undefined
        ? ''
        : humanDuration((s.completionTime ? Date.parse(s.completionTime) : nowMs) - start);
    const is = (type: string) => condition(job, type)?.status === 'True';
    const status = is('Complete')
      ? 'Complete'
      : is('Failed')
        ? 'Failed'
        : job.metadata.deletionTimestamp
          ? 'Terminating'
          : is('Suspended')
            ? 'Suspended'
            : is('FailureTarget')
              ? 'FailureTarget'
              : 'Running';
    const [names, images] = containerCells(spec.template?.spec?.containers);
    return [
      job.metadata.name,
      status,
      completions,
      duration,
      since(job.metadata.creationTimestamp, nowMs),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    NAME,
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'string', 'The time zone name for the given schedule.'),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR_WIDE('A label query over pods that should match the pod count.'),
  ],
  row(cj, nowMs) {
    const spec = cj.spec ?? {};
    const [names, images] = containerCells(spec.jobTemplate?.spec?.template?.spec?.containers);
    return [
      cj.metadata.name,
      spec.schedule ?? '',
      spec.timeZone ?? '<none>',
      spec.suspend === undefined || spec.suspend === null ? '<unset>' : spec.suspend ? 'True' : 'False',
      (cj.status?.active ?? []).length,
      cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, nowMs) : '<none>',
      since(cj.metadata.creationTimestamp, nowMs),
      names,
      images,
      formatLabelSelector(spec.jobTemplate?.spec?.selector),
    ];
  },
};

function hpaTargets(specs: Obj[], statuses: Obj[]): string {
  if (specs.length === 0) return '<none>';
  const list = specs.map((spec, i) => {
    const status = statuses[i];
    switch (spec.type) {
      case 'Resource':
      case 'ContainerResource': {
        const field = spec.type === 'Resource' ? 'resource' : 'containerResource';
        const source = spec[field] ?? {};
        const current = status?.[field]?.current;
        if (source.target?.averageValue !== undefined)
          return `${source.name}: ${current?.averageValue ?? '<unknown>'}/${source.target.averageValue}`;
        const now =
          current?.averageUtilization !== undefined ? `${current.averageUtilization}%` : '<unknown>';
        const target =
          source.target?.averageUtilization !== undefined ? `${source.target.averageUtilization}%` : '<auto>';
        return `${source.name}: ${now}/${target}`;
      }
      case 'Pods':
        return `${status?.pods?.current?.averageValue ?? '<unknown>'}/${spec.pods?.target?.averageValue}`;
      case 'Object':
      case 'External': {
        const field = spec.type === 'Object' ? 'object' : 'external';
        const target = spec[field]?.target ?? {};
        if (target.averageValue !== undefined)
          return `${status?.[field]?.current?.averageValue ?? '<unknown>'}/${target.averageValue} (avg)`;
        return `${status?.[field]?.current?.value ?? '<unknown>'}/${target.value}`;
      }
      default:
        return '<unknown type>';
    }
  });
  if (list.length > 2) return `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...`;
  return list.join(', ');
}

export const hpaPrinter: Printer = {
  columns: [
    NAME,
    col('Reference', 'string', 'scaleTargetRef points to the target resource to scale.'),
    col(
      'Targets',
      'string',
      'metrics contains the specifications for which to use to calculate the desired replica count.',
    ),
    col(
      'MinPods',
      'string',
      'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.',
    ),
    col(
      'MaxPods',
      'string',
      'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.',
    ),
    col(
      'Replicas',
      'string',
      'currentReplicas is current number of replicas of pods managed by this autoscaler.',
    ),
    AGE,
  ],
  row(hpa, nowMs) {
    const spec = hpa.spec ?? {};
    return [
      hpa.metadata.name,
      `${spec.scaleTargetRef?.kind}/${spec.scaleTargetRef?.name}`,
      hpaTargets(spec.metrics ?? [], hpa.status?.currentMetrics ?? []),
      spec.minReplicas !== undefined ? String(spec.minReplicas) : '<unset>',
      spec.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      since(hpa.metadata.creationTimestamp, nowMs),
    ];
  },
};
