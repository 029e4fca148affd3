/**
 * `npm run eval` (node dist/scripts/eval/index.js): measures the detectors.
 *
 *   1. generated  labeled generated traffic through the whole pipeline (runDetect), several seeds
 *                 and traffic shapes, with benign surprises that must not alert;
 *   2. csic       the per-request content detectors on HTTP DATASET CSIC 2010;
 *   3. indicators User-Agent patterns (OWASP CRS vectors, real browsers), Tor and threat-intel
 *                 lists against their detectors.
 *
 * Prints one table per part and writes every figure as JSON (bench-results/eval.json by default).
 * Options: --part NAME (repeatable or comma-separated; default all), --seeds 1,2,3, --quick
 * (one small scenario, CSIC subset), --jobs N (scenarios in parallel worker threads; default: the
 * number of CPUs, at most 3), --data DIR (default ../shared/data), --out FILE, --keep DIR (keep
 * each scenario's files there), --help.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

import { defaultDataDir, duration, packageRoot } from './common';
import { evaluateCsic, formatCsic, type CsicEvaluation } from './csic';
import { defaultScenarios, formatGenerated, runScenario, summarizeGenerated, type GeneratedSummary, type Scenario, type ScenarioEnv, type ScenarioResult } from './generated';
import { evaluateIndicators, formatIndicators, type IndicatorEvaluation } from './indicators';
import type { WorkerInput, WorkerMessage } from './worker';

export const PARTS = ['generated', 'csic', 'indicators'] as const;
export type Part = (typeof PARTS)[number];

export interface EvalOptions {
  parts: readonly Part[];
  dataDir: string;
  /** Generated part: the scenarios (defaultScenarios(seeds, quick) by default). */
  scenarios: readonly Scenario[];
  /** Scenarios run at once in worker threads; 1 runs them in this thread. */
  jobs: number;
  /** CSIC part: read at most this many requests per file. */
  csicLimit?: number;
  /** Indicators part: requests per day of the generated day of benign clients. */
  benignRequestsPerDay?: number;
  /** Keep each scenario's files under this directory. */
  keepDir?: string;
  /** Where progress lines go (stderr by default). */
  log?: (line: string) => void;
}

export interface EvalReport {
  /** Wall-clock facts about this run (not event time). */
  run: { startedAt: string; seconds: number; parts: Part[]; jobs: number; node: string; cpus: number };
  generated?: { summary: GeneratedSummary; scenarios: ScenarioResult[]; seconds: number };
  csic?: CsicEvaluation & { seconds: number };
  indicators?: IndicatorEvaluation & { seconds: number };
}

/** Runs the scenarios, `jobs` at a time in worker threads (or here when jobs is 1). */
export async function runScenarios(scenarios: readonly Scenario[], env: ScenarioEnv, jobs: number): Promise<ScenarioResult[]> {
  const envFor = (scenario: Scenario): ScenarioEnv => ({
    ...env,
    ...(env.workDir !== undefined ? { workDir: join(env.workDir, `seed-${scenario.seed}`) } : {}),
  });
  if (jobs <= 1 || scenarios.length <= 1) {
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) results.push(await runScenario(scenario, envFor(scenario)));
    return results;
  }
  const results: ScenarioResult[] = new Array(scenarios.length);
  let next = 0;
  const runOne = (index: number): Promise<void> =>
    new Promise((resolvePromise, reject) => {
      const scenario = scenarios[index] as Scenario;
      const { log, ...rest } = envFor(scenario);
      const worker = new Worker(join(__dirname, 'worker.js'), { workerData: { scenario, env: rest } satisfies WorkerInput });
      let settled = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'log') log?.(message.line);
        else if (message.kind === 'done') {
          results[index] = message.result;
          settled = true;
          void worker.terminate().then(() => resolvePromise());
        } else {
          settled = true;
          void worker.terminate().then(() => reject(new Error(`scenario seed ${scenario.seed} failed:\n${message.error}`)));
        }
      });
      worker.on('error', (error) => {
        if (!settled) reject(error);
      });
      worker.on('exit', (code) => {
        if (!settled) reject(new Error(`scenario seed ${scenario.seed}: worker exited with code ${code}`));
      });
    });
  const lanes = Array.from({ length: Math.min(jobs, scenarios.length) }, async () => {
    while (next < scenarios.length) await runOne(next++);
  });
  await Promise.all(lanes);
  return results;
}

/** Runs the parts asked for; returns the report and the printed text. */
export async function runEval(options: EvalOptions): Promise<{ report: EvalReport; text: string }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const report: EvalReport = {
    run: { startedAt: new Date(started).toISOString(), seconds: 0, parts: [...options.parts], jobs: options.jobs, node: process.version, cpus: availableParallelism() },
  };
  const sections: string[] = [];
  if (options.parts.includes('generated')) {
    const t0 = Date.now();
    log(`generated: ${options.scenarios.length} scenario(s), ${Math.min(options.jobs, options.scenarios.length)} at a time`);
    const scenarios = await runScenarios(options.scenarios, { dataDir: options.dataDir, log, ...(options.keepDir !== undefined ? { workDir: options.keepDir, keepFiles: true } : {}) }, options.jobs);
    const summary = summarizeGenerated(scenarios);
    const seconds = (Date.now() - t0) / 1000;
    report.generated = { summary, scenarios, seconds };
    sections.push(`${formatGenerated(summary, scenarios)}\n(generated part: ${duration(Date.now() - t0)})`);
  }
  if (options.parts.includes('csic')) {
    const t0 = Date.now();
    log('csic: parsing, learning, scoring');
    const csic = evaluateCsic({ dataDir: options.dataDir, ...(options.csicLimit !== undefined ? { limit: options.csicLimit } : {}) });
    report.csic = { ...csic, seconds: (Date.now() - t0) / 1000 };
    sections.push(`${formatCsic(csic)}\n(CSIC part: ${duration(Date.now() - t0)})`);
  }
  if (options.parts.includes('indicators')) {
    const t0 = Date.now();
    log('indicators: User-Agents, Tor, threat intel');
    const indicators = evaluateIndicators({ dataDir: options.dataDir, ...(options.benignRequestsPerDay !== undefined ? { benignRequestsPerDay: options.benignRequestsPerDay } : {}) });
    report.indicators = { ...indicators, seconds: (Date.now() - t0) / 1000 };
    sections.push(`${formatIndicators(indicators)}\n(indicators part: ${duration(Date.now() - t0)})`);
  }
  report.run.seconds = (Date.now() - started) / 1000;
  sections.push(`Total: ${duration(Date.now() - started)}.`);
  return { report, text: sections.join('\n\n') };
}

const USAGE = `Usage: npm run eval -- [options]

Measures the detectors: generated traffic through the pipeline, CSIC 2010, indicators.

Options:
  --part NAME     generated, csic or indicators (repeatable, or comma-separated; default all)
  --seeds LIST    seeds of the generated scenarios (default 1,2,3; shapes cycle per seed)
  --quick         one small scenario per seed (default seed 1) and 4,000 CSIC requests per file
  --jobs N        generated scenarios at once, in worker threads (default: CPUs, at most 3)
  --data DIR      the public data (default ../shared/data, or WARDEN_EVAL_DATA)
  --out FILE      JSON report (default bench-results/eval.json)
  --keep DIR      keep each scenario's train/score/alerts/labels files under DIR
  -h, --help      this text`;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const PROCESS_IO: Io = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** The command line: returns the exit code (0 done, 2 bad arguments). */
export async function main(argv: readonly string[], io: Io = PROCESS_IO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        part: { type: 'string', multiple: true },
        seeds: { type: 'string' },
        quick: { type: 'boolean', default: false },
        jobs: { type: 'string' },
        data: { type: 'string' },
        out: { type: 'string' },
        keep: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const parts = (values.part ?? [...PARTS]).flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '');
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) {
    io.err(`--part: unknown part ${unknown.join(', ')} (expected ${PARTS.join(', ')})\n`);
    return 2;
  }
  const quick = values.quick === true;
  const seeds = (values.seeds ?? (quick ? '1' : '1,2,3')).split(',').map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s))) {
    io.err('--seeds: expected integers separated by commas\n');
    return 2;
  }
  const jobs = values.jobs === undefined ? Math.min(3, availableParallelism()) : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    io.err('--jobs: expected a positive integer\n');
    return 2;
  }
  const out = resolve(values.out ?? join(packageRoot(), 'bench-results', 'eval.json'));
  const { report, text } = await runEval({
    parts: parts as Part[],
    dataDir: values.data !== undefined ? resolve(values.data) : defaultDataDir(),
    scenarios: defaultScenarios(seeds, quick),
    jobs,
    ...(quick ? { csicLimit: 4_000, benignRequestsPerDay: 5_000 } : {}),
    ...(values.keep !== undefined ? { keepDir: resolve(values.keep) } : {}),
    log: (line) => io.err(`${line}\n`),
  });
  io.out(`${text}\n`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  io.out(`Figures written to ${out}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
