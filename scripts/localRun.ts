#!/usr/bin/env node
import { resolve } from 'node:path';

import type { LogHandler, LogLevel } from '@azure/functions';
import { Command, InvalidArgumentError } from 'commander';

import { createDependencies, setDependencies, type AppDependencies } from '../functions/deps';
import { functionDefinitions, type FunctionDefinition } from '../functions/registry';
import { parseConfig, type Config } from '../shared/config';
import { ConfigurationError } from '../shared/errors';
import type { Label } from '../shared/generator';
import { WINDOW_MS, windowStart } from '../shared/core/windows';
import { snapshotAddresses } from '../shared/intel/snapshot';
import { evaluateWindows } from '../shared/services/evaluateWindows';
import { recomputeBaselines } from '../shared/services/recomputeBaselines';
import { getHealth } from '../shared/services/health';
import { Settings } from '../shared/settings';
import { startDemoFeed, startEventHubFeed, startReplayFeed, type RunningFeed } from './local/feeds';
import { AZURITE_TABLE_PORT, startEmbeddedAzurite } from './local/embeddedAzurite';
import { startHttpServer, ROUTE_PREFIX } from './local/httpServer';
import { loadLocalSettings, wantsLocalEmulator } from './local/localSettings';
import { startTimers } from './local/timers';

interface LocalRunOptions {
  port: number;
  storagePort: number;
  inMemory: boolean;
  dataDir: string;
  replay?: string;
  demoDays: number;
  demoRate: number;
  demoSpeed: number;
  demoAttackEvery: number;
  seed: number;
  settings: string;
  verbose: boolean;
  exitAfterReplay: boolean;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('must be a port number (0 picks a free one)');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function cli(): Command {
  return new Command('npm start --')
    .description('Runs API Warden locally: embedded Azurite, the HTTP functions on localhost, the timers, and an ingest feed')
    .option('--port <port>', 'HTTP port of the functions', port, 7071)
    .option('--storage-port <port>', 'port of the embedded Azurite Table service', port, AZURITE_TABLE_PORT)
    .option('--in-memory', 'keep no data: Azurite in memory', false)
    .option('--data-dir <dir>', 'where the embedded Azurite keeps its data', '.azurite')
    .option('--replay <file>', 'ingest message bodies from a file, one per line (- for stdin), instead of the demo')
    .option('--exit-after-replay', 'stop once the replayed file is ingested', false)
    .option('--demo-days <days>', 'days of generated history the demo replays first', positive, 7)
    .option('--demo-rate <requests>', 'baseline requests per day in the demo', positive, 20_000)
    .option('--demo-speed <factor>', 'how much faster than real time the live demo runs', positive, 1)
    .option('--demo-attack-every <minutes>', 'minutes of event time between live demo attacks', positive, 20)
    .option('--seed <n>', 'demo generator seed', positive, 1)
    .option('--settings <file>', 'local settings file (Values are loaded like func start does)', 'local.settings.json')
    .option('--verbose', 'print every function log line', false);
}

/** Prints the functions' own log lines: warnings and errors always, the rest with --verbose. */
function consoleLogHandler(verbose: boolean): LogHandler {
  const quiet = new Set<LogLevel>(['trace', 'debug', 'information']);
  return (level, ...args) => {
    if (!verbose && quiet.has(level)) return;
    const line = args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
    (level === 'error' || level === 'warning' ? process.stderr : process.stdout).write(`  [${level}] ${line}\n`);
  };
}

async function main(argv: string[]): Promise<void> {
  const options = cli().parse(argv, { from: 'user' }).opts<LocalRunOptions>();
  const say = (text: string) => process.stdout.write(`${text}\n`);
  say('API Warden: local run');

  const loaded = loadLocalSettings(resolve(options.settings));
  if (loaded.length > 0) say(`  settings  ${loaded.length} values from ${options.settings}`);

  const stops: Array<() => Promise<void> | void> = [];
  if (wantsLocalEmulator(process.env[Settings.tablesConnectionString], process.env[Settings.tablesEndpoint])) {
    const dataDir = options.inMemory ? undefined : resolve(options.dataDir);
    try {
      const azurite = await startEmbeddedAzurite({ port: options.storagePort, dataDir });
      process.env[Settings.tablesConnectionString] = azurite.connectionString;
      stops.push(() => azurite.stop());
      say(`  storage   embedded Azurite at ${azurite.tableEndpoint} (${dataDir === undefined ? 'in memory' : `data in ${dataDir}`})`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.storagePort !== AZURITE_TABLE_PORT) throw error;
      // Azurite's own port is taken: most likely a standalone Azurite the developer started.
      process.env[Settings.tablesConnectionString] = 'UseDevelopmentStorage=true';
      say(`  storage   port ${AZURITE_TABLE_PORT} is in use: using the Azurite already listening there (UseDevelopmentStorage=true)`);
    }
  } else {
    say('  storage   Table Storage from the configured settings');
  }

  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
      await Promise.all(stops.map((stop) => stop()));
      return;
    }
    throw error;
  }
  const deps = createDependencies(config);
  setDependencies(deps);
  const logHandler = consoleLogHandler(options.verbose);

  const http = await startHttpServer(functionDefinitions, { port: options.port, logHandler });
  stops.unshift(() => http.close());
  for (const definition of functionDefinitions) {
    if (definition.trigger === 'http') {
      say(`  http      ${definition.options.methods.join(',').padEnd(6)} ${http.url}${ROUTE_PREFIX}/${definition.options.route}  (${definition.name}, auth ${definition.options.authLevel})`);
    }
  }
  const timers = startTimers(functionDefinitions, { env: process.env, logHandler });
  stops.unshift(() => timers.stop());
  for (const definition of functionDefinitions) {
    if (definition.trigger === 'timer') say(`  timer     ${definition.name} on "${definition.options.schedule}" (UTC)`);
  }

  const ingest = functionDefinitions.find(
    (definition): definition is Extract<FunctionDefinition, { trigger: 'eventHub' }> => definition.trigger === 'eventHub',
  );
  if (ingest === undefined) throw new Error('the registry has no Event Hub function');
  const feed = await startFeed(options, config, ingest, logHandler, deps, say);
  const status = setInterval(() => void printStatus(deps, say), 10_000);
  say(`API Warden is running at ${http.url}${ROUTE_PREFIX}/ (try ${http.url}${ROUTE_PREFIX}/health). Press Ctrl+C to stop.`);

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    clearInterval(status);
    await feed.stop();
    await printStatus(deps, say).catch(() => undefined);
    for (const stop of stops) await stop();
    process.exitCode = code;
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  feed.done.then(
    async () => {
      if (options.replay !== undefined && options.exitAfterReplay) await shutdown(0);
    },
    async (error: unknown) => {
      process.stderr.write(`feed failed: ${error instanceof Error ? error.message : String(error)}\n`);
      await shutdown(1);
    },
  );
}

async function startFeed(
  options: LocalRunOptions,
  config: Config,
  ingest: Extract<FunctionDefinition, { trigger: 'eventHub' }>,
  logHandler: LogHandler,
  deps: AppDependencies,
  say: (text: string) => void,
): Promise<RunningFeed> {
  if (config.eventHub !== undefined) {
    say(`  ingest    Event Hub "${config.eventHubName}", consumer group "${config.eventHubConsumerGroup}" (checkpoints in Table Storage)`);
    return await startEventHubFeed({ config, ingest, logHandler, tables: deps.tables });
  }
  if (options.replay !== undefined) {
    say(`  ingest    replay of ${options.replay === '-' ? 'stdin' : options.replay}`);
    return await startReplayFeed({ file: options.replay, ingest, logHandler, say });
  }
  say(`  ingest    demo: ${options.demoDays} days of generated history, then live traffic with attacks at ${options.demoSpeed}x (seed ${options.seed})`);
  return startDemoFeed({
    demo: {
      seed: options.seed,
      historyDays: options.demoDays,
      requestsPerDay: options.demoRate,
      speed: options.demoSpeed,
      attackEveryMinutes: options.demoAttackEvery,
      partitions: 4,
      batchSize: 500,
      torExitIps: snapshotAddresses('tor'),
      suspiciousIps: snapshotAddresses('threatIntel'),
    },
    ingest,
    logHandler,
    partitions: deps.partitions,
    say,
    describeLabel,
    learn: async (asOf) => {
      await recomputeBaselines(deps, config.detection, asOf.getTime());
      await deps.cursor.setLastEvaluated(windowStart(asOf.getTime()) - WINDOW_MS);
      deps.instantDetectors.invalidate();
    },
    evaluate: async () => {
      const summary = await evaluateWindows(deps, { settings: config.detection, allowedLatenessMs: config.allowedLatenessMs, maxWindows: 10_000 });
      const alerts = await deps.alerts.list();
      say(`  demo      history evaluated: ${summary.windows.length} windows, ${alerts.length} alerts so far`);
    },
  });
}

function describeLabel(label: Label): string {
  const target = label.apiId === '*' ? 'several endpoints' : `${label.service}/${label.apiId}/${label.operationId || '(unmatched)'}`;
  return `${label.alertType}${label.variant ? ` (${label.variant})` : ''} from ${label.clientIps.slice(0, 3).join(', ')}${label.clientIps.length > 3 ? ', …' : ''} on ${target}`;
}

async function printStatus(deps: AppDependencies, say: (text: string) => void): Promise<void> {
  const health = await getHealth(deps);
  if (health.status !== 'ok') {
    say(`  status    storage unreachable (${health.storage.error ?? 'unknown'})`);
    return;
  }
  const events = health.partitions.reduce((sum, p) => sum + p.events, 0);
  const latest = health.partitions.map((p) => p.lastEventTime).filter((t): t is string => t !== null).sort().pop();
  const raised = (await deps.alerts.list()).length;
  say(`  status    ${events.toLocaleString('en')} events in ${health.partitions.length} partitions, ${health.quarantine.total} quarantined, ${raised} alerts, event time ${latest ?? '—'}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`local run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
