import { PRODUCT_NAME } from '../core/alerts';
import { deserializeEndpointTraffic } from '../core/baselines/endpointTraffic';
import { buildEndpointRows, filterEndpoints, type EndpointFilters, type EndpointRow } from '../core/endpoints';
import { RECOMMENDATION_IDS, recommendations, recommendationsForEndpoint, type Recommendation } from '../core/recommendations';
import { NotFoundError } from '../errors';
import type {
  AlertStore,
  BaselineStore,
  EndpointActivityStore,
  EndpointStatusStore,
  InventorySnapshot,
  InventoryStore,
  PartitionStateStore,
  PlaybookRef,
  PlaybookRunner,
  PlaybookRunResult,
} from '../ports';
import { ENDPOINT_TRAFFIC } from './recomputeBaselines';

/** The stores the endpoints view and the recommendations read. */
export interface PostureStores {
  inventory: Pick<InventoryStore, 'current'>;
  activity: Pick<EndpointActivityStore, 'listAll'>;
  endpointStatuses: Pick<EndpointStatusStore, 'list'>;
  baselines: Pick<BaselineStore, 'read'>;
  alerts: Pick<AlertStore, 'list'>;
  partitions: Pick<PartitionStateStore, 'list'>;
}

/** Which inventory snapshot an answer was judged from; null before the first sync. */
export type InventoryRef = { syncedAt: string; service: string } | null;

export interface EndpointsResponse {
  inventory: InventoryRef;
  /** Span the `traffic` figures cover (the last daily baseline run's 30 days); null before the first run. */
  traffic: { from: string; to: string } | null;
  count: number;
  endpoints: EndpointRow[];
}

export interface RecommendationsResponse {
  inventory: InventoryRef;
  count: number;
  recommendations: Recommendation[];
}

function inventoryRef(snapshot: InventorySnapshot | undefined): InventoryRef {
  return snapshot === undefined ? null : { syncedAt: snapshot.syncedAt, service: snapshot.inventory.service.resourceId };
}

/**
 * Every endpoint with what the stores know of it. Traffic figures come from the endpoint totals
 * the daily baseline run stores (one small read, at most a day old), not from the window
 * aggregates (a 30-day scan per request).
 */
async function loadEndpoints(stores: PostureStores): Promise<{ snapshot: InventorySnapshot | undefined; rows: EndpointRow[]; span: EndpointsResponse['traffic'] }> {
  const [snapshot, activity, statuses, storedTraffic, alerts] = await Promise.all([
    stores.inventory.current(),
    stores.activity.listAll(),
    stores.endpointStatuses.list(),
    stores.baselines.read(ENDPOINT_TRAFFIC),
    stores.alerts.list(),
  ]);
  const traffic = storedTraffic === undefined ? undefined : deserializeEndpointTraffic(storedTraffic.text);
  const rows = buildEndpointRows({ activity, statuses, alerts, ...(snapshot === undefined ? {} : { inventory: snapshot.inventory }), ...(traffic === undefined ? {} : { traffic }) });
  const span = traffic === undefined ? null : { from: new Date(traffic.from).toISOString(), to: new Date(traffic.to).toISOString() };
  return { snapshot, rows, span };
}

/** GET /api/endpoints: the endpoints every filter accepts. */
export async function listEndpoints(filters: EndpointFilters, stores: PostureStores): Promise<EndpointsResponse> {
  const { snapshot, rows, span } = await loadEndpoints(stores);
  const endpoints = filterEndpoints(rows, filters);
  return { inventory: inventoryRef(snapshot), traffic: span, count: endpoints.length, endpoints };
}

/** GET /api/recommendations: the open recommendations; none before the first inventory sync. */
export async function listRecommendations(stores: PostureStores, inactiveDays: number): Promise<RecommendationsResponse> {
  const { snapshot, rows } = await loadEndpoints(stores);
  if (snapshot === undefined) return { inventory: null, count: 0, recommendations: [] };
  const open = recommendations({ inventory: snapshot.inventory, endpoints: rows, observed: await observedSpan(stores.partitions), inactiveDays });
  return { inventory: inventoryRef(snapshot), count: open.length, recommendations: open };
}

/** The event-time span of everything ingested, over every partition; undefined before any traffic. */
async function observedSpan(partitions: Pick<PartitionStateStore, 'list'>): Promise<{ from: number; to: number } | undefined> {
  const states = (await partitions.list()).filter((state) => state.firstEventTime !== undefined && state.lastEventTime !== undefined);
  if (states.length === 0) return undefined;
  return { from: Math.min(...states.map((state) => state.firstEventTime as number)), to: Math.max(...states.map((state) => state.lastEventTime as number)) };
}

/**
 * POST /api/recommendations/{id}/run-playbook: runs a Logic App playbook with an open
 * recommendation and its affected resources, as Defender's workflow automation does for
 * recommendations (the callback URL comes from ARM and is never logged).
 */
export async function runRecommendationPlaybook(
  id: string,
  target: PlaybookRef,
  deps: PostureStores & { playbooks: PlaybookRunner; inactiveDays: number },
): Promise<PlaybookRunResult & { recommendationId: string; affectedResources: number }> {
  const { inventory, recommendations: open } = await listRecommendations(deps, deps.inactiveDays);
  const recommendation = open.find((candidate) => candidate.id === id);
  if (recommendation === undefined) {
    throw new NotFoundError(
      !RECOMMENDATION_IDS.includes(id)
        ? `no recommendation '${id}' (known: ${RECOMMENDATION_IDS.join(', ')})`
        : inventory === null
          ? `recommendation '${id}' is not open: no APIM inventory has been synced yet`
          : `recommendation '${id}' is not open: it affects no resource`,
    );
  }
  const payload = { kind: 'recommendation', productName: PRODUCT_NAME, azureResourceId: inventory?.service, inventorySyncedAt: inventory?.syncedAt, recommendation };
  const result = await deps.playbooks.runPlaybook(target, payload);
  return { ...result, recommendationId: id, affectedResources: recommendation.affectedResources.length };
}

/**
 * How exposed each inventoried endpoint is, for alert priority (comparePriority's exposure): 2
 * internet-facing and unauthenticated, 1 one of the two, 0 neither or unknown. Keyed by the
 * endpoint key, lower-cased as endpoints are joined. Empty before the first inventory sync.
 */
export async function exposureByEndpoint(inventory: Pick<InventoryStore, 'current'>): Promise<(endpointKey: string) => number> {
  const snapshot = await inventory.current();
  if (snapshot === undefined) return () => 0;
  const rows = buildEndpointRows({ inventory: snapshot.inventory, activity: [], statuses: [], alerts: [] });
  const scores = new Map(rows.map((row) => [row.key.toLowerCase(), Number(row.internetExposed === true) + Number(row.authentication.status === 'unauthenticated')]));
  return (endpointKey) => scores.get(endpointKey.toLowerCase()) ?? 0;
}

/** The open recommendations affecting one endpoint (the alert details' "prevent future attacks"). */
export async function recommendationsOnEndpoint(
  endpoint: { apiId: string; operationId: string },
  stores: PostureStores,
  inactiveDays: number,
): Promise<Recommendation[]> {
  if (endpoint.apiId === '') return [];
  return recommendationsForEndpoint((await listRecommendations(stores, inactiveDays)).recommendations, endpoint);
}
