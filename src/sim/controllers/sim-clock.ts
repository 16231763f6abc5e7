import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../../files/atomic.js';

/**
 * The simulated cluster's clock for CronJob schedules: sim time = start + real elapsed × timeScale,
 * so with a time scale of 1440 a simulated day passes per real minute and a lab can watch
 * "0 2 * * *" fire. It never runs backwards across restarts: the latest simulated time is kept in a
 * small file and the next run starts from it (or from real time, if that is later).
 */
export class SimClock {
  private readonly realStart = Date.now();
  private readonly simStart: number;

  constructor(
    readonly timeScale = 1,
    private readonly file?: string,
  ) {
    if (!(timeScale > 0)) throw new Error(`the time scale must be a positive number, not ${timeScale}`);
    this.simStart = Math.max(this.realStart, file ? readSaved(file) : 0);
  }

  /** Simulated now, epoch ms. */
  now(): number {
    return this.simStart + (Date.now() - this.realStart) * this.timeScale;
  }

  /** The real instant at which the simulated clock shows `sim` (for timestamps kubectl shows as ages). */
  toReal(sim: number): number {
    return this.realStart + (sim - this.simStart) / this.timeScale;
  }

  /** The simulated instant of a real one; before this run, time is taken to have passed at real speed. */
  toSim(real: number): number {
    return real >= this.realStart
      ? this.simStart + (real - this.realStart) * this.timeScale
      : this.simStart - (this.realStart - real);
  }

  /** Real milliseconds until the simulated clock reaches `sim`. */
  realDelayUntil(sim: number): number {
    return Math.max(0, (sim - this.now()) / this.timeScale);
  }

  save(): void {
    if (this.file)
      writeFileAtomicSync(
        this.file,
        JSON.stringify({ version: 1, simulatedTime: new Date(this.now()).toISOString() }),
      );
  }
}

function readSaved(file: string): number {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { simulatedTime?: string };
    const time = Date.parse(saved.simulatedTime ?? '');
    return Number.isNaN(time) ? 0 : time;
  } catch {
    return 0;
  }
}
