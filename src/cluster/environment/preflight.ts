import type { DockerInfo } from '../docker.js';
import { osFix, runDoctor } from '../doctor.js';
import { type ClusterTarget, kubectl, targetFlags } from '../kubectl.js';
import { commandLine, Interrupted, type Step, StepFailed } from './steps.js';

const SIMULATE = 'To practise without Docker, use the simulated cluster: churn-labs start --simulate';

/** What a kind lab cannot start without; anything else the doctor flags is a warning here. */
const BLOCKING = new Set(['node', 'docker', 'docker-daemon', 'kind', 'kubectl']);

/** `onDocker` is told what the daemon said of itself (its image store, platform), for later steps. */
export function preflightStep(onDocker?: (info: DockerInfo) => void): Step {
  return {
    id: 'preflight',
    title: 'Checking Docker, kind and kubectl',
    command: 'churn-labs doctor',
    async run(io) {
      const report = await runDoctor({ signal: io.signal });
      if (io.signal?.aborted) throw new Interrupted();
      if (report.docker) onDocker?.(report.docker);
      for (const check of report.checks) io.say(`${check.ok ? 'ok  ' : 'FAIL'} ${check.id}: ${check.detail}`);
      const blocking = report.checks.filter((c) => !c.ok && c.required && BLOCKING.has(c.id));
      if (blocking.length > 0) {
        // The daemon check repeats the docker check's fix when the CLI itself is missing.
        const fixes = [...new Set(blocking.map((c) => c.fix).filter(Boolean))];
        // A check that could not run because another failed ("no docker CLI to ask") says nothing new.
        const said = blocking.filter((c) => !/^(not checked|no docker CLI)/.test(c.detail));
        const fix = fixes.join(' ');
        throw new StepFailed(
          `${capitalize((said.length > 0 ? said : blocking).map((c) => c.detail).join('; '))}.`,
          `${fix} Then run churn-labs up again.${fix.includes('--simulate') ? '' : ` ${SIMULATE}.`}`,
        );
      }
      for (const check of report.checks.filter((c) => !c.ok && c.fix))
        io.notice(`${check.id}: ${check.detail}. ${check.fix}`);
      const versions = report.checks
        .filter((c) => ['docker-daemon', 'kind', 'kubectl'].includes(c.id))
        .map((c) => c.detail);
      return { outcome: 'ok', detail: versions.join('; ') };
    },
  };
}

/** Against the simulated cluster only kubectl is needed: no Docker, no kind. */
export function simPreflightStep(target: ClusterTarget): Step {
  const args = ['version', '--client', '-o', 'json'];
  return {
    id: 'preflight',
    title: 'Checking kubectl',
    command: commandLine('kubectl', [...targetFlags(target), ...args]),
    async run(io) {
      const result = await io.run(commandLine('kubectl', args), (options) => kubectl(target, args, options));
      const version = readClientVersion(result.stdout);
      if (!result.ok || !version)
        throw new StepFailed(
          result.missing ? 'kubectl is not installed.' : 'kubectl did not report its version.',
          osFix('kubectl'),
          result.stderr.trim() || undefined,
        );
      return { outcome: 'ok', detail: `kubectl ${version}` };
    },
  };
}

function readClientVersion(stdout: string): string | undefined {
  try {
    return (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
  } catch {
    return undefined;
  }
}

/** Sentences start with a capital, but a tool's name (kind, kubectl) keeps its own spelling. */
function capitalize(text: string): string {
  return text.replace(/^the /, 'The ');
}
