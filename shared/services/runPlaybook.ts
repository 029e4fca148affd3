import { z } from 'zod';

import { toDefenderExport } from '../core/alerts';
import { NotFoundError } from '../errors';
import type { AlertStore, PlaybookRunner, PlaybookRunResult } from '../ports';

/** Which Logic App workflow trigger runs: the part every run-playbook body shares. */
export const playbookTargetSchema = z.strictObject({
  subscriptionId: z.guid(),
  resourceGroup: z.string().trim().min(1).max(90),
  workflowName: z.string().trim().min(1).max(80),
  triggerName: z.string().trim().min(1).max(80).default('manual'),
});

/** Body of POST /api/actions/run-playbook: which workflow trigger, and which alert it receives. */
export const runPlaybookSchema = playbookTargetSchema.extend({
  /** The alert POSTed to the playbook, in Defender's export shape. */
  alertId: z.string().trim().min(1).max(100),
});

export type RunPlaybookBody = z.infer<typeof runPlaybookSchema>;

/**
 * Runs a Logic App playbook with an alert, as Defender's workflow automation does: the trigger's
 * callback URL comes from ARM (a secret, never logged) and the alert is POSTed to it in
 * Defender's continuous-export shape, so playbooks written for Defender read it unchanged.
 */
export async function runPlaybookForAlert(body: RunPlaybookBody, deps: { alerts: AlertStore; playbooks: PlaybookRunner }): Promise<PlaybookRunResult> {
  const alert = (await deps.alerts.list()).find((candidate) => candidate.systemAlertId === body.alertId);
  if (alert === undefined) throw new NotFoundError(`no alert ${body.alertId}`);
  const { alertId: _alert, ...workflow } = body;
  return await deps.playbooks.runPlaybook(workflow, toDefenderExport(alert));
}
