import { type Obj, since } from './format.js';
import { AGE, col, NAME, type Printer } from './printer.js';

/** Tables of nodes, namespaces, configuration, events and leases (printers.go). */
export const nodePrinter: Printer = {
  columns: [
    NAME,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    AGE,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node.', 1),
    col('External-IP', 'string', 'List of addresses reachable to the node.', 1),
    col(
      'OS-Image',
      'string',
      'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
      1,
    ),
    col(
      'Kernel-Version',
      'string',
      "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      1,
    ),
    col(
      'Container-Runtime',
      'string',
      'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
      1,
    ),
  ],
  row(node, nowMs) {
    const ready = (node.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
    const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
    if (node.spec?.unschedulable) status.push('SchedulingDisabled');
    const roles = Object.entries(node.metadata.labels ?? {})
      .map(([k, v]) =>
        k.startsWith('node-role.kubernetes.io/')
          ? k.slice('node-role.kubernetes.io/'.length)
          : k === 'kubernetes.io/role'
            ? String(v)
            : '',
      )
      .filter(Boolean);
    const info = node.status?.nodeInfo ?? {};
    const address = (type: string) =>
      (node.status?.addresses ?? []).find((a: Obj) => a.type === type)?.address ?? '<none>';
    return [
      node.metadata.name,
      status.join(','),
      roles.length ? roles.join(',') : '<none>',
      since(node.metadata.creationTimestamp, nowMs),
      info.kubeletVersion ?? '',
      address('InternalIP'),
      address('ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

export const namespacePrinter: Printer = {
  columns: [NAME, col('Status', 'string', 'The status of the namespace'), AGE],
  row: (ns, nowMs) => [ns.metadata.name, ns.status?.phase ?? '', since(ns.metadata.creationTimestamp, nowMs)],
};

export const secretPrinter: Printer = {
  columns: [
    NAME,
    col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
    col('Data', 'string', 'Data contains the secret data.'),
    AGE,
  ],
  row: (s, nowMs) => [
    s.metadata.name,
    s.type ?? '',
    Object.keys(s.data ?? {}).length,
    since(s.metadata.creationTimestamp, nowMs),
  ],
};

export const configMapPrinter: Printer = {
  columns: [NAME, col('Data', 'string', 'Data contains the configuration data.'), AGE],
  row: (cm, nowMs) => [
    cm.metadata.name,
    Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    since(cm.metadata.creationTimestamp, nowMs),
  ],
};

export const eventPrinter: Printer = {
  columns: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col(
      'Reason',
      'string',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    col('Object', 'string', 'The object that this event is about.'),
    col(
      'Subobject',
      'string',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go-field access statement.',
      1,
    ),
    col(
      'Source',
      'string',
      'The component reporting this event. Should be a short machine understandable string.',
      1,
    ),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col(
      'First Seen',
      'string',
      'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
      1,
    ),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    { ...NAME, priority: 1 },
  ],
  row(ev, nowMs) {
    const first = ev.firstTimestamp ? since(ev.firstTimestamp, nowMs) : since(ev.eventTime, nowMs);
    let last = ev.lastTimestamp ? since(ev.lastTimestamp, nowMs) : first;
    let count = ev.count ?? 0;
    if (ev.series) {
      last = since(ev.series.lastObservedTime, nowMs);
      count = ev.series.count;
    } else if (!count) count = 1;
    const involved = ev.involvedObject ?? {};
    const target = involved.name
      ? `${String(involved.kind ?? '').toLowerCase()}/${involved.name}`
      : String(involved.kind ?? '').toLowerCase();
    const component = ev.source?.component || ev.reportingComponent || '';
    const host = ev.source?.host || ev.reportingInstance || '';
    return [
      last,
      ev.type ?? '',
      ev.reason ?? '',
      target,
      involved.fieldPath ?? '',
      host ? `${component}, ${host}` : component,
      String(ev.message ?? '').trim(),
      first,
      count,
      ev.metadata.name,
    ];
  },
};

export const leasePrinter: Printer = {
  columns: [
    NAME,
    col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'),
    AGE,
  ],
  row: (lease, nowMs) => [
    lease.metadata.name,
    lease.spec?.holderIdentity ?? '',
    since(lease.metadata.creationTimestamp, nowMs),
  ],
};
