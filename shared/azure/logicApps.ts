/**
 * Logic App playbooks: a workflow trigger's callback URL through @azure/arm-logic
 * (`workflowTriggers.listCallbackUrl`), and running the playbook by POSTing a JSON payload to it.
 *
 * The callback URL carries a SAS signature (`sig` query parameter) that lets anyone start the
 * workflow: it is never logged, never put in an error message, and not kept after the call.
 */
import { LogicManagementClient, type LogicManagementClientOptionalParams } from '@azure/arm-logic';
import type { TokenCredential } from '@azure/core-auth';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type TlsSettings,
} from '@azure/core-rest-pipeline';

import { UpstreamError } from '../errors';
import { silentLogger, type Logger, type PlaybookRef, type PlaybookRunResult, type PlaybookRunner } from '../ports';

export interface CallbackUrl {
  /** The full URL, signature included: a secret. */
  url: string;
  method: string;
}

export interface PlaybookRunnerOptions {
  /** Options for LogicManagementClient (tests pass the fake ARM server's endpoint and tlsOptions). */
  clientOptions?: LogicManagementClientOptionalParams;
  /** TLS settings for the POST to the callback URL (tests: the fake server's CA). */
  tlsOptions?: TlsSettings;
  /** How long the trigger may take to answer, in ms (default 30 s). */
  timeoutMs?: number;
  logger?: Logger;
}

/** The URL with every query value that could be a credential replaced, safe to show. */
export function redactCallbackUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const key of [...parsed.searchParams.keys()]) {
      if (key.toLowerCase() !== 'api-version') parsed.searchParams.set(key, 'REDACTED');
    }
    return parsed.toString();
  } catch {
    return '(unparseable callback URL)';
  }
}

function describe(ref: PlaybookRef): string {
  return `playbook '${ref.workflowName}' trigger '${ref.triggerName}' (resource group '${ref.resourceGroup}')`;
}

/** Removes every occurrence of the secret parts of `url` from a message. */
function scrub(message: string, url: string | undefined): string {
  if (url === undefined) return message;
  let out = message.split(url).join(redactCallbackUrl(url));
  try {
    for (const [key, value] of new URL(url).searchParams) {
      if (key.toLowerCase() !== 'api-version' && value.length >= 8) {
        out = out.split(value).join('REDACTED').split(encodeURIComponent(value)).join('REDACTED');
      }
    }
  } catch {
    // unparseable: the full-URL replacement above is all we can do
  }
  return out;
}

function failureDetail(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const e = error as { statusCode?: unknown; code?: unknown; name?: unknown; message?: unknown };
    if (typeof e.statusCode === 'number') return `HTTP ${e.statusCode}${typeof e.code === 'string' ? ` ${e.code}` : ''}`;
    if (e.name === 'AbortError') return 'timed out';
    if (typeof e.code === 'string') return e.code;
    if (typeof e.message === 'string') return e.message;
  }
  return String(error);
}

export function createPlaybookRunner(credential: TokenCredential, options: PlaybookRunnerOptions = {}): PlaybookRunner & {
  getCallbackUrl(ref: PlaybookRef): Promise<CallbackUrl>;
} {
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const clients = new Map<string, LogicManagementClient>();
  // No retries: a POST that timed out may still have started a run, and a retry would start another.
  const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 }, ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}) });
  const httpClient = createDefaultHttpClient();

  function clientFor(subscriptionId: string): LogicManagementClient {
    let client = clients.get(subscriptionId);
    if (client === undefined) {
      client = new LogicManagementClient(credential, subscriptionId, options.clientOptions);
      clients.set(subscriptionId, client);
    }
    return client;
  }

  async function getCallbackUrl(ref: PlaybookRef): Promise<CallbackUrl> {
    let result;
    try {
      result = await clientFor(ref.subscriptionId).workflowTriggers.listCallbackUrl(ref.resourceGroup, ref.workflowName, ref.triggerName);
    } catch (error) {
      const status = (error as { statusCode?: unknown }).statusCode;
      throw new UpstreamError(`Getting the callback URL of ${describe(ref)} failed (${failureDetail(error)})`, typeof status === 'number' ? status : undefined);
    }
    if (typeof result.value !== 'string' || result.value === '') {
      throw new UpstreamError(`Azure returned no callback URL for ${describe(ref)}`);
    }
    return { url: result.value, method: result.method ?? 'POST' };
  }

  async function runPlaybook(ref: PlaybookRef, payload: unknown): Promise<PlaybookRunResult> {
    const callback = await getCallbackUrl(ref);
    const started = Date.now();
    try {
      const response = await pipeline.sendRequest(
        httpClient,
        createPipelineRequest({
          url: callback.url,
          method: 'POST',
          body: JSON.stringify(payload),
          headers: createHttpHeaders({ 'content-type': 'application/json' }),
          timeout: timeoutMs,
        }),
      );
      const runId = response.headers.get('x-ms-workflow-run-id');
      const result: PlaybookRunResult = runId ? { status: response.status, runId } : { status: response.status };
      const fields = { workflow: ref.workflowName, trigger: ref.triggerName, status: response.status, runId, durationMs: Date.now() - started };
      if (response.status >= 200 && response.status < 300) logger.info('playbook.run', fields);
      else logger.warn('playbook.run_rejected', fields);
      return result;
    } catch (error) {
      const detail = scrub(failureDetail(error), callback.url);
      logger.warn('playbook.run_failed', { workflow: ref.workflowName, trigger: ref.triggerName, detail, durationMs: Date.now() - started });
      throw new UpstreamError(`Running ${describe(ref)} failed (${detail})`);
    }
  }

  return { getCallbackUrl, runPlaybook };
}
