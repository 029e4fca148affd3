import { randomUUID } from 'node:crypto';

import { InvocationContext, type LogHandler, type Timer } from '@azure/functions';
import { Cron } from 'croner';

import type { FunctionDefinition } from '../../functions/registry';

type TimerDefinition = Extract<FunctionDefinition, { trigger: 'timer' }>;

/** Resolves a `%SETTING%` schedule the way the host does, from the environment. */
export function resolveSchedule(schedule: string, env: Record<string, string | undefined>): string {
  const setting = /^%([^%]+)%$/.exec(schedule);
  if (setting === null) return schedule;
  const value = env[setting[1] as string];
  if (value === undefined || value.trim() === '') throw new Error(`timer schedule refers to unset app setting ${setting[1]}`);
  return value;
}

/**
 * Runs the registry's timer functions on their NCRONTAB schedules (six fields, seconds first,
 * UTC, like the host), and once at start for those with runOnStartup. A run that is still going
 * when the next is due is skipped, as the host's singleton lock would.
 */
export function startTimers(
  definitions: readonly FunctionDefinition[],
  options: { env: Record<string, string | undefined>; logHandler: LogHandler },
): { stop(): void } {
  const jobs: Cron[] = [];
  for (const definition of definitions) {
    if (definition.trigger !== 'timer') continue;
    const run = runner(definition, options.logHandler);
    const job: Cron = new Cron(
      resolveSchedule(definition.options.schedule, options.env),
      { timezone: 'UTC', protect: true },
      (): Promise<void> => run(job),
    );
    jobs.push(job);
    if (definition.options.runOnStartup === true) void run(job);
  }
  return { stop: () => jobs.forEach((job) => job.stop()) };
}

function runner(definition: TimerDefinition, logHandler: LogHandler): (job: Cron) => Promise<void> {
  return async (job) => {
    const now = new Date();
    const timer: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: now.toISOString(), next: job.nextRun()?.toISOString() ?? '', lastUpdated: now.toISOString() },
    };
    const context = new InvocationContext({ invocationId: randomUUID(), functionName: definition.name, logHandler });
    try {
      await definition.handler(timer, context);
    } catch (error) {
      logHandler('error', `timer ${definition.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
