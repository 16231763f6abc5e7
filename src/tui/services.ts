import type { DoctorReport } from '../cluster/doctor.js';
import type { UpOptions, UpResult } from '../cluster/environment-api.js';
import type { ExerciseResult } from '../course/judge.js';
import type { Exercise } from '../course/schema.js';
import type { Lab, SolutionEvent } from '../lab.js';
import type { NamespaceReading } from './live/namespace.js';
import type { Simulator } from './session.js';

export interface IncidentServices {
  health(lab: Lab, signal?: AbortSignal): Promise<ExerciseResult>;
  breakSystem(lab: Lab, incident: Exercise, signal?: AbortSignal): Promise<boolean>;
  restore(lab: Lab, incident: Exercise, signal?: AbortSignal): Promise<boolean>;
}

/**
 * What the screens ask of the world. The terminal app gets the real ones (real-services.ts: the
 * shared core in lab.ts, kubectl, the doctor, the simulator); component tests pass their own to
 * drive a screen through the states they want to see.
 */
export interface Services {
  /** Evaluates an exercise's checks and records the steps that pass (lab.ts checkExercise). */
  evaluate(lab: Lab, exercise: Exercise, signal: AbortSignal): Promise<ExerciseResult>;
  /** The pods, deployments, jobs and autoscalers of the namespace, for the live panel. */
  readNamespace(lab: Lab, namespace: string, signal: AbortSignal): Promise<NamespaceReading>;
  /** Calls onChange whenever an object of these kinds changes; the returned function stops it. */
  watch(lab: Lab, namespace: string, kinds: readonly string[], onChange: () => void): () => Promise<void>;
  runSolution(
    lab: Lab,
    exercise: Exercise,
    onEvent: (event: SolutionEvent) => void,
    signal: AbortSignal,
  ): Promise<boolean>;
  doctor(): Promise<DoctorReport>;
  startSimulator(home: string, log: (line: string) => void): Promise<Simulator>;
  up(lab: Lab, options: UpOptions): Promise<UpResult>;
  /** Opens the file in the learner's editor with the terminal handed over. */
  edit(file: string): Promise<{ ok: boolean; message?: string }>;
  /** Incidents: Exercise 1's checks as the cluster shows them now, the break, the way back. */
  incidents?: IncidentServices;
  /** How long to gather change notifications before reading the cluster. */
  debounceMs: number;
  /** How often probe checks (HTTP, metrics, logs, files) are re-evaluated while a step has them. */
  probeIntervalMs: number;
}
