import { Box, Text } from 'ink';
import type { NamespaceReading, PodTone } from '../live/namespace.js';

const TONE: Record<PodTone, { color?: string; dim?: boolean }> = {
  good: { color: 'green' },
  busy: { color: 'yellow' },
  bad: { color: 'red' },
  done: { dim: true },
};

/** The most pods to list; more would push the checks off a small terminal. */
const MAX_PODS = 6;
const MAX_JOBS = 6;

/**
 * What is in the lab's namespace now, so the learner sees what their commands did. `rows` is the
 * terminal's height: on a short terminal fewer pods and jobs are listed, so that the live part of
 * the screen stays shorter than the terminal (Ink clears the whole screen otherwise).
 */
export function NamespacePanel({
  reading,
  rows = 40,
}: {
  reading: NamespaceReading | undefined;
  rows?: number;
}) {
  const maxPods = Math.max(2, Math.min(MAX_PODS, rows - 18));
  const maxJobs = Math.max(2, Math.min(MAX_JOBS, rows - 20));
  if (!reading) return <Text dimColor>Reading the namespace…</Text>;
  if (!reading.ok) return <Text color="red">{reading.reason}</Text>;
  const { view } = reading;
  const title = <Text bold>namespace {view.namespace}</Text>;
  if (!view.exists)
    return (
      <Box flexDirection="column">
        {title}
        <Text dimColor>{'  '}does not exist yet</Text>
      </Box>
    );
  const empty =
    view.pods.length +
      view.deployments.length +
      view.cronJobs.length +
      view.jobs.length +
      view.autoscalers.length ===
    0;
  const width = Math.min(40, Math.max(0, ...view.pods.map((p) => p.name.length)));
  return (
    <Box flexDirection="column">
      {title}
      {empty && <Text dimColor>{'  '}empty</Text>}
      {view.deployments.map((d) => (
        <Text key={`d/${d.name}`}>
          {'  '}deployment {d.name}{' '}
          <Text color={d.ready >= d.desired ? 'green' : 'yellow'}>
            {d.ready}/{d.desired} ready
          </Text>
          {d.image ? <Text dimColor> {d.image}</Text> : null}
        </Text>
      ))}
      {view.autoscalers.map((h) => (
        <Text key={`h/${h.name}`}>
          {'  '}hpa {h.name} {h.targets} · {h.replicas} replicas ({h.min}–{h.max})
        </Text>
      ))}
      {view.cronJobs.map((c) => (
        <Text key={`c/${c.name}`}>
          {'  '}cronjob {c.name} <Text dimColor>{c.schedule}</Text> ·{' '}
          {c.suspended ? <Text color="yellow">suspended</Text> : null}
          {c.suspended ? ' · ' : ''}
          last run {c.lastSchedule === '<none>' ? 'never' : `${c.lastSchedule} ago`}
          {c.active > 0 ? `, ${c.active} running` : ''}
        </Text>
      ))}
      {view.jobs.slice(0, maxJobs).map((j) => (
        <Text key={`j/${j.name}`}>
          {'  '}job {j.name}{' '}
          <Text
            color={j.succeeded >= j.completions ? undefined : j.failed > 0 ? 'red' : 'yellow'}
            dimColor={j.succeeded >= j.completions}
          >
            {j.succeeded}/{j.completions} complete
            {j.active > 0 ? `, ${j.active} running` : ''}
            {j.failed > 0 ? `, ${j.failed} failed` : ''}
          </Text>
        </Text>
      ))}
      {view.jobs.length > maxJobs && <Text dimColor>{`  … ${view.jobs.length - maxJobs} more jobs`}</Text>}
      {view.pods.slice(0, maxPods).map((p) => (
        <Text key={`p/${p.name}`}>
          {'  '}pod {p.name.padEnd(width)} {p.ready}{' '}
          <Text color={TONE[p.tone].color} dimColor={TONE[p.tone].dim}>
            {p.status}
          </Text>
          {p.restarts > 0 ? <Text dimColor> {p.restarts} restarts</Text> : null}
        </Text>
      ))}
      {view.pods.length > maxPods && <Text dimColor>{`  … ${view.pods.length - maxPods} more pods`}</Text>}
    </Box>
  );
}
