#!/usr/bin/env node
import { readFileSync, statSync } from 'node:fs';

import { Command, InvalidArgumentError } from 'commander';

import { eventHubConnectionOf } from '../shared/azure/eventHubSource';
import { sendBodies } from '../shared/azure/eventHubSender';
import { parseConfig } from '../shared/config';
import { parseInventory, type Inventory } from '../shared/core/inventory';
import { CidrSet } from '../shared/core/ip';
import { parseMessage } from '../shared/core/parse';
import { SuspiciousIpDetector } from '../shared/core/detectors/suspiciousIp';
import { SuspiciousUserAgentDetector } from '../shared/core/detectors/suspiciousUserAgent';
import { TorExitNodeDetector } from '../shared/core/detectors/torExitNode';
import { runDetect } from './detect';
import { DEFAULT_START, runGenerate } from './generate';
import { intelListsFromFiles } from './intelFiles';
import { loadLocalSettings } from './local/localSettings';
import { linesAsBatches } from './messageLines';
import { parseFile } from './parseFile';
import { progressBar } from './progress';

/** Exit codes: 0 done (bad records included), 2 unusable arguments or files. */
const USAGE_ERROR = 2;

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function isoTime(value: string): string {
  if (Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('must be an ISO 8601 time, e.g. 2026-11-01T00:00:00Z');
  return new Date(value).toISOString();
}

function cidrList(value: string): CidrSet {
  const parsed = CidrSet.parse(value.split(/[,\s;]+/).filter((entry) => entry !== ''));
  if (!parsed.ok) throw new InvalidArgumentError(`not an IP or CIDR: ${parsed.invalid.join(', ')}`);
  return parsed.set;
}

function fileSize(file: string): number {
  if (file === '-') return 0;
  try {
    return statSync(file).size;
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

class UsageError extends Error {}

/** Reads and validates an APIM inventory file (JSON in ARM's contract property names). */
function readInventory(file: string): Inventory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = parseInventory(json);
  if (!parsed.ok) throw new UsageError(`${file}: not a valid inventory:\n  ${parsed.errors.join('\n  ')}`);
  return parsed.inventory;
}

export function buildCli(): Command {
  const program = new Command('api-warden')
    .description('API Warden: runtime threat detection for APIs behind Azure API Management')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('parse')
    .description('normalize APIM log messages (one Event Hub message body per line) into RequestEvents as JSON lines')
    .argument('<file>', 'file of message bodies, or - for stdin')
    .option('--trusted-proxies <cidrs>', 'IPs/CIDRs whose X-Forwarded-For is believed', cidrList)
    .option('--max-raw <chars>', 'longest raw record text kept for a rejection', positiveInteger, 16_384)
    .option('--quarantine <file>', 'also write every rejection as a JSON line to this file')
    .action(async (file: string, options: { trustedProxies?: CidrSet; maxRaw: number; quarantine?: string }) => {
      const bar = progressBar('parse', fileSize(file), 'bytes');
      const result = await parseFile(file, {
        trustedProxies: options.trustedProxies ?? CidrSet.empty(),
        maxRawChars: options.maxRaw,
        out: process.stdout,
        quarantineOut: options.quarantine,
        onProgress: bar.update,
      });
      bar.stop();
      const reasons = Object.entries(result.quarantinedByReason).sort((a, b) => b[1] - a[1]);
      process.stderr.write(
        `${result.messages} messages, ${result.records} records: ${result.events} events, ${result.quarantined} quarantined, ${result.skipped} skipped\n` +
          reasons.map(([reason, count]) => `  ${reason}: ${count}\n`).join(''),
      );
    });

  program
    .command('generate')
    .description('write deterministic, labeled APIM GatewayLogs traffic: one Event Hub message body per line, plus ground-truth labels')
    .requiredOption('--out <file>', 'message bodies, one per line')
    .requiredOption('--labels <file>', 'ground-truth labels of the injected attacks (JSON array)')
    .option('--seed <n>', 'generator seed', positiveInteger, 1)
    .option('--days <n>', 'days of traffic', positiveNumber, 30)
    .option('--start <iso>', 'event time of the first day', isoTime, DEFAULT_START)
    .option('--rate <n>', 'baseline requests per day', positiveInteger, 20_000)
    .option('--warmup-days <n>', 'days without attacks at the start (default: all but the last day)', positiveNumber)
    .option('--no-attacks', 'generate baseline traffic only')
    .option('--tor-list <file>', 'Tor exit IPs to attack from, one per line')
    .option('--intel-list <file>', 'threat-intel IPs to attack from (one per line, or IPsum "IP<TAB>count")')
    .action(async (options: GenerateCliOptions) => {
      const result = await runGenerate({
        seed: options.seed,
        days: options.days,
        start: options.start,
        requestsPerDay: options.rate,
        out: options.out,
        labels: options.labels,
        attacks: options.attacks,
        ...(options.warmupDays !== undefined ? { warmupDays: options.warmupDays } : {}),
        ...(options.torList !== undefined ? { torList: options.torList } : {}),
        ...(options.intelList !== undefined ? { intelList: options.intelList } : {}),
        progress: true,
      });
      process.stderr.write(`${result.messages} messages, ${result.records} records, ${result.labels} labeled attacks\n`);
      for (const skipped of result.skipped) process.stderr.write(`  not injected: ${skipped.alertType} (${skipped.reason})\n`);
    });

  program
    .command('replay')
    .description('send message bodies (one per line) to the Event Hub configured by EVENTHUB_CONNECTION, keyed by client IP')
    .argument('<file>', 'file of message bodies, or - for stdin')
    .option('--settings <file>', 'local settings file to read the connection from', 'local.settings.json')
    .action(async (file: string, options: { settings: string }) => {
      loadLocalSettings(options.settings);
      // Replaying needs only the Event Hub settings; a placeholder satisfies the storage ones.
      const config = parseConfig({ WARDEN_TABLES_CONNECTION_STRING: 'unused', ...process.env });
      if (config.eventHub === undefined) throw new UsageError('set EVENTHUB_CONNECTION (or EVENTHUB_CONNECTION__fullyQualifiedNamespace) to replay into an Event Hub');
      const bar = progressBar('replay', fileSize(file), 'bytes');
      let bytes = 0;
      const result = await sendBodies(
        { connection: eventHubConnectionOf(config), eventHubName: config.eventHubName },
        keyedBodies(file, (offset) => (bytes = offset)),
        () => bar.update(bytes),
      );
      bar.stop();
      process.stderr.write(`${result.sent} events sent to ${config.eventHubName} in ${result.batches} batches\n`);
    });

  program
    .command('detect')
    .description('learn baselines from one log file and write the alerts raised on another (the functions\' own pipeline, on an in-memory Azurite)')
    .requiredOption('--train <file>', 'logs to learn from (one Event Hub message body per line)')
    .requiredOption('--score <file>', 'logs to score, later in event time')
    .requiredOption('--out <file>', 'alerts, one JSON object per line, in Defender\'s continuous-export shape')
    .option('--tor-list <file>', 'Tor exit IPs, replacing the shipped snapshot (one IP or CIDR per line, .gz accepted)')
    .option('--ti-list <file>', 'threat-intel IPs/CIDRs, replacing the shipped snapshot (IPsum "IP<TAB>count" accepted)')
    .option('--inventory <file>', 'APIM inventory (JSON: service, apis with their operations): names path parameters after the URL templates; declared parameters are never unseen')
    .action(async (options: { train: string; score: string; out: string; torList?: string; tiList?: string; inventory?: string }) => {
      for (const file of [options.torList, options.tiList]) if (file !== undefined) fileSize(file);
      const inventory = options.inventory === undefined ? undefined : readInventory(options.inventory);
      const lists = await intelListsFromFiles({ tor: options.torList, threatIntel: options.tiList });
      const bars = { train: progressBar('train', fileSize(options.train), 'bytes'), score: progressBar('score', fileSize(options.score), 'bytes') };
      const result = await runDetect({
        train: options.train,
        score: options.score,
        out: options.out,
        detectors: [new SuspiciousUserAgentDetector(), new TorExitNodeDetector(lists), new SuspiciousIpDetector(lists)],
        inventory,
        onProgress: (phase, bytes) => bars[phase].update(bytes),
      });
      bars.train.stop();
      bars.score.stop();
      process.stderr.write(
        `learned from ${result.trainEvents} events (baselines as of ${result.baselineAsOf ?? 'never'}); scored ${result.scoreEvents} events ` +
          `over ${result.windowsEvaluated} windows; ${result.alerts} alerts; ${result.quarantined} records quarantined\n`,
      );
    });

  return program;
}

interface GenerateCliOptions {
  out: string;
  labels: string;
  seed: number;
  days: number;
  start: string;
  rate: number;
  warmupDays?: number;
  attacks: boolean;
  torList?: string;
  intelList?: string;
}

/**
 * Message bodies of a file with their partition key: the client IP of the first request in
 * the body, as APIM's log-to-eventhub policy keys them, so one client's events stay in order.
 */
async function* keyedBodies(file: string, onOffset: (offset: number) => void): AsyncIterable<{ body: string; partitionKey?: string }> {
  const trustedProxies = CidrSet.empty();
  for await (const batch of linesAsBatches(file, 500)) {
    for (const message of batch) {
      onOffset(Number(message.offset));
      const position = { partitionId: 'replay', sequenceNumber: message.sequenceNumber, offset: message.offset };
      const first = parseMessage(message.body, position, { trustedProxies, maxRawChars: 1 }).find((r) => r.kind === 'event');
      yield first?.kind === 'event' ? { body: message.body, partitionKey: first.event.clientIp } : { body: message.body };
    }
  }
}

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildCli().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    const commanderError = error as { code?: string; exitCode?: number };
    if (commanderError.code === 'commander.helpDisplayed' || commanderError.code === 'commander.version') return 0;
    if (commanderError.code?.startsWith('commander.')) return USAGE_ERROR;
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`api-warden: ${error instanceof Error ? error.message : String(error)}\n`);
      return USAGE_ERROR;
    }
    throw error;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`api-warden: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
