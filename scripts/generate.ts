/**
 * Writes generated, labeled GatewayLogs traffic to files:
 * - `out`: one Event Hub message body per line ({"records":[…]}), in event-time order;
 * - `labels`: the ground-truth labels as one JSON array (pretty-printed).
 * The CLI wiring lives elsewhere; this module only exports runGenerate.
 */
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';

import { parseIpList, planTraffic, type AlertType, type SkippedAttack } from '../shared/generator';

import { progressBar } from './progress';

/** Start of the range when none is given (fixed, so output never depends on the clock). */
export const DEFAULT_START = '2026-11-01T00:00:00.000Z';

export interface GenerateOptions {
  seed: number;
  days: number;
  /** Path of the messages file (JSON lines). */
  out: string;
  /** Path of the labels file (a JSON array). */
  labels: string;
  /** ISO start time; default {@link DEFAULT_START}. */
  start?: string;
  requestsPerDay?: number;
  /** File of Tor exit IPs: one per line, # comments, optional extra columns; .gz accepted. */
  torList?: string;
  /** File of threat-intel IPs, same format (IPsum's "IP<TAB>count" works). */
  intelList?: string;
  /** Show a progress bar on stderr. */
  progress?: boolean;
  /** Passed through to the generator (see GeneratorOptions). */
  attacks?: boolean | AlertType[];
  warmupDays?: number;
  attackRounds?: number;
  logHeaders?: boolean;
  recordsPerMessage?: number;
  services?: number;
  proxyShare?: number;
}

export interface GenerateResult {
  messages: number;
  records: number;
  labels: number;
  /** Attack types asked for but not injected, with the reason. */
  skipped: SkippedAttack[];
}

/** Reads an IP list file (gzip detected by its magic bytes) and returns the valid IPs. */
export async function readIpListFile(path: string): Promise<string[]> {
  const raw = await readFile(path);
  const bytes = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  return parseIpList(bytes.toString('utf8')).ips;
}

const CHUNK_BYTES = 256 * 1024;

export async function runGenerate(opts: GenerateOptions): Promise<GenerateResult> {
  const startText = opts.start ?? DEFAULT_START;
  const start = new Date(startText);
  if (!Number.isFinite(start.getTime())) throw new RangeError(`start: not a valid ISO date/time: "${startText}"`);

  const torExitIps = opts.torList !== undefined ? await readIpListFile(opts.torList) : [];
  const suspiciousIps = opts.intelList !== undefined ? await readIpListFile(opts.intelList) : [];

  const plan = planTraffic({
    seed: opts.seed,
    start,
    days: opts.days,
    torExitIps,
    suspiciousIps,
    ...(opts.requestsPerDay !== undefined ? { requestsPerDay: opts.requestsPerDay } : {}),
    ...(opts.attacks !== undefined ? { attacks: opts.attacks } : {}),
    ...(opts.warmupDays !== undefined ? { warmupDays: opts.warmupDays } : {}),
    ...(opts.attackRounds !== undefined ? { attackRounds: opts.attackRounds } : {}),
    ...(opts.logHeaders !== undefined ? { logHeaders: opts.logHeaders } : {}),
    ...(opts.recordsPerMessage !== undefined ? { recordsPerMessage: opts.recordsPerMessage } : {}),
    ...(opts.services !== undefined ? { services: opts.services } : {}),
    ...(opts.proxyShare !== undefined ? { proxyShare: opts.proxyShare } : {}),
  });

  const bar = opts.progress ? progressBar('generate', plan.estimatedMessages, 'messages') : undefined;

  const stream = createWriteStream(opts.out, { encoding: 'utf8' });
  let failure: Error | undefined;
  stream.on('error', (error: Error) => {
    failure = error;
  });

  let messages = 0;
  let records = 0;
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (failure) throw failure;
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    pendingBytes = 0;
    if (!stream.write(chunk)) await once(stream, 'drain');
  };

  try {
    for (const message of plan.messages()) {
      const line = `${message.body}\n`;
      pending.push(line);
      pendingBytes += line.length;
      messages++;
      records += message.recordCount;
      if (pendingBytes >= CHUNK_BYTES) {
        await flush();
        bar?.update(messages);
      }
    }
    await flush();
    stream.end();
    await finished(stream);
  } catch (error) {
    stream.destroy();
    bar?.stop();
    throw error;
  }
  bar?.stop();

  await writeFile(opts.labels, `${JSON.stringify(plan.labels, null, 2)}\n`, 'utf8');
  return { messages, records, labels: plan.labels.length, skipped: plan.skipped };
}
