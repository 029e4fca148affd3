import type { ActionKind, ActionRecord, Logger } from '../ports';
import { applyPolicyAction, setApiAuthentication, type PolicyActionDependencies } from './policyActions';

/** The action that undoes each kind that can expire. */
const UNDO: Partial<Record<ActionKind, ActionKind>> = {
  'block-ip': 'unblock-ip',
  'rate-limit': 'remove-rate-limit',
  'disable-endpoint': 'enable-endpoint',
  'require-subscription': 'allow-anonymous',
};

export interface ExpirySummary {
  undone: number;
  failed: number;
}

/**
 * Undoes every applied action whose `expiresAt` has passed (wall-clock time: an analyst's "block
 * for 24 hours"), recording the undo as an action of its own, then takes it off the schedule.
 * One that fails stays scheduled and is tried again on the next run.
 */
export async function expireActions(deps: PolicyActionDependencies & { logger: Logger }, limit = 100): Promise<ExpirySummary> {
  const summary: ExpirySummary = { undone: 0, failed: 0 };
  for (const action of await deps.actions.due(deps.clock.now(), limit)) {
    try {
      await undo(action, deps);
      await deps.actions.unschedule(action);
      summary.undone += 1;
    } catch (error) {
      summary.failed += 1;
      deps.logger.warn('actions.expiry_failed', { actionId: action.id, kind: action.kind, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return summary;
}

async function undo(action: ActionRecord, deps: PolicyActionDependencies): Promise<void> {
  const kind = UNDO[action.kind];
  if (kind === undefined || action.scope === undefined) return;
  const request = {
    kind,
    scope: action.scope,
    addresses: action.addresses,
    reason: `expiry of action ${action.id}: ${action.reason}`,
    requestedBy: 'api-warden (expiry)',
    ...(action.alertId === undefined ? {} : { alertId: action.alertId }),
  };
  if (request.scope.kind === 'api' && kind === 'allow-anonymous') await setApiAuthentication({ ...request, scope: request.scope }, deps);
  else await applyPolicyAction(request, deps);
}
