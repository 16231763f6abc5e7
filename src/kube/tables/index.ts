import {
  configMapPrinter,
  eventPrinter,
  leasePrinter,
  namespacePrinter,
  nodePrinter,
  secretPrinter,
} from './cluster.js';
import { daemonSetPrinter, replicationControllerPrinter, statefulSetPrinter } from './controller-sets.js';
import type { Obj } from './format.js';
import { endpointSlicePrinter, endpointsPrinter, ingressPrinter, servicePrinter } from './network.js';
import { podPrinter } from './pods.js';
import { limitRangePrinter, resourceQuotaPrinter } from './policy.js';
import { type Column, NAME, type Printer } from './printer.js';
import { clusterRoleBindingPrinter, roleBindingPrinter, rolePrinter, serviceAccountPrinter } from './rbac.js';
import { pvcPrinter, pvPrinter, storageClassPrinter } from './storage.js';
import { cronJobPrinter, deploymentPrinter, hpaPrinter, jobPrinter, replicaSetPrinter } from './workloads.js';

/**
 * The `as=Table` answer `kubectl get` asks for: a kind's columns and one row per object, with the
 * object itself, its metadata only, or nothing (includeObject=Object|Metadata|None).
 */
const PRINTERS: Record<string, Printer> = {
  Pod: podPrinter,
  Deployment: deploymentPrinter,
  ReplicaSet: replicaSetPrinter,
  ReplicationController: replicationControllerPrinter,
  DaemonSet: daemonSetPrinter,
  StatefulSet: statefulSetPrinter,
  Ingress: ingressPrinter,
  Job: jobPrinter,
  CronJob: cronJobPrinter,
  HorizontalPodAutoscaler: hpaPrinter,
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  EndpointSlice: endpointSlicePrinter,
  Node: nodePrinter,
  Namespace: namespacePrinter,
  Secret: secretPrinter,
  ConfigMap: configMapPrinter,
  ServiceAccount: serviceAccountPrinter,
  Role: rolePrinter,
  ClusterRole: rolePrinter,
  RoleBinding: roleBindingPrinter,
  ClusterRoleBinding: clusterRoleBindingPrinter,
  PersistentVolume: pvPrinter,
  PersistentVolumeClaim: pvcPrinter,
  StorageClass: storageClassPrinter,
  Event: eventPrinter,
  Lease: leasePrinter,
  ResourceQuota: resourceQuotaPrinter,
  LimitRange: limitRangePrinter,
};

/** Kinds without a printer get the generic table of the API server: name and creation time. */
const DEFAULT_PRINTER: Printer = {
  columns: [NAME, { name: 'Created At', type: 'date', description: 'Created At' } as Column],
  row: (o) => [o.metadata?.name ?? '', o.metadata?.creationTimestamp ?? ''],
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '') && /g=meta\.k8s\.io/.test(accept ?? '');
}

function partial(object: Obj): Obj {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

export function toTable(
  kind: string,
  objects: Obj[],
  options: {
    resourceVersion?: string;
    include?: IncludeObject;
    continueToken?: string;
    noHeaders?: boolean;
    /** The printer of a kind defined at run time (a custom resource). */
    printer?: Printer;
  },
): Obj {
  const printer = options.printer ?? PRINTERS[kind] ?? DEFAULT_PRINTER;
  const nowMs = Date.now();
  const include = options.include ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {
      ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.continueToken ? { continue: options.continueToken } : {}),
    },
    columnDefinitions: options.noHeaders
      ? null
      : printer.columns.map((c) => ({
          name: c.name,
          type: c.type,
          format: c.format ?? '',
          description: c.description,
          priority: c.priority ?? 0,
        })),
    rows: objects.map((o) => {
      const conditions = printer.conditions?.(o);
      return {
        cells: printer.row(o, nowMs),
        ...(conditions ? { conditions } : {}),
        ...(include === 'None' ? {} : { object: include === 'Object' ? o : partial(o) }),
      };
    }),
  };
}
