/** A kubeconfig as `classroom create` writes it: one context with the churn-labs extension. */
export function classroomKubeconfig(
  learner: string,
  options: { server?: string; extension?: Record<string, unknown>; current?: string } = {},
): string {
  const extension = options.extension ?? { learner, namespace: `churn-mlops-${learner}` };
  const lines = Object.entries(extension).map(([k, v]) => `        ${k}: ${JSON.stringify(v)}`);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: class',
    '  cluster:',
    `    server: ${options.server ?? 'https://127.0.0.1:1'}`,
    'contexts:',
    `- name: churn-labs-${learner}`,
    '  context:',
    '    cluster: class',
    `    user: ${learner}`,
    `    namespace: churn-mlops-${learner}`,
    '    extensions:',
    '    - name: churn-labs',
    '      extension:',
    ...lines,
    `current-context: ${options.current ?? `churn-labs-${learner}`}`,
    'users:',
    `- name: ${learner}`,
    '  user:',
    '    token: abc',
    '',
  ].join('\n');
}
