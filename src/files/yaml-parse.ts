import { parse } from 'yaml';

/**
 * YAML of a file the learner gives (a kubeconfig), in its own module so that the yaml package is
 * loaded (a chunk of the bundle) only when such a file needs parsing. Aliases are bounded, so a
 * "billion laughs" file fails rather than taking the memory.
 */
export const parseYaml = (text: string): unknown => parse(text, { maxAliasCount: 100, uniqueKeys: false });
