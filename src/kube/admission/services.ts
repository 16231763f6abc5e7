import { invalid } from '../errors.js';
import { validateLabels } from './meta.js';
import { dns1035Label, dns1123Label, portName } from './names.js';
import { type KindRules, type Obj, type ObjectLookup, same } from './rules.js';

/** Services: defaults, cluster IP and node port allocation (10.96.0.0/12, 30000-32767), validation. */
const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

const RANGE_START = ipToNumber('10.96.0.0')!;
const RANGE_SIZE = 2 ** 20;

const numberToIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

function usedClusterIPs(store: ObjectLookup): Set<string> {
  return new Set(store.list('Service').flatMap((s) => (s.spec?.clusterIPs as string[] | undefined) ?? []));
}

/** A free address in the service range; like the real allocator, random rather than sequential. */
export function allocateClusterIP(store: ObjectLookup): string {
  const used = usedClusterIPs(store);
  for (;;) {
    const candidate = numberToIp(RANGE_START + 2 + Math.floor(Math.random() * (2 ** 16 - 3)));
    if (!used.has(candidate)) return candidate;
  }
}

function allocateNodePort(store: ObjectLookup, taken: Set<number>): number {
  for (const s of store.list('Service'))
    for (const p of s.spec?.ports ?? []) if (p.nodePort) taken.add(p.nodePort);
  for (;;) {
    const candidate = 30000 + Math.floor(Math.random() * 2768);
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
}

export const serviceRules: KindRules = {
  name: dns1035Label,
  defaults(svc) {
    svc.spec ??= {};
    const spec = svc.spec;
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    for (const p of spec.ports ?? []) {
      if (!p || typeof p !== 'object') continue;
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
    if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
    if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  },
  prepareCreate(svc, { store }) {
    const spec = svc.spec;
    if (spec.type !== 'ExternalName') {
      const wanted = spec.clusterIP ?? spec.clusterIPs?.[0];
      const ip = wanted === undefined || wanted === '' ? allocateClusterIP(store) : wanted;
      if (ip !== 'None') {
        const n = ipToNumber(ip);
        if (n === undefined || n < RANGE_START || n >= RANGE_START + RANGE_SIZE)
          throw badRequestInvalid(
            svc,
            ip,
            `the provided IP (${ip}) is not in the valid range. The range of valid IPs is 10.96.0.0/12`,
          );
        if (wanted && usedClusterIPs(store).has(ip))
          throw badRequestInvalid(svc, ip, `the provided IP (${ip}) is already allocated`);
      }
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
      if (ip !== 'None' || spec.selector) {
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
    }
    if (
      spec.type === 'NodePort' ||
      (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false)
    ) {
      const taken = new Set<number>();
      for (const p of spec.ports ?? []) if (!p.nodePort) p.nodePort = allocateNodePort(store, taken);
    }
    svc.status = { loadBalancer: {} };
  },
  prepareUpdate(svc, old, { store }) {
    svc.spec ??= {};
    const spec = svc.spec;
    // Fields the server allocated survive an update that leaves them out (kubectl replace).
    if (!spec.clusterIP && old.spec?.clusterIP) spec.clusterIP = old.spec.clusterIP;
    if (!spec.clusterIPs && old.spec?.clusterIPs) spec.clusterIPs = old.spec.clusterIPs;
    if (!spec.ipFamilies && old.spec?.ipFamilies) spec.ipFamilies = old.spec.ipFamilies;
    if (!spec.ipFamilyPolicy && old.spec?.ipFamilyPolicy) spec.ipFamilyPolicy = old.spec.ipFamilyPolicy;
    // A change of type takes or gives node ports, as dropTypeDependentFields and the allocator do.
    const withNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    const taken = new Set<number>();
    for (const p of spec.ports ?? []) {
      if (!withNodePorts) {
        delete p.nodePort;
        continue;
      }
      const before = (old.spec?.ports ?? []).find(
        (o: Obj) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'),
      );
      if (!p.nodePort) p.nodePort = before?.nodePort ?? allocateNodePort(store, taken);
    }
  },
  validate(svc, errors) {
    const spec = svc.spec ?? {};
    if (!TYPES.includes(spec.type)) errors.notSupported('spec.type', spec.type, TYPES);
    if (!['None', 'ClientIP'].includes(spec.sessionAffinity))
      errors.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']);
    const ports: Obj[] = spec.ports ?? [];
    if (ports.length === 0 && spec.type !== 'ExternalName' && spec.clusterIP !== 'None')
      errors.required('spec.ports');
    const names = new Set<string>();
    ports.forEach((p, i) => {
      const at = `spec.ports[${i}]`;
      if (ports.length > 1 && !p?.name) errors.required(`${at}.name`);
      if (p?.name) {
        for (const problem of dns1123Label(p.name)) errors.invalid(`${at}.name`, p.name, problem);
        if (names.has(p.name)) errors.duplicate(`${at}.name`, p.name);
        names.add(p.name);
      }
      if (!isPort(p?.port))
        errors.invalid(`${at}.port`, p?.port ?? 0, 'must be between 1 and 65535, inclusive');
      if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol))
        errors.notSupported(`${at}.protocol`, p.protocol, PROTOCOLS);
      if (typeof p?.targetPort === 'number' && !isPort(p.targetPort))
        errors.invalid(`${at}.targetPort`, p.targetPort, 'must be between 1 and 65535, inclusive');
      if (typeof p?.targetPort === 'string')
        for (const problem of portName(p.targetPort))
          errors.invalid(`${at}.targetPort`, p.targetPort, problem);
      if (p?.nodePort !== undefined && (p.nodePort < 30000 || p.nodePort > 32767))
        errors.invalid(
          `${at}.nodePort`,
          p.nodePort,
          'provided port is not in the valid range. The range of valid ports is 30000-32767',
        );
      if (spec.type === 'ClusterIP' && p?.nodePort)
        errors.forbidden(`${at}.nodePort`, "may not be used when `type` is 'ClusterIP'");
    });
    validateLabels(spec.selector, 'spec.selector', errors);
    if (spec.type === 'ExternalName' && !spec.externalName) errors.required('spec.externalName');
  },
  validateUpdate(svc, old, errors) {
    const before = old.spec?.clusterIPs;
    if (
      before &&
      svc.spec?.type !== 'ExternalName' &&
      old.spec?.type !== 'ExternalName' &&
      !same(svc.spec?.clusterIPs, before)
    )
      errors.invalid('spec.clusterIPs[0]', svc.spec?.clusterIPs ?? [], 'may not change once set');
  },
};

const isPort = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

function badRequestInvalid(svc: Obj, ip: string, why: string) {
  return invalid('Service', '', svc.metadata?.name ?? '', [
    {
      field: 'spec.clusterIPs',
      message: `Invalid value: []string{${JSON.stringify(ip)}}: failed to allocate IP ${ip}: ${why}`,
    },
  ]);
}
