import type { Obj } from '../admission/rules.js';
import type { PrinterColumn, Resource } from '../resources.js';

/**
 * The resources an established CustomResourceDefinition serves: one per served version, named by
 * the CRD's accepted names, its objects stored under the CRD's name in the storage version.
 */
export const isEstablished = (crd: Obj): boolean =>
  (crd.status?.conditions ?? []).some((c: Obj) => c?.type === 'Established' && c?.status === 'True');

/** Kubernetes' version priority (GA > beta > alpha, then by number; others last, by name). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = v.match(/^v(\d+)(?:(alpha|beta)(\d+))?$/);
    if (!m) return [0, 0, 0, v] as const;
    const level = m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3;
    return [level, Number(m[1]), Number(m[3] ?? 0), v] as const;
  };
  const [la, ma, na, sa] = parse(a);
  const [lb, mb, nb, sb] = parse(b);
  if (la === 0 && lb === 0) return sa.localeCompare(sb);
  return lb - la || mb - ma || nb - na;
}

export function servedResources(crd: Obj): Resource[] {
  if (!isEstablished(crd) || crd.metadata?.deletionTimestamp) return [];
  const spec = crd.spec ?? {};
  const names = crd.status?.acceptedNames?.plural ? crd.status.acceptedNames : (spec.names ?? {});
  const versions: Obj[] = (spec.versions ?? []).filter((v: Obj) => v?.served === true);
  const storage = (spec.versions ?? []).find((v: Obj) => v?.storage === true)?.name ?? versions[0]?.name;
  versions.sort((a, b) => compareVersions(String(a.name), String(b.name)));
  return versions.map((v) => {
    const status = Boolean(v.subresources?.status);
    const scale = v.subresources?.scale;
    const columns: PrinterColumn[] = (v.additionalPrinterColumns ?? []).map((c: Obj) => ({
      name: String(c.name),
      type: String(c.type),
      ...(c.format ? { format: String(c.format) } : {}),
      ...(c.description ? { description: String(c.description) } : {}),
      ...(c.priority ? { priority: Number(c.priority) } : {}),
      jsonPath: String(c.jsonPath),
    }));
    return {
      kind: String(names.kind),
      storeKind: String(crd.metadata.name),
      group: String(spec.group),
      version: String(v.name),
      plural: String(names.plural),
      singular: String(names.singular ?? String(names.kind).toLowerCase()),
      namespaced: spec.scope === 'Namespaced',
      shortNames: [...(names.shortNames ?? [])],
      categories: [...(names.categories ?? [])],
      verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
      subresources: [
        ...(status
          ? [
              {
                name: 'status',
                kind: String(names.kind),
                group: String(spec.group),
                version: String(v.name),
                verbs: ['get', 'patch', 'update'],
              },
            ]
          : []),
        // The scale subresource is not served yet (README): discovery does not offer it.
      ],
      custom: {
        crd: String(crd.metadata.name),
        storageVersion: String(storage),
        listKind: String(names.listKind ?? `${names.kind}List`),
        schema: v.schema?.openAPIV3Schema,
        printerColumns: columns,
        status,
        ...(scale ? { scale } : {}),
      },
    };
  });
}
