/**
 * Worker-thread entry of the evaluation runner: runs one generated scenario (its own embedded
 * Azurite included) and posts the result back, so that scenarios use several cores.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { runScenario, type Scenario, type ScenarioEnv } from './generated';

export interface WorkerInput {
  scenario: Scenario;
  env: Omit<ScenarioEnv, 'log'>;
}

export type WorkerMessage = { kind: 'log'; line: string } | { kind: 'done'; result: Awaited<ReturnType<typeof runScenario>> } | { kind: 'failed'; error: string };

if (parentPort !== null) {
  const port = parentPort;
  const input = workerData as WorkerInput;
  runScenario(input.scenario, { ...input.env, log: (line) => port.postMessage({ kind: 'log', line } satisfies WorkerMessage) }).then(
    (result) => port.postMessage({ kind: 'done', result } satisfies WorkerMessage),
    (error: unknown) => port.postMessage({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies WorkerMessage),
  );
}
