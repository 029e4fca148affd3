import type { ContentBaselines, ParamBaseline } from '../baselines/contentBaseline';
import type { Endpoint } from '../requestEvent';
import { robustThreshold } from '../sketch/robust';
import { WINDOW_MS, type WindowAggregate } from '../windows';
import type { Finding } from './finding';
import type { DetectionSettings } from './settings';

function threshold(values: ParamBaseline['valuesPerWindow'], settings: DetectionSettings, floor: number) {
  return robustThreshold({ values, q: 0.999, relativeFloor: settings.enumerationFactor, madMultiplier: 8, absoluteFloor: floor });
}

/**
 * API_ParameterEnumeration: one client sent many more distinct values of one parameter of an
 * endpoint in a window than clients of that parameter do. Without a baseline for the parameter,
 * the floor alone decides.
 * @example detectParameterEnumeration(merged, start, contentBaselines, settings)
 */
export function detectParameterEnumeration(aggregate: WindowAggregate, start: number, baselines: ContentBaselines, settings: DetectionSettings): Finding[] {
  const findings: Finding[] = [];
  for (const { clientIp, endpointKey, name, values } of aggregate.clientParameters()) {
    const distinct = values.estimate();
    if (distinct <= settings.enumerationFloor) continue;
    const learned = baselines.params.get(`${endpointKey}\t${name}`);
    const limit = learned === undefined ? undefined : threshold(learned.clientValuesPerWindow, settings, settings.enumerationFloor);
    const bound = limit?.threshold ?? settings.enumerationFloor;
    if (distinct <= bound) continue;
    findings.push({
      alertType: 'API_ParameterEnumeration',
      time: start,
      endTime: start + WINDOW_MS,
      entities: { clientIp, endpoint: aggregate.endpoint(endpointKey) as Endpoint, parameterName: name },
      observed: Math.round(distinct),
      baseline: limit === undefined ? { threshold: bound, history: 'none' } : { median: limit.median, p999: limit.quantile, threshold: bound },
      score: distinct / bound,
      evidence: { distinctValues: Math.round(distinct), exact: values.isExact(), samples: values.samples().join(', ').slice(0, 300) },
    });
  }
  return findings;
}

/**
 * API_DistributedParameterEnumeration: all clients together sent many more distinct values of
 * one parameter in a window than the parameter usually gets, from several clients, none of
 * which enumerates on its own.
 */
export function detectDistributedEnumeration(aggregate: WindowAggregate, start: number, baselines: ContentBaselines, settings: DetectionSettings): Finding[] {
  const perClient = new Map<string, { clients: number; soloEnumeration: boolean }>();
  for (const { endpointKey, name, values } of aggregate.clientParameters()) {
    const key = `${endpointKey}\t${name}`;
    const entry = perClient.get(key) ?? { clients: 0, soloEnumeration: false };
    entry.clients += 1;
    if (values.estimate() > settings.enumerationFloor) entry.soloEnumeration = true;
    perClient.set(key, entry);
  }
  const findings: Finding[] = [];
  for (const { endpointKey, name, stats } of aggregate.parameters()) {
    const distinct = stats.values.estimate();
    if (distinct <= settings.distributedEnumerationFloor) continue;
    const key = `${endpointKey}\t${name}`;
    const clients = perClient.get(key);
    if (clients === undefined || clients.clients < settings.distributedEnumerationMinClients || clients.soloEnumeration) continue;
    const learned = baselines.params.get(key);
    if (learned === undefined) continue;
    const limit = threshold(learned.valuesPerWindow, settings, settings.distributedEnumerationFloor);
    if (distinct <= limit.threshold) continue;
    findings.push({
      alertType: 'API_DistributedParameterEnumeration',
      time: start,
      endTime: start + WINDOW_MS,
      entities: { endpoint: aggregate.endpoint(endpointKey) as Endpoint, parameterName: name },
      observed: Math.round(distinct),
      baseline: { median: limit.median, p999: limit.quantile, threshold: limit.threshold, windows: limit.n },
      score: distinct / limit.threshold,
      evidence: { distinctValues: Math.round(distinct), clients: clients.clients, samples: stats.values.samples().join(', ').slice(0, 300) },
    });
  }
  return findings;
}
