import { admitCreate } from '../kube/admission/index.js';
import { ApiError } from '../kube/errors.js';
import { apiVersionOf, RESOURCES } from '../kube/resources.js';

/**
 * What the API server would refuse of these documents, in its words (`Deployment.apps "web" is
 * invalid: …`), one line per refused document. The rules are src/kube's admission: the same
 * defaulting and validation the simulated cluster's API server runs before it stores an object.
 * Kinds it does not serve are not judged; an apiVersion no cluster of ours serves is refused as
 * kubectl refuses it.
 */
export function refusals(docs: { kind?: unknown; apiVersion?: unknown; metadata?: unknown }[]): string[] {
  // The documents are judged on their own: nothing else is stored.
  const store = { get: () => undefined, list: () => [] };
  const found: string[] = [];
  for (const doc of docs) {
    const kind = typeof doc.kind === 'string' ? doc.kind : undefined;
    const served = RESOURCES.filter((r) => r.kind === kind && !r.virtual);
    if (!kind || served.length === 0) continue;
    const version = served.find((r) => apiVersionOf(r) === doc.apiVersion);
    if (!version) {
      found.push(`no matches for kind "${kind}" in version "${String(doc.apiVersion ?? '')}"`);
      continue;
    }
    // The store keeps one version of each kind; another served version is converted on the way
    // in, which these rules do not do, so only the stored version is validated field by field.
    if (version !== served[0]) continue;
    try {
      admitCreate(kind, structuredClone(doc) as Record<string, unknown>, { store });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      found.push(error.message);
    }
  }
  return found;
}
