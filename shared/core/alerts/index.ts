/** The alert model: catalog, alerts, Defender export, suppression and automation rules. */
export * from './catalog';
export * from './alert';
export * from './defenderExport';
export * from './suppression';
export * from './triage';
export * from './query';
export * from './samples';
export * from './trafficContext';
export * from './automation';
