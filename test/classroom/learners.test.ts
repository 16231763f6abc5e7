import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminCluster, learnerKubeconfig } from '../../src/classroom/kubeconfig.js';
import { MAX_NAME_LENGTH, parseLearners } from '../../src/classroom/learners.js';
import { csvField } from '../../src/commands/classroom.js';
import { readKubeconfigLab } from '../../src/files/kubeconfig-lab.js';

describe('the learners file', () => {
  it('reads one name a line, with blank lines and comments', () => {
    expect(parseLearners('# class A\nana\n\n  bob  # late\r\nteam-2\n', 'l.txt')).toEqual([
      'ana',
      'bob',
      'team-2',
    ]);
  });

  it('names the line of a bad name, and why', () => {
    expect(() => parseLearners('ana\nBob\n', 'l.txt')).toThrow(/^l\.txt:2: "Bob" is not a learner's name/);
    expect(() => parseLearners('ana\n-x\n', 'l.txt')).toThrow(/l\.txt:2:/);
    expect(() => parseLearners('ana bob\n', 'l.txt')).toThrow(/l\.txt:1:/);
    expect(() => parseLearners(`${'a'.repeat(MAX_NAME_LENGTH + 1)}\n`, 'l.txt')).toThrow(
      /l\.txt:1: .* at most 51 .*63/,
    );
    expect(parseLearners(`${'a'.repeat(MAX_NAME_LENGTH)}\n`, 'l.txt')).toHaveLength(1);
  });

  it('names a learner given twice', () => {
    expect(() => parseLearners('ana\nbob\nana\n', 'l.txt')).toThrow(
      'l.txt:3: "ana" is there twice (first on line 1); give each learner once.',
    );
  });

  it('refuses a file with no learner, too many, or too large', () => {
    expect(() => parseLearners('# nobody\n\n', 'l.txt')).toThrow(/names no learner/);
    const many = Array.from({ length: 501 }, (_, i) => `l${i}`).join('\n');
    expect(() => parseLearners(many, 'l.txt')).toThrow(/names 501 learners; a class has at most 500/);
    expect(() => parseLearners(`${'#'.repeat(70_000)}\nana\n`, 'l.txt')).toThrow(/larger than 64 KB/);
  });
});

describe("a learner's kubeconfig", () => {
  it('has one current context with the namespace, the token and the churn-labs extension, read back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'churn-labs-kc-'));
    try {
      const cluster = adminCluster(
        JSON.stringify({
          clusters: [
            { name: 'x', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': 'Q0E=' } },
          ],
        }),
      );
      const text = learnerKubeconfig(cluster, 'ana', 'tok-en', { registry: 'reg.example/class' });
      const file = join(dir, 'ana.kubeconfig');
      await writeFile(file, text);
      expect(text).toContain('current-context: churn-labs-ana');
      expect(text).toContain('namespace: churn-mlops-ana');
      expect(text).toContain('token: tok-en');
      expect(text).toContain('certificate-authority-data: Q0E=');
      // As the lab reads it (src/files/kubeconfig-lab.ts).
      const read = await readKubeconfigLab([file]);
      expect(read.currentContext).toBe('churn-labs-ana');
      expect(read.extensions.get('churn-labs-ana')).toMatchObject({
        learner: 'ana',
        namespace: 'churn-mlops-ana',
        registry: 'reg.example/class',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an admin context without a server', () => {
    expect(() => adminCluster(JSON.stringify({ clusters: [] }))).toThrow(/no cluster server/);
  });
});

describe('CSV fields', () => {
  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvField('ana')).toBe('ana');
    expect(csvField(3)).toBe('3');
    expect(csvField(null)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField('=1+1')).toBe("'=1+1");
  });
});
