import { runDoctor } from '../cluster/doctor.js';
import { createOutput } from '../output.js';
import type { CommonOptions } from './common.js';

export async function doctor(options: CommonOptions): Promise<number> {
  const report = await runDoctor({ context: options.context });
  const out = createOutput();
  if (options.json) {
    // The contract lists every key on every check: `fix` is null when there is nothing to fix.
    out.json({ ok: report.ok, checks: report.checks.map((c) => ({ ...c, fix: c.fix ?? null })) });
    return report.ok ? 0 : 1;
  }
  for (const check of report.checks) {
    const mark = check.ok ? out.green('✓') : check.required ? out.red('✗') : out.yellow('!');
    out.line(`${mark} ${check.id.padEnd(14)} ${check.detail}`);
    if (check.fix) out.line(`  ${out.dim('fix:')} ${check.fix}`);
  }
  if (report.ok)
    out.line(out.green('Everything the labs need is here. Next: churn-labs up (or churn-labs start).'));
  else
    out.line(
      'Fix what is marked ✗ and run churn-labs doctor again. To practise without Docker, use the simulated cluster: churn-labs start --simulate',
    );
  return report.ok ? 0 : 1;
}
