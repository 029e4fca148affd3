#!/usr/bin/env node
import { statSync } from 'node:fs';

import { Command, InvalidArgumentError } from 'commander';

import { CidrSet } from '../shared/core/ip';
import { parseFile } from './parseFile';
import { progressBar } from './progress';

/** Exit codes: 0 done (bad records included), 2 unusable arguments or files. */
const USAGE_ERROR = 2;

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
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
        trustedProxies: options.trustedProxies ?? cidrList(''),
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

  return program;
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
