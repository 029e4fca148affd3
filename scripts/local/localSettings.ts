import { existsSync, readFileSync } from 'node:fs';

/**
 * Loads `Values` of a local.settings.json into the environment, as `func start` does, without
 * overriding variables that are already set (so a shell export wins). Returns the names loaded.
 */
export function loadLocalSettings(file: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, unknown> };
  const loaded: string[] = [];
  for (const [name, value] of Object.entries(parsed.Values ?? {})) {
    if (env[name] !== undefined || value === null || value === undefined) continue;
    env[name] = String(value);
    loaded.push(name);
  }
  return loaded;
}

/** True when the tables setting asks for the local emulator rather than a real account. */
export function wantsLocalEmulator(connectionString: string | undefined, endpoint: string | undefined): boolean {
  const text = connectionString?.trim() ?? '';
  if (text === '') return (endpoint ?? '').trim() === '';
  return /^UseDevelopmentStorage=true;?$/i.test(text);
}
