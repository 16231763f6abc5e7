import { invalid } from '../errors.js';
import type { FieldErrors } from './field-errors.js';
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
      assignClusterIP(svc, store);
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
    syncClusterIPs(spec, old.spec ?? {});
    if (spec.type !== 'ExternalName' && old.spec?.type === 'ExternalName') assignClusterIP(svc, store);
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
    validateClusterIPsInLine(spec, errors);
  },
  updateChecksFirst: true,
  validateUpdate(svc, old, errors) {
    validateClusterIPChange(svc.spec ?? {}, old.spec ?? {}, errors);
  },
};

/** Allocates (or checks the asked-for) cluster IP of a Service that needs one. */
function assignClusterIP(svc: Obj, store: ObjectLookup): void {
  const spec = svc.spec;
  const wanted = spec.clusterIP || spec.clusterIPs?.[0];
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

const needsClusterIP = (spec: Obj) => spec.type !== 'ExternalName';
const ips = (spec: Obj): string[] => (Array.isArray(spec.clusterIPs) ? spec.clusterIPs : []);

/**
 * What the Service REST storage does with clusterIP and clusterIPs on an update, before
 * validation: values the server allocated and the client left out are kept (patchAllocatedValues:
 * a replace of the same manifest succeeds), the singular and plural fields are brought in line
 * (normalizeClusterIPs: a client that knows only `clusterIP` changes both, and validation then
 * refuses the change), and a switch to ExternalName drops the addresses the client did not touch
 * (dropTypeDependentFields).
 */
function syncClusterIPs(spec: Obj, old: Obj): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!spec.clusterIP) spec.clusterIP = old.clusterIP;
    if (ips(spec).length === 0 && ips(old).length > 0) spec.clusterIPs = old.clusterIPs;
  }
  const sameIPs = same(ips(spec), ips(old));
  if (ips(old).length > 0 && ips(spec).length === 0 && (old.clusterIP ?? '') === (spec.clusterIP ?? ''))
    spec.clusterIPs = old.clusterIPs;
  if ((old.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    if (old.clusterIP && !spec.clusterIP) {
      if (sameIPs) delete spec.clusterIPs;
    } else if (sameIPs) spec.clusterIPs = [spec.clusterIP];
  }
  if (needsClusterIP(old) && !needsClusterIP(spec)) {
    if (same(ips(spec), ips(old)) && (spec.clusterIP ?? '') === (old.clusterIP ?? '')) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(spec.ipFamilies, old.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === old.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
}

/** validateUpgradeDowngradeClusterIPs: the primary cluster IP never changes once set. */
function validateClusterIPChange(spec: Obj, old: Obj, errors: FieldErrors): void {
  if (!needsClusterIP(spec) || !needsClusterIP(old)) return;
  if (spec.clusterIP === 'None' && old.clusterIP === 'None') return;
  const now = ips(spec);
  const was = ips(old);
  const changed = 'may not change once set';
  if (was.length === now.length) {
    was.forEach((ip, i) => {
      if (ip !== now[i]) errors.invalid(`spec.clusterIPs[${i}]`, now, changed);
    });
  } else if (was.length > now.length) {
    if (now.length === 0) errors.invalid('spec.clusterIPs[0]', now, 'primary clusterIP can not be unset');
    else if (now[0] !== was[0]) errors.invalid('spec.clusterIPs[0]', now, changed);
    if (now.length === 1 && spec.ipFamilyPolicy !== 'SingleStack')
      errors.invalid(
        'spec.clusterIPs[0]',
        now,
        "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP",
      );
  } else if (was.length > 0 && now[0] !== was[0]) errors.invalid('spec.clusterIPs[0]', now, changed);
}

/** clusterIP and clusterIPs[0] say the same thing (validateServiceClusterIPsRelatedFields). */
function validateClusterIPsInLine(spec: Obj, errors: FieldErrors): void {
  if (!needsClusterIP(spec)) return;
  const now = ips(spec);
  if (spec.clusterIP) {
    if (now.length === 0) errors.required('spec.clusterIPs');
    else if (now[0] !== spec.clusterIP)
      errors.invalid('spec.clusterIPs', now, 'first value must match `clusterIP`');
  } else if (now.length > 0)
    errors.invalid('spec.clusterIPs', now, 'must be empty when `clusterIP` is not specified');
}

const isPort = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

function badRequestInvalid(svc: Obj, ip: string, why: string) {
  return invalid('Service', '', svc.metadata?.name ?? '', [
    {
      field: 'spec.clusterIPs',
      message: `Invalid value: []string{${JSON.stringify(ip)}}: failed to allocate IP ${ip}: ${why}`,
    },
  ]);
}
