import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { FileResult } from './harness.js';

/**
 * Global setup of the upstream suite: each test file leaves its assertions in a folder; at the end
 * they are counted per upstream file (run, passed, failed, explained, skipped with a reason).
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'churn-labs-upstream-results-'));
  project.provide('upstreamResults', dir);
  return async () => {
    const files: FileResult[] = [];
    for (const name of (await readdir(dir)).sort())
      files.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as FileResult);
    await rm(dir, { recursive: true, force: true });
    process.stdout.write(`\n${report(files)}\n`);
  };
}

export function report(files: FileResult[]): string {
  const rows: string[][] = [['upstream file', 'assertions', 'passed', 'failed', 'explained', 'skipped']];
  const notes: string[] = [];
  const total = [0, 0, 0, 0, 0];
  for (const f of files) {
    const records = f.functions.flatMap((fn) => fn.records);
    const count = (status: string) => records.filter((r) => r.status === status).length;
    const skippedFns = f.functions.filter((fn) => fn.skipped);
    const row = [
      records.length - count('skipped'),
      count('passed'),
      count('failed'),
      count('explained'),
      count('skipped') + skippedFns.length,
    ];
    row.forEach((n, i) => {
      total[i]! += n;
    });
    rows.push([f.file, ...row.map(String)]);
    for (const fn of skippedFns) notes.push(`${f.file} ${fn.fn}: skipped (${fn.skipped})`);
    for (const r of records.filter((r) => r.status === 'skipped'))
      notes.push(`${f.file} ${r.fn}: skipped ${r.description} (${r.reason})`);
    for (const fn of f.functions)
      for (const e of fn.unusedExplanations) notes.push(`${f.file} ${fn.fn}: explained failure passed: ${e}`);
    const reasons = new Map<string, number>();
    for (const r of records.filter((r) => r.status === 'explained'))
      reasons.set(`${r.fn}: ${r.reason}`, (reasons.get(`${r.fn}: ${r.reason}`) ?? 0) + 1);
    for (const [reason, n] of reasons) notes.push(`${f.file} explained ×${n} ${reason}`);
    for (const r of records.filter((r) => r.status === 'failed'))
      notes.push(`${f.file} ${r.fn}: FAILED ${r.description}`);
  }
  rows.push(['total', ...total.map(String)]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '),
  );
  return ['Upstream kubectl tests (test/cmd) against the simulated cluster', ...table, '', ...notes].join(
    '\n',
  );
}
