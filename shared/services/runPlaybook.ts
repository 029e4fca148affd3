import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import { playbookRefSchema, toDefenderExport, type Alert, type PlaybookRef } from '../core/alerts';
import { NotFoundError, UpstreamError } from '../errors';
import type { ActionRecord, ActionStore, AlertStore, Clock, PlaybookRunner, PlaybookRunResult } from '../ports';

/** Body of POST /api/actions/run-playbook: which workflow trigger, which alert it receives, and why. */
export const runPlaybookSchema = playbookRefSchema.extend({
  /** The alert POSTed to the playbook, in Defender's export shape. */
  alertId: z.string().trim().min(1).max(100),
  reason: z.string().trim().min(1).max(1000).optional(),
  requestedBy: z.string().trim().min(1).max(200).optional(),
});

export type RunPlaybookBody = z.infer<typeof runPlaybookSchema>;

/** One try at running a playbook: the trigger's answer, or the failure that kept it from answering. */
export type PlaybookAttempt = { answer: PlaybookRunResult } | { error: Error };

/**
 * POSTs the alert, in Defender's continuous-export shape (what playbooks written for Defender's
 * workflow automation read), to the playbook's trigger. Never throws: failures are returned.
 */
export async function tryPlaybook(runner: PlaybookRunner, ref: PlaybookRef, alert: Alert): Promise<PlaybookAttempt> {
  try {
    return { answer: await runner.runPlaybook(ref, toDefenderExport(alert)) };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** The HTTP status of the attempt: the trigger's, or ARM's when the callback URL could not be had; undefined without an answer. */
function statusOf(attempt: PlaybookAttempt): number | undefined {
  return 'answer' in attempt ? attempt.answer.status : attempt.error instanceof UpstreamError ? attempt.error.status : undefined;
}

export function accepted(attempt: PlaybookAttempt): attempt is { answer: PlaybookRunResult } {
  return 'answer' in attempt && attempt.answer.status >= 200 && attempt.answer.status < 300;
}

/**
 * Worth trying again later: throttled (429), a server error (5xx), a timeout (408) or no answer
 * at all (network). Any other refusal (400, 401, 403, 404, …) will not change by waiting.
 */
export function isTransient(attempt: PlaybookAttempt): boolean {
  if (accepted(attempt)) return false;
  const status = statusOf(attempt);
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/** What went wrong, for logs, the outbox and the audit (the runner keeps the callback URL out of it). */
export function failureOf(attempt: PlaybookAttempt): string {
  return 'answer' in attempt ? `the trigger answered HTTP ${attempt.answer.status}` : attempt.error.message;
}

export interface PlaybookRunAudit {
  ref: PlaybookRef;
  alertId: string;
  requestedBy: string;
  reason: string;
  /** The automation rule that ran the playbook, if one did. */
  ruleId?: string;
  /** Overrides the failure detail (e.g. "gave up after 10 attempts: …"). */
  detail?: string;
}

/**
 * Records a playbook run in the actions table: `applied` when the trigger accepted the alert
 * (2xx), `failed` otherwise, with the workflow, trigger, rule, HTTP status and run id as
 * parameters. The callback URL is never part of it.
 */
export async function auditPlaybookRun(
  attempt: PlaybookAttempt,
  audit: PlaybookRunAudit,
  deps: { actions: ActionStore; clock: Clock },
): Promise<ActionRecord> {
  const status = statusOf(attempt);
  const runId = 'answer' in attempt ? attempt.answer.runId : undefined;
  const record: ActionRecord = {
    id: randomUUID(),
    kind: 'run-playbook',
    addresses: [],
    parameters: {
      ...audit.ref,
      ...(audit.ruleId === undefined ? {} : { ruleId: audit.ruleId }),
      ...(status === undefined ? {} : { status }),
      ...(runId === undefined ? {} : { runId }),
    },
    result: accepted(attempt) ? 'applied' : 'failed',
    requestedBy: audit.requestedBy,
    reason: audit.reason,
    alertId: audit.alertId,
    at: deps.clock.now().toISOString(),
  };
  if (!accepted(attempt)) record.detail = audit.detail ?? failureOf(attempt);
  await deps.actions.add(record);
  return record;
}

/**
 * Runs a Logic App playbook with an alert on request, as Defender's "trigger a logic app" does:
 * the trigger's callback URL comes from ARM (a secret, never logged) and the alert is POSTed to
 * it in Defender's export shape. Every outcome is audited; the answer carries the audit's id.
 */
export async function runPlaybookForAlert(
  body: RunPlaybookBody,
  requestedBy: string,
  deps: { alerts: AlertStore; playbooks: PlaybookRunner; actions: ActionStore; clock: Clock },
): Promise<PlaybookRunResult & { actionId: string }> {
  const { alertId, reason, requestedBy: _claimed, ...ref } = body;
  const alert = (await deps.alerts.get(alertId))?.alert;
  if (alert === undefined) throw new NotFoundError(`no alert ${alertId}`);
  const attempt = await tryPlaybook(deps.playbooks, ref, alert);
  const record = await auditPlaybookRun(attempt, { ref, alertId, requestedBy, reason: reason ?? 'manual playbook run' }, deps);
  if ('error' in attempt) throw attempt.error;
  return { ...attempt.answer, actionId: record.id };
}
