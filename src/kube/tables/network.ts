import { formatLabels } from '../selectors.js';
import { listWithMore, type Obj, since } from './format.js';
import { AGE, col, NAME, type Printer } from './printer.js';

/** Tables of Services, Endpoints and EndpointSlices (printers.go). */
export const servicePrinter: Printer = {
  columns: [
    NAME,
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col(
      'Cluster-IP',
      'string',
      'clusterIP is the IP address of the service and is usually assigned randomly.',
    ),
    col(
      'External-IP',
      'string',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    ),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    AGE,
    col(
      'Selector',
      'string',
      'Route service traffic to pods with label keys and values matching this selector.',
      1,
    ),
  ],
  row(svc, nowMs) {
    const spec = svc.spec ?? {};
    const ports: Obj[] = spec.ports ?? [];
    const portText = ports
      .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`))
      .join(',');
    return [
      svc.metadata.name,
      spec.type ?? '',
      spec.clusterIPs?.[0] ?? '<none>',
      externalIP(svc),
      portText || '<none>',
      since(svc.metadata.creationTimestamp, nowMs),
      formatLabels(spec.selector),
    ];
  },
};

function externalIP(svc: Obj): string {
  const spec = svc.spec ?? {};
  const external: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress: Obj[] = svc.status?.loadBalancer?.ingress ?? [];
      const lb = [...new Set(ingress.map((i) => i.ip || i.hostname).filter(Boolean))];
      if (external.length) return [...lb, ...external].join(',');
      return lb.length ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export const endpointsPrinter: Printer = {
  columns: [NAME, col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'), AGE],
  row(ep, nowMs) {
    const list: string[] = [];
    let count = 0;
    for (const subset of ep.subsets ?? []) {
      const addresses: Obj[] = subset.addresses ?? [];
      const ports: Obj[] = subset.ports ?? [];
      if (ports.length === 0) {
        count += addresses.length;
        for (const a of addresses) if (list.length < 3) list.push(a.ip);
        continue;
      }
      for (const port of ports) {
        count += addresses.length;
        for (const a of addresses) if (list.length < 3) list.push(`${a.ip}:${port.port}`);
      }
    }
    const text =
      list.length === 0 ? '<none>' : count > 3 ? `${list.join(',')} + ${count - 3} more...` : list.join(',');
    return [ep.metadata.name, text, since(ep.metadata.creationTimestamp, nowMs)];
  },
};

export const endpointSlicePrinter: Printer = {
  columns: [
    NAME,
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col(
      'Ports',
      'string',
      'ports specifies the list of network ports exposed by each endpoint in this slice.',
    ),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    AGE,
  ],
  row(slice, nowMs) {
    const ports: Obj[] = slice.ports ?? [];
    const portList = ports.map((p) =>
      p.port !== undefined && p.port !== null ? String(p.port) : (p.name ?? '*'),
    );
    const addresses: string[] = (slice.endpoints ?? []).flatMap((e: Obj) => e.addresses ?? []);
    return [
      slice.metadata.name,
      slice.addressType ?? '',
      listWithMore(portList, portList.length, 3),
      listWithMore(addresses, addresses.length, 3),
      since(slice.metadata.creationTimestamp, nowMs),
    ];
  },
};

/** formatHosts: the first three hosts, `*` when no rule names one. */
function ingressHosts(rules: Obj[]): string {
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === 3) more = true;
    if (!more && rule?.host) hosts.push(rule.host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

export const ingressPrinter: Printer = {
  columns: [
    NAME,
    col(
      'Class',
      'string',
      'The name of the IngressClass resource that should be used for additional configuration',
    ),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE,
  ],
  row(ing, nowMs) {
    const spec = ing.spec ?? {};
    const points: Obj[] = ing.status?.loadBalancer?.ingress ?? [];
    const address = [...new Set(points.map((p) => p?.ip || p?.hostname).filter(Boolean))].sort().join(',');
    return [
      ing.metadata.name,
      typeof spec.ingressClassName === 'string' ? spec.ingressClassName : '<none>',
      ingressHosts(Array.isArray(spec.rules) ? spec.rules : []),
      address,
      Array.isArray(spec.tls) && spec.tls.length > 0 ? '80, 443' : '80',
      since(ing.metadata.creationTimestamp, nowMs),
    ];
  },
};
