/**
 * Part 1 of `npm run eval`: the real pipeline (`runDetect`: ingest, baselines, window
 * evaluation, instant detectors, alerts) on labeled generated traffic.
 *
 * Per scenario (one seed and traffic shape): the generator writes a training period and a
 * scoring period with several rounds of every injectable attack (Tor and threat-intel attackers
 * drawn from the public lists in ../shared/data), benign surprises are mixed into the scoring
 * period (scripts/eval/surprises.ts), `runDetect` learns from the training file and scores the
 * other, and the alerts are matched to the labels (scripts/eval/matching.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ALERT_TYPES } from '../../shared/core/alertTypes';
import { SuspiciousIpDetector } from '../../shared/core/detectors/suspiciousIp';
import { SuspiciousUserAgentDetector } from '../../shared/core/detectors/suspiciousUserAgent';
import { TorExitNodeDetector } from '../../shared/core/detectors/torExitNode';
import type { InstantDetector } from '../../shared/core/detectors/instant';
import { DEFAULTS, planTraffic, type Label, type SkippedAttack } from '../../shared/generator';
import { loadSnapshotLists } from '../../shared/intel/snapshot';
import { runDetect } from '../detect';
import { loadBrowserUserAgents } from '../evalUserAgents';
import { canonical, DATA_FILES, duration, formatTable, LineWriter, num, pct, readIpFile, TimeHeap } from './common';
import { judge, alertView, typeKey, type AlertView, type JudgedAlert, type JudgedLabel } from './matching';
import { BenignSurprises, defaultSurprisePlan, type SurpriseSummary } from './surprises';

const DAY = 86_400_000;
const MINUTE = 60_000;
const WINDOW = 20 * MINUTE;
/** Default WARDEN_ALLOWED_LATENESS_MINUTES: how late a window is evaluated after it closes. */
const LATENESS = 5 * MINUTE;

export interface Scenario {
  name: string;
  seed: number;
  /** ISO start of the training period. */
  start: string;
  trainDays: number;
  scoreDays: number;
  requestsPerDay: number;
  services: number;
  proxyShare: number;
  attackRounds: number;
  /** Mix the benign surprises into the scoring period. */
  surprises: boolean;
}

/** Traffic shapes the scenarios cycle through (seed i gets shape i mod 3). */
const SHAPES: ReadonlyArray<Omit<Scenario, 'name' | 'seed' | 'start' | 'surprises'>> = [
  { requestsPerDay: 6_000, services: 2, proxyShare: 0, trainDays: 14, scoreDays: 2, attackRounds: 3 },
  { requestsPerDay: 12_000, services: 3, proxyShare: 0.25, trainDays: 14, scoreDays: 1.5, attackRounds: 3 },
  { requestsPerDay: 3_000, services: 1, proxyShare: 0.1, trainDays: 21, scoreDays: 2, attackRounds: 3 },
];

const QUICK_SHAPE: Omit<Scenario, 'name' | 'seed' | 'start' | 'surprises'> = {
  requestsPerDay: 3_000, services: 2, proxyShare: 0, trainDays: 8, scoreDays: 1, attackRounds: 1,
};

/**
 * The default scenarios for some seeds: shapes cycle (6,000/day on 2 services; 12,000/day on 3
 * services with a quarter of desktop clients behind a proxy; 3,000/day on 1 service, 10 % proxied,
 * 21 training days), and start dates move by 5 days so the scoring days fall on different
 * weekdays (one on a weekend). `quick`: one small shape for every seed.
 */
export function defaultScenarios(seeds: readonly number[], quick = false): Scenario[] {
  return seeds.map((seed, i) => {
    const shape = quick ? QUICK_SHAPE : (SHAPES[i % SHAPES.length] as (typeof SHAPES)[number]);
    const start = new Date(Date.UTC(2026, 8, 1 + 5 * i)).toISOString();
    return {
      name: `seed ${seed}: ${num(shape.requestsPerDay)}/day, ${shape.services} service${shape.services > 1 ? 's' : ''}, proxy ${pct(shape.proxyShare, 0)}, ${shape.trainDays}+${shape.scoreDays} days`,
      seed,
      start,
      surprises: true,
      ...shape,
    };
  });
}

export interface ScenarioEnv {
  dataDir: string;
  /** Where the scenario's files go (a new temp directory when absent). Without keepFiles the files (and a temp directory) are removed at the end. */
  workDir?: string;
  keepFiles?: boolean;
  /** Progress lines (stderr in the runner). */
  log?: (line: string) => void;
}

export interface ScenarioResult {
  scenario: Scenario;
  trainEvents: number;
  scoreEvents: number;
  quarantined: number;
  windowsEvaluated: number;
  baselineAsOf: string | null;
  /** Records of injected attacks (all in the scoring period). */
  attackRecords: number;
  /** Scored records that are not injected attacks (surprises included). */
  benignEvents: number;
  skipped: SkippedAttack[];
  surprises: SurpriseSummary[];
  labels: JudgedLabel[];
  alerts: JudgedAlert[];
  /** Where the files were kept, when they were. */
  files?: { train: string; score: string; alerts: string; labels: string };
  timings: { generateMs: number; detectMs: number };
}

/** The instant detectors that need no baseline, as a deployment runs them: patterns and the shipped intel snapshot. */
export function fixedDetectors(): InstantDetector[] {
  const lists = loadSnapshotLists();
  return [new SuspiciousUserAgentDetector(), new TorExitNodeDetector(lists), new SuspiciousIpDetector(lists)];
}

/** Generates one scenario's files, runs the pipeline on them and judges the alerts. */
export async function runScenario(scenario: Scenario, env: ScenarioEnv): Promise<ScenarioResult> {
  const log = env.log ?? (() => undefined);
  const created = env.workDir === undefined;
  const dir = env.workDir ?? mkdtempSync(join(tmpdir(), `warden-eval-${scenario.seed}-`));
  mkdirSync(dir, { recursive: true });
  const files = { train: join(dir, 'train.jsonl'), score: join(dir, 'score.jsonl'), alerts: join(dir, 'alerts.jsonl'), labels: join(dir, 'labels.json') };
  try {
    const t0 = Date.now();
    const torIps = readIpFile(join(env.dataDir, DATA_FILES.torExits));
    const intelIps = readIpFile(join(env.dataDir, DATA_FILES.ipsumLevel3));
    const start = Date.parse(scenario.start);
    const trainEnd = start + scenario.trainDays * DAY;
    const plan = planTraffic({
      seed: scenario.seed,
      start: new Date(start),
      days: scenario.trainDays + scenario.scoreDays,
      requestsPerDay: scenario.requestsPerDay,
      services: scenario.services,
      proxyShare: scenario.proxyShare,
      warmupDays: scenario.trainDays,
      attackRounds: scenario.attackRounds,
      torExitIps: torIps,
      suspiciousIps: intelIps,
    });
    const labels = plan.labels;
    const attackIndex = attackLookup(labels);
    const excluded = new Set<string>([...torIps, ...intelIps]);
    const train = new LineWriter(files.train);
    const score = new LineWriter(files.score);
    let surprises: BenignSurprises | undefined;
    const pending = new TimeHeap<{ time: number; body: string }>();
    for (const message of plan.messages()) {
      if (message.time < trainEnd) {
        excluded.add(canonical(message.partitionKey));
        train.write(message.body);
        continue;
      }
      if (surprises === undefined && scenario.surprises) {
        surprises = new BenignSurprises(defaultSurprisePlan(trainEnd, scenario.scoreDays), {
          seed: scenario.seed,
          excludedIps: excluded,
          browserUserAgents: loadBrowserUserAgents(env.dataDir),
          isAttack: attackIndex,
        });
      }
      while ((pending.peek()?.time ?? Infinity) <= message.time) score.write((pending.pop() as { body: string }).body);
      if (surprises === undefined) {
        score.write(message.body);
        continue;
      }
      const { body, extras } = surprises.process(message);
      score.write(body);
      for (const extra of extras) pending.push(extra);
    }
    while (pending.size > 0) score.write((pending.pop() as { body: string }).body);
    train.close();
    score.close();
    const generateMs = Date.now() - t0;
    log(`  ${scenario.name}: generated ${num(train.lines)} training and ${num(score.lines)} scored messages in ${duration(generateMs)}`);

    const t1 = Date.now();
    const result = await runDetect({ train: files.train, score: files.score, out: files.alerts, detectors: fixedDetectors() });
    const detectMs = Date.now() - t1;
    log(`  ${scenario.name}: ${num(result.trainEvents)} + ${num(result.scoreEvents)} events through the pipeline in ${duration(detectMs)}, ${result.alerts} alerts`);

    const alerts = readFileSync(files.alerts, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => alertView(JSON.parse(line)));
    const attribute = surprises === undefined ? undefined : attributeFalseAlert(surprises, scenario);
    const judged = judge(labels, alerts, { slackMs: WINDOW + LATENESS, ...(attribute ? { attribute } : {}) });
    const attackRecords = labels.reduce((sum, label) => sum + label.requestCount, 0);
    if (env.keepFiles) writeFileSync(files.labels, `${JSON.stringify(labels, null, 2)}\n`);
    return {
      scenario,
      trainEvents: result.trainEvents,
      scoreEvents: result.scoreEvents,
      quarantined: result.quarantined,
      windowsEvaluated: result.windowsEvaluated,
      baselineAsOf: result.baselineAsOf,
      attackRecords,
      benignEvents: result.scoreEvents - attackRecords,
      skipped: plan.skipped,
      surprises: surprises?.summaries() ?? [],
      labels: judged.labels,
      alerts: judged.alerts,
      ...(env.keepFiles ? { files } : {}),
      timings: { generateMs, detectMs },
    };
  } finally {
    if (!env.keepFiles) {
      if (created) rmSync(dir, { recursive: true, force: true });
      else for (const file of Object.values(files)) rmSync(file, { force: true });
    }
  }
}

/** (client IP, time) → is it a record of an injected attack. */
function attackLookup(labels: readonly Label[]): (clientIp: string, time: number) => boolean {
  const byIp = new Map<string, Array<{ start: number; end: number }>>();
  for (const label of labels) {
    const span = { start: Date.parse(label.start), end: Date.parse(label.end) };
    for (const ip of label.clientIps) {
      const key = canonical(ip);
      const list = byIp.get(key);
      if (list === undefined) byIp.set(key, [span]);
      else list.push(span);
    }
  }
  return (clientIp, time) => (byIp.get(clientIp) ?? []).some((span) => time >= span.start && time < span.end);
}

/** Names the probable cause of a false alert: a benign surprise, the untrusted proxy, or the baseline itself. */
function attributeFalseAlert(surprises: BenignSurprises, scenario: Scenario): (alert: AlertView) => string {
  const { campaign, outage, wave } = surprises.plan;
  const proxies = new Set(scenario.proxyShare > 0 ? DEFAULTS.proxyIps.map(canonical) : []);
  const during = (alert: AlertView, period: { start: number; end: number } | undefined) =>
    period !== undefined && alert.start < period.end + WINDOW + LATENESS && alert.end >= period.start - WINDOW - LATENESS;
  return (alert) => {
    if (alert.clientIp !== undefined) {
      if (surprises.waveClients.has(alert.clientIp)) return 'wave (a new client)';
      if (surprises.campaignClients.has(alert.clientIp)) return 'campaign (a visitor)';
      if (proxies.has(alert.clientIp)) return 'proxy (X-Forwarded-For not trusted: runDetect has no trusted-proxy option)';
    }
    if (campaign !== undefined && during(alert, campaign) && alert.apiId === campaign.apiId && alert.operationId === campaign.operationId) return 'campaign (its endpoint)';
    if (during(alert, outage) && (alert.alertType === 'API_SpikeInLatency' || alert.alertType === 'API_SpikeInPayload')) return 'outage';
    if (during(alert, wave) && alert.clientIp === undefined) return 'wave (population)';
    return 'baseline traffic';
  };
}

// ---------------------------------------------------------------------------------------------
// Summaries

export interface TypeRow {
  type: string;
  labels: number;
  detected: number;
  recall: number | null;
  alerts: number;
  trueAlerts: number;
  secondary: number;
  falseAlerts: number;
  /** true / (true + false): secondary alerts are left out of both. */
  precision: number | null;
}

export interface GeneratedSummary {
  scenarios: Array<{
    name: string;
    seed: number;
    trainEvents: number;
    scoreEvents: number;
    benignEvents: number;
    labels: number;
    detected: number;
    alerts: number;
    falseAlerts: number;
    secondary: number;
    falsePer100k: number | null;
    seconds: number;
  }>;
  byType: TypeRow[];
  total: TypeRow;
  benignEvents: number;
  falsePer100k: number | null;
  missed: Array<{ scenario: number; id: string; type: string; description: string }>;
  falseAlerts: Array<{ scenario: number; type: string; entity: string; observed?: string; baseline?: string; cause?: string; start: string; count: number }>;
  secondaryAlerts: Array<{ scenario: number; type: string; entity: string; explainedBy?: string }>;
  falseByCause: Record<string, number>;
  skipped: Array<{ scenario: number; type: string; reason: string }>;
}

function entityOf(alert: AlertView): string {
  const endpoint = [alert.apiId, alert.operationId || alert.pathTemplate].filter((part) => part !== undefined && part !== '').join('/');
  return [alert.clientIp, endpoint, alert.parameterName ? `param ${alert.parameterName}` : undefined, alert.statusCode ? `status ${alert.statusCode}` : undefined]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
}

export function summarizeGenerated(results: readonly ScenarioResult[]): GeneratedSummary {
  const rows = new Map<string, TypeRow>();
  const row = (type: string): TypeRow => {
    let r = rows.get(type);
    if (r === undefined) {
      r = { type, labels: 0, detected: 0, recall: null, alerts: 0, trueAlerts: 0, secondary: 0, falseAlerts: 0, precision: null };
      rows.set(type, r);
    }
    return r;
  };
  for (const type of ALERT_TYPES) {
    if (type === 'API_SpikeInPayload') {
      row(typeKey(type, 'request'));
      row(typeKey(type, 'response'));
    } else {
      row(type);
    }
  }
  const summary: GeneratedSummary = {
    scenarios: [],
    byType: [],
    total: { type: 'all', labels: 0, detected: 0, recall: null, alerts: 0, trueAlerts: 0, secondary: 0, falseAlerts: 0, precision: null },
    benignEvents: 0,
    falsePer100k: null,
    missed: [],
    falseAlerts: [],
    secondaryAlerts: [],
    falseByCause: {},
    skipped: [],
  };
  for (const result of results) {
    const seed = result.scenario.seed;
    for (const label of result.labels) {
      const r = row(typeKey(label.alertType, label.variant));
      r.labels += 1;
      if (label.detected) r.detected += 1;
      else summary.missed.push({ scenario: seed, id: label.id, type: typeKey(label.alertType, label.variant), description: label.description });
    }
    for (const alert of result.alerts) {
      const r = row(typeKey(alert.alertType, alert.variant));
      r.alerts += 1;
      if (alert.verdict === 'true') r.trueAlerts += 1;
      else if (alert.verdict === 'secondary') {
        r.secondary += 1;
        summary.secondaryAlerts.push({ scenario: seed, type: typeKey(alert.alertType, alert.variant), entity: entityOf(alert), ...(alert.explainedBy ? { explainedBy: alert.explainedBy } : {}) });
      } else {
        r.falseAlerts += 1;
        const cause = alert.cause ?? 'baseline traffic';
        summary.falseByCause[cause] = (summary.falseByCause[cause] ?? 0) + 1;
        summary.falseAlerts.push({
          scenario: seed,
          type: typeKey(alert.alertType, alert.variant),
          entity: entityOf(alert),
          ...(alert.observed !== undefined ? { observed: alert.observed } : {}),
          ...(alert.baseline !== undefined ? { baseline: alert.baseline } : {}),
          cause,
          start: new Date(alert.start).toISOString(),
          count: alert.count,
        });
      }
    }
    for (const skipped of result.skipped) summary.skipped.push({ scenario: seed, type: typeKey(skipped.alertType, skipped.variant), reason: skipped.reason });
    const falseAlerts = result.alerts.filter((a) => a.verdict === 'false').length;
    summary.scenarios.push({
      name: result.scenario.name,
      seed,
      trainEvents: result.trainEvents,
      scoreEvents: result.scoreEvents,
      benignEvents: result.benignEvents,
      labels: result.labels.length,
      detected: result.labels.filter((l) => l.detected).length,
      alerts: result.alerts.length,
      falseAlerts,
      secondary: result.alerts.filter((a) => a.verdict === 'secondary').length,
      falsePer100k: result.benignEvents > 0 ? (falseAlerts / result.benignEvents) * 100_000 : null,
      seconds: Math.round((result.timings.generateMs + result.timings.detectMs) / 100) / 10,
    });
    summary.benignEvents += result.benignEvents;
  }
  for (const r of rows.values()) {
    r.recall = r.labels === 0 ? null : r.detected / r.labels;
    r.precision = r.trueAlerts + r.falseAlerts === 0 ? null : r.trueAlerts / (r.trueAlerts + r.falseAlerts);
    const t = summary.total;
    t.labels += r.labels;
    t.detected += r.detected;
    t.alerts += r.alerts;
    t.trueAlerts += r.trueAlerts;
    t.secondary += r.secondary;
    t.falseAlerts += r.falseAlerts;
  }
  const t = summary.total;
  t.recall = t.labels === 0 ? null : t.detected / t.labels;
  t.precision = t.trueAlerts + t.falseAlerts === 0 ? null : t.trueAlerts / (t.trueAlerts + t.falseAlerts);
  summary.byType = [...rows.values()];
  summary.falsePer100k = summary.benignEvents > 0 ? (t.falseAlerts / summary.benignEvents) * 100_000 : null;
  return summary;
}

export function formatGenerated(summary: GeneratedSummary, results: readonly ScenarioResult[]): string {
  const typeRows = [...summary.byType, summary.total].map((r) => [
    r.type,
    r.labels,
    r.detected,
    pct(r.recall),
    r.alerts,
    r.trueAlerts,
    r.secondary,
    r.falseAlerts,
    pct(r.precision),
  ]);
  const lines = [
    `Generated traffic through the pipeline (runDetect), ${results.length} scenario${results.length === 1 ? '' : 's'}:`,
    formatTable(
      ['scenario', 'train events', 'scored events', 'benign', 'labels', 'detected', 'alerts', 'false', 'secondary', 'false/100k benign', 'time'],
      summary.scenarios.map((s) => [s.name, num(s.trainEvents), num(s.scoreEvents), num(s.benignEvents), s.labels, s.detected, s.alerts, s.falseAlerts, s.secondary, s.falsePer100k === null ? '–' : s.falsePer100k.toFixed(2), `${s.seconds} s`]),
    ),
    '',
    formatTable(['alert type', 'labels', 'detected', 'recall', 'alerts', 'true', 'secondary', 'false', 'precision'], typeRows),
    `False alerts per 100,000 benign events: ${summary.falsePer100k === null ? '–' : summary.falsePer100k.toFixed(2)} (${summary.total.falseAlerts} false alerts, ${num(summary.benignEvents)} benign scored events).`,
    'Precision = true / (true + false). "Secondary" alerts are explained by an attack of another type (the attacker\'s own IP, or the attacked endpoint, at the attack\'s time): counted apart, neither true nor false.',
  ];
  if (results.some((r) => r.surprises.length > 0)) {
    lines.push('', 'Benign surprises in the scoring periods (must not alert):');
    for (const result of results) {
      for (const s of result.surprises) {
        lines.push(`  seed ${result.scenario.seed} ${s.kind.padEnd(8)} ${s.start.slice(11, 16)}–${s.end.slice(11, 16)}: ${s.addedRecords > 0 ? `+${num(s.addedRecords)} records from ${num(s.clients)} new clients` : `${num(s.modifiedRecords)} records slowed`} (${s.description})`);
      }
    }
    const causes = Object.entries(summary.falseByCause).sort((a, b) => b[1] - a[1]);
    lines.push(`  false alerts by probable cause: ${causes.length === 0 ? 'none' : causes.map(([cause, n]) => `${cause} ${n}`).join('; ')}`);
  }
  if (summary.missed.length > 0) {
    lines.push('', `Missed attacks (${summary.missed.length}):`);
    for (const m of summary.missed) lines.push(`  seed ${m.scenario} ${m.id} ${m.type}: ${m.description}`);
  }
  if (summary.falseAlerts.length > 0) {
    lines.push('', `False alerts (${summary.falseAlerts.length}):`);
    for (const f of summary.falseAlerts.slice(0, 40)) {
      lines.push(`  seed ${f.scenario} ${f.type} ${f.entity} at ${f.start.slice(0, 16)} ×${f.count}: observed ${f.observed ?? '?'}${f.baseline ? ` vs ${f.baseline}` : ''} [${f.cause}]`);
    }
    if (summary.falseAlerts.length > 40) lines.push(`  … ${summary.falseAlerts.length - 40} more in the JSON`);
  }
  if (summary.secondaryAlerts.length > 0) {
    const byPair = new Map<string, number>();
    for (const s of summary.secondaryAlerts) {
      const key = `${s.type} ← ${(s.explainedBy ?? '').replace(/^\S+ /, '')}`;
      byPair.set(key, (byPair.get(key) ?? 0) + 1);
    }
    lines.push('', 'Secondary alerts (type ← the attack that explains it):');
    for (const [key, n] of [...byPair].sort((a, b) => b[1] - a[1])) lines.push(`  ${n} × ${key}`);
  }
  if (summary.skipped.length > 0) {
    lines.push('', 'Not injected:');
    for (const s of summary.skipped) lines.push(`  seed ${s.scenario} ${s.type}: ${s.reason}`);
  }
  return lines.join('\n');
}
