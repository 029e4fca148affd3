/**
 * The alert in the shape Microsoft Defender for Cloud's continuous export sends to Event Hubs (and
 * workflow automation sends to Logic Apps): PascalCase fields, `Intent` as a comma-separated
 * string, `Entities` with "$id" and "Type", `ResourceIdentifiers`. SIEM parsers, Sentinel rules
 * and playbooks written for Defender's alerts read this without change.
 *
 * Sources:
 * - Field list and meanings: "Security alerts schemas", workflow automation / continuous export tab
 *   (MicrosoftDocs/azure-docs includes/security-center-alerts-schema-workflow-automation.md) and the
 *   Microsoft.Security/alerts REST resource (intent, status, severity enumerations).
 * - A 2024 Event Hubs export sample (VendorName, ProductName, StartTimeUtc, EndTimeUtc,
 *   TimeGenerated, ProcessingEndTime, Severity, Status "New", ProviderAlertStatus, IsIncident,
 *   SystemAlertId, CorrelationKey, Intent "Persistence, CredentialAccess", AzureResourceId,
 *   CompromisedEntity, AlertDisplayName, Description, Entities with "Type": "azure-resource",
 *   RemediationSteps, ExtendedProperties, ResourceIdentifiers with "Type": "AzureResource", AlertUri).
 *
 * Status: the export schema's statuses are New, Resolved, Dismissed (and Unknown); an Active alert
 * is exported as "New", as Defender's export does, and InProgress as "InProgress" (the value the
 * SecurityAlert table and the REST API use). Our own lifecycle status goes to ProviderAlertStatus
 * ("the alert provider or product internal life cycle status").
 */
import { z } from 'zod';

import { ALERT_TYPES } from '../alertTypes';
import { ALERT_STATUSES, type Alert, type AlertEntity, type AlertStatus } from './alert';
import { SEVERITIES, TACTICS } from './catalog';

export const EXPORT_STATUSES = ['New', 'InProgress', 'Resolved', 'Dismissed'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

const EXPORT_STATUS: Record<AlertStatus, ExportStatus> = {
  Active: 'New',
  InProgress: 'InProgress',
  Resolved: 'Resolved',
  Dismissed: 'Dismissed',
};

/** The export's Status for one of our statuses (Active → "New"). */
export function exportStatus(status: AlertStatus): ExportStatus {
  return EXPORT_STATUS[status];
}

const isoDateTime = z.iso.datetime({ offset: true });
const nonEmpty = z.string().min(1);

const intentList = z
  .string()
  .min(1)
  .refine(
    (text) => text.split(',').every((part) => (TACTICS as readonly string[]).includes(part.trim())),
    { message: `must be a comma-separated list of ${TACTICS.join(', ')}` },
  );

const ipEntitySchema = z.strictObject({
  $id: nonEmpty,
  Type: z.literal('ip'),
  Address: nonEmpty,
});

const apiEndpointEntitySchema = z.strictObject({
  $id: nonEmpty,
  Type: z.literal('api-endpoint'),
  DisplayName: z.string(),
  EndpointKey: nonEmpty,
  Service: z.string(),
  ApiId: z.string(),
  OperationId: z.string(),
  PathTemplate: z.string().optional(),
  ResourceId: nonEmpty.optional(),
});

const azureResourceEntitySchema = z.strictObject({
  $id: nonEmpty,
  Type: z.literal('azure-resource'),
  ResourceId: nonEmpty,
  ResourceType: nonEmpty,
  ResourceName: nonEmpty,
});

export const defenderEntitySchema = z.discriminatedUnion('Type', [
  ipEntitySchema,
  apiEndpointEntitySchema,
  azureResourceEntitySchema,
]);
export type DefenderEntity = z.infer<typeof defenderEntitySchema>;

export const defenderResourceIdentifierSchema = z.strictObject({
  $id: nonEmpty,
  Type: z.literal('AzureResource'),
  AzureResourceId: nonEmpty,
});
export type DefenderResourceIdentifier = z.infer<typeof defenderResourceIdentifierSchema>;

/** The export shape. Strict: a field Defender's export does not have is an error. */
export const defenderAlertSchema = z
  .strictObject({
    VendorName: nonEmpty,
    AlertType: z.enum(ALERT_TYPES),
    ProductName: nonEmpty,
    StartTimeUtc: isoDateTime,
    EndTimeUtc: isoDateTime,
    TimeGenerated: isoDateTime,
    ProcessingEndTime: isoDateTime,
    Severity: z.enum(SEVERITIES),
    Status: z.enum(EXPORT_STATUSES),
    ProviderAlertStatus: z.enum(ALERT_STATUSES),
    IsIncident: z.boolean(),
    SystemAlertId: z.uuid(),
    CorrelationKey: nonEmpty,
    Intent: intentList,
    AzureResourceId: nonEmpty.optional(),
    CompromisedEntity: z.string(),
    AlertDisplayName: nonEmpty,
    Description: nonEmpty,
    Entities: z.array(defenderEntitySchema),
    RemediationSteps: z.array(nonEmpty).min(1),
    ExtendedProperties: z.record(z.string(), z.string()),
    ResourceIdentifiers: z.array(defenderResourceIdentifierSchema),
    AlertUri: z.url().optional(),
  })
  .superRefine((alert, ctx) => {
    if (Date.parse(alert.EndTimeUtc) < Date.parse(alert.StartTimeUtc)) {
      ctx.addIssue({ code: 'custom', path: ['EndTimeUtc'], message: 'must not be before StartTimeUtc' });
    }
    const ids = [...alert.Entities.map((entity) => entity.$id), ...alert.ResourceIdentifiers.map((id) => id.$id)];
    if (new Set(ids).size !== ids.length) {
      ctx.addIssue({ code: 'custom', path: ['Entities'], message: '$id values must be unique across Entities and ResourceIdentifiers' });
    }
  });

export type DefenderAlert = z.infer<typeof defenderAlertSchema>;

function exportEntity(entity: AlertEntity): DefenderEntity {
  switch (entity.type) {
    case 'ip':
      return { $id: entity.$id, Type: 'ip', Address: entity.address };
    case 'api-endpoint': {
      const result: DefenderEntity = {
        $id: entity.$id,
        Type: 'api-endpoint',
        DisplayName: entity.displayName,
        EndpointKey: entity.endpointKey,
        Service: entity.service,
        ApiId: entity.apiId,
        OperationId: entity.operationId,
      };
      if (entity.pathTemplate !== undefined) result.PathTemplate = entity.pathTemplate;
      if (entity.resourceId !== undefined) result.ResourceId = entity.resourceId;
      return result;
    }
    case 'azure-resource':
      return {
        $id: entity.$id,
        Type: 'azure-resource',
        ResourceId: entity.resourceId,
        ResourceType: entity.resourceType,
        ResourceName: entity.resourceName,
      };
  }
}

export interface DefenderExportOptions {
  /** Link to the alert in API Warden's dashboard (Defender's AlertUri points at the portal). */
  alertUri?: string;
}

/**
 * The alert in Defender's continuous-export shape. Aggregation and suppression facts that Defender
 * has no field for go to ExtendedProperties: alertCount, firstFindingTime, lastFindingTime, and,
 * when set, suppressionRuleId, suppressionReason, suppressedAtUtc, isSample.
 */
export function toDefenderExport(alert: Alert, options: DefenderExportOptions = {}): DefenderAlert {
  const entities = alert.entities.map(exportEntity);
  const usedIds = new Set(entities.map((entity) => entity.$id));
  let nextId = entities.reduce((max, entity) => Math.max(max, Number(entity.$id) || 0), 0) + 1;
  const resourceIdentifiers: DefenderResourceIdentifier[] = [];
  if (alert.azureResourceId !== undefined) {
    while (usedIds.has(String(nextId))) nextId += 1;
    resourceIdentifiers.push({ $id: String(nextId), Type: 'AzureResource', AzureResourceId: alert.azureResourceId });
  }

  const extendedProperties: Record<string, string> = {
    ...alert.extendedProperties,
    alertCount: String(alert.count),
    firstFindingTime: alert.firstFindingTime,
    lastFindingTime: alert.lastFindingTime,
  };
  if (alert.suppression !== undefined) {
    extendedProperties.suppressionRuleId = alert.suppression.ruleId;
    extendedProperties.suppressionReason = alert.suppression.reason;
    extendedProperties.suppressedAtUtc = alert.suppression.suppressedAtUtc;
  }
  if (alert.isSample) extendedProperties.isSample = 'true';

  const exported: DefenderAlert = {
    VendorName: alert.vendorName,
    AlertType: alert.alertType,
    ProductName: alert.productName,
    StartTimeUtc: alert.startTimeUtc,
    EndTimeUtc: alert.endTimeUtc,
    TimeGenerated: alert.timeGeneratedUtc,
    ProcessingEndTime: alert.timeGeneratedUtc,
    Severity: alert.severity,
    Status: exportStatus(alert.status),
    ProviderAlertStatus: alert.status,
    IsIncident: false,
    SystemAlertId: alert.systemAlertId,
    CorrelationKey: alert.dedupeKey,
    Intent: alert.intent,
    CompromisedEntity: alert.compromisedEntity,
    AlertDisplayName: alert.alertDisplayName,
    Description: alert.description,
    Entities: entities,
    RemediationSteps: [...alert.remediationSteps],
    ExtendedProperties: extendedProperties,
    ResourceIdentifiers: resourceIdentifiers,
  };
  if (alert.azureResourceId !== undefined) exported.AzureResourceId = alert.azureResourceId;
  if (options.alertUri !== undefined) exported.AlertUri = options.alertUri;
  return exported;
}
