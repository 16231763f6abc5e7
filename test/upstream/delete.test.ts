import { id_field, upstreamFile } from './harness.js';

// test/cmd/delete.sh (kubernetes/kubernetes at 05c351a9037b). Upstream's `kubectl config
// set-context "${CONTEXT}"` names the current context; here it is --current.
const t = upstreamFile('delete.sh');

const ids = `{{range.items}}{{${id_field}}}:{{end}}`;

// run_kubectl_delete_allnamespaces_tests, delete.sh:22-54
t.fn('run_kubectl_delete_allnamespaces_tests', { lines: 'test/cmd/delete.sh:22-54' }, async (s) => {
  const name = () => `namespace-${Math.floor(Date.now() / 1000)}-${Math.floor(Math.random() * 32768)}`;
  const nsOne = name();
  const nsTwo = name();
  await s.kubectl(['create', 'namespace', nsOne]);
  await s.kubectl(['create', 'namespace', nsTwo]);
  await s.kubectl(['create', 'configmap', 'one', `--namespace=${nsOne}`]);
  await s.kubectl(['create', 'configmap', 'two', `--namespace=${nsTwo}`]);
  await s.kubectl(['label', 'configmap', 'one', `--namespace=${nsOne}`, 'deletetest=true']);
  await s.kubectl(['label', 'configmap', 'two', `--namespace=${nsTwo}`, 'deletetest=true']);

  // dry-run
  await s.kubectl('delete configmap --dry-run=client -l deletetest=true --all-namespaces');
  await s.kubectl('delete configmap --dry-run=server -l deletetest=true --all-namespaces');
  const useNamespace = (ns: string) => s.kubectl(['config', 'set-context', '--current', `--namespace=${ns}`]);
  await useNamespace(nsOne);
  await s.getObjectAssert('configmap -l deletetest', ids, 'one:');
  await useNamespace(nsTwo);
  await s.getObjectAssert('configmap -l deletetest', ids, 'two:');

  await s.kubectl('delete configmap -l deletetest=true --all-namespaces');
  await useNamespace(nsOne);
  await s.getObjectAssert('configmap -l deletetest', ids, '');
  await useNamespace(nsTwo);
  await s.getObjectAssert('configmap -l deletetest', ids, '');
});
