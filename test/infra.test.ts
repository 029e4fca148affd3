/**
 * Static checks of the deployment (azure.yaml, infra/) against the code.
 *
 * Bicep cannot be compiled in this repository's CI, so these tests read the .bicep text with
 * small, careful parsers: comments are stripped, single-quoted strings are skipped, and braces
 * are counted to find a `var NAME = { ... }` map and its top-level `key: value` lines. They rely
 * on the layout the infra files keep on purpose (one key per line in a map, no quote characters
 * nested inside `${...}` interpolations). They catch drift: a setting added to shared/settings.ts
 * but not to the app's map, a role id typo, a module that moved. They do not catch Bicep syntax
 * or type errors; `azd provision` (or `az bicep build`) does.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { Settings } from '../shared/settings';

/** Repository root: this file runs as dist/test/infra.test.js. */
const root = path.resolve(__dirname, '../..');

/**
 * Settings that exist only on a developer's machine: the connection-string forms. In Azure the
 * app uses the endpoint + managed identity instead, and a plain EVENTHUB_CONNECTION would even
 * take precedence over the EVENTHUB_CONNECTION__* identity settings, so they must stay out.
 */
const LOCAL_ONLY = ['WARDEN_TABLES_CONNECTION_STRING', 'EVENTHUB_CONNECTION', 'WARDEN_ALERT_EXPORT_CONNECTION'] as const;

/** App settings the Functions host itself reads; the only map keys allowed outside Settings. */
const HOST_OWNED = [
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'AzureWebJobsStorage__blobServiceUri',
  'AzureWebJobsStorage__tableServiceUri',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
] as const;

/**
 * Built-in Azure roles the deployment may assign, by role definition id, as published in
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles (checked by hand
 * against the Storage, Analytics and Monitor pages). A role id in rbac.bicep that is not here is
 * a typo or an unreviewed new role.
 */
const BUILT_IN_ROLES: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  'a638d3c7-ab3a-418d-83e6-5f17a39d4fde': 'Azure Event Hubs Data Receiver',
  '2b629674-e913-4c01-ae53-ef4638d8f975': 'Azure Event Hubs Data Sender',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
};

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function read(relativePath: string): string {
  const file = path.join(root, relativePath);
  assert.ok(existsSync(file), `${relativePath} is missing (looked for ${file})`);
  return readFileSync(file, 'utf8');
}

/** Every .bicep file under infra/, as paths relative to the repository root. */
function bicepFiles(dir = 'infra'): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const child = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return bicepFiles(child);
    return entry.name.endsWith('.bicep') ? [child] : [];
  });
}

/**
 * Removes // and multi-line comments, keeping string literals (and line breaks) intact, so that
 * a commented-out key or role id never counts.
 */
function stripComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === "'") {
      const end = stringEnd(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i += 1;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, '');
      i = stop;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/** Index just past the single-quoted Bicep string that starts at `start` (\' is an escape). */
function stringEnd(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length) {
    if (source[i] === '\\') i += 2;
    else if (source[i] === "'") return i + 1;
    else i += 1;
  }
  return source.length;
}

/** The text between the braces of `var NAME = { ... }`, or undefined when there is none. */
function mapBody(source: string, varName: string): string | undefined {
  const head = new RegExp(`^var\\s+${varName}\\s*=\\s*\\{`, 'm').exec(source);
  if (head === null) return undefined;
  const open = head.index + head[0].length - 1;
  let depth = 0;
  let i = open;
  while (i < source.length) {
    const ch = source[i];
    if (ch === "'") {
      i = stringEnd(source, i);
      continue;
    }
    if (ch === '{') depth += 1;
    if (ch === '}') {
      depth -= 1;
      if (depth === 0) return source.slice(open + 1, i);
    }
    i += 1;
  }
  return undefined;
}

/** Keys of the top level of a map body: `key:` or `'key':` at the start of a depth-0 line. */
function topLevelKeys(body: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (const line of body.split('\n')) {
    if (depth === 0) {
      const match = /^\s*(?:'([^']+)'|([A-Za-z_][A-Za-z0-9_]*))\s*:/.exec(line);
      const key = match?.[1] ?? match?.[2];
      if (key !== undefined) keys.push(key);
    }
    let i = 0;
    while (i < line.length) {
      if (line[i] === "'") {
        i = stringEnd(line, i);
        continue;
      }
      if (line[i] === '{' || line[i] === '[') depth += 1;
      if (line[i] === '}' || line[i] === ']') depth -= 1;
      i += 1;
    }
  }
  return keys;
}

interface AppSettingsMap {
  warden: string[];
  host: string[];
}

function appSettingsMap(): AppSettingsMap {
  const api = stripComments(read('infra/app/api.bicep'));
  const warden = mapBody(api, 'wardenSettings');
  const host = mapBody(api, 'hostSettings');
  assert.ok(warden !== undefined, 'infra/app/api.bicep has no `var wardenSettings = { ... }` map');
  assert.ok(host !== undefined, 'infra/app/api.bicep has no `var hostSettings = { ... }` map');
  return { warden: topLevelKeys(warden), host: topLevelKeys(host) };
}

const settingNames: string[] = Object.values(Settings);

test('the parsers read a Bicep map the way Bicep does', () => {
  const source = stripComments(
    [
      'var sample = {',
      '  // commented: out',
      "  plain: 'a{b'",
      "  'quoted-key': 'ClientId=${id};x=y'",
      '  nested: {',
      '    inner: 1',
      '  }',
      '  list: [',
      '    { item: 2 }',
      '  ]',
      '  last: 3 /* gone: 4 */',
      '}',
      'var after = {}',
    ].join('\n'),
  );
  const body = mapBody(source, 'sample');
  assert.ok(body !== undefined);
  assert.deepEqual(topLevelKeys(body), ['plain', 'quoted-key', 'nested', 'list', 'last']);
});

test('every setting in shared/settings.ts is in the app-settings map of api.bicep, or local-only', () => {
  const { warden } = appSettingsMap();
  const missing = settingNames.filter(
    (name) => !warden.includes(name) && !(LOCAL_ONLY as readonly string[]).includes(name),
  );
  assert.deepEqual(missing, [], `add these to wardenSettings in infra/app/api.bicep: ${missing.join(', ')}`);
});

test('the local-only list names real settings, and none of them is deployed', () => {
  const { warden, host } = appSettingsMap();
  for (const name of LOCAL_ONLY) {
    assert.ok(settingNames.includes(name), `${name} is listed as local-only but is not in shared/settings.ts`);
    assert.ok(!warden.includes(name) && !host.includes(name), `${name} is local-only and must not be deployed`);
  }
});

test('the app-settings map holds nothing the code does not read, except the host\'s own settings', () => {
  const { warden, host } = appSettingsMap();
  const unknown = warden.filter((key) => !settingNames.includes(key));
  assert.deepEqual(unknown, [], `wardenSettings keys not in shared/settings.ts: ${unknown.join(', ')}`);
  assert.deepEqual(
    [...host].sort(),
    [...HOST_OWNED].sort(),
    'hostSettings must be exactly the host-owned settings listed in this test',
  );
  const both = warden.filter((key) => host.includes(key));
  assert.deepEqual(both, [], `set in both maps: ${both.join(', ')}`);
  const duplicates = [...warden, ...host].filter((key, index, all) => all.indexOf(key) !== index);
  assert.deepEqual(duplicates, [], `keys set twice: ${duplicates.join(', ')}`);
});

test('the Function App gets exactly the union of the two maps as its appsettings', () => {
  const api = stripComments(read('infra/app/api.bicep'));
  assert.match(api, /^var\s+appSettings\s*=\s*union\(\s*wardenSettings\s*,\s*hostSettings\s*\)\s*$/m);
  const config = /resource\s+\w+\s+'config'\s*=\s*\{([^}]*)\}/.exec(api);
  assert.ok(config !== null, 'api.bicep declares no config child resource');
  assert.match(config[1] ?? '', /name:\s*'appsettings'/);
  assert.match(config[1] ?? '', /properties:\s*appSettings\s*$/m);
});

test('every setting is also in local.settings.sample.json "Values"', () => {
  const sample = JSON.parse(read('local.settings.sample.json')) as { Values?: Record<string, unknown> };
  assert.ok(sample.Values !== undefined, 'local.settings.sample.json has no "Values" object');
  const missing = settingNames.filter((name) => !(name in (sample.Values ?? {})));
  assert.deepEqual(missing, [], `add these to local.settings.sample.json "Values": ${missing.join(', ')}`);
});

test('main.parameters.json passes only parameters main.bicep declares, and every required one', () => {
  const main = stripComments(read('infra/main.bicep'));
  const declared = new Map<string, boolean>();
  for (const match of main.matchAll(/^param\s+(\w+)\s+\w+(\s*=)?/gm)) {
    declared.set(match[1] ?? '', match[2] !== undefined);
  }
  const parameters = JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, unknown> };
  const passed = Object.keys(parameters.parameters);
  const undeclared = passed.filter((name) => !declared.has(name));
  assert.deepEqual(undeclared, [], `main.bicep declares no parameter ${undeclared.join(', ')}`);
  const requiredButMissing = [...declared].filter(([name, hasDefault]) => !hasDefault && !passed.includes(name));
  assert.deepEqual(requiredButMissing.map(([name]) => name), [], 'required parameters not passed by azd');
});

test('every local module path in infra/ exists', () => {
  for (const file of bicepFiles()) {
    const source = stripComments(read(file));
    for (const match of source.matchAll(/^\s*module\s+\w+\s+'([^']+)'/gm)) {
      const target = match[1] ?? '';
      if (/^(br|ts)[:/]/.test(target)) continue; // registry modules are resolved by Bicep
      const resolved = path.join(root, path.dirname(file), target);
      assert.ok(existsSync(resolved), `${file} refers to ${target}, which does not exist`);
    }
  }
});

test('registry modules are pinned to an exact version', () => {
  for (const file of bicepFiles()) {
    const source = stripComments(read(file));
    for (const match of source.matchAll(/^\s*module\s+\w+\s+'(br[:/][^']+)'/gm)) {
      assert.match(match[1] ?? '', /:\d+\.\d+\.\d+$/, `${file}: pin ${match[1]} to major.minor.patch`);
    }
  }
});

test('every role id in rbac.bicep is a known built-in role, named in its comment', () => {
  const raw = read('infra/app/rbac.bicep');
  const variables = [...raw.matchAll(/^var\s+(\w+)\s*=\s*'([0-9a-fA-F-]{36})'\s*\/\/\s*(.+?)\s*$/gm)];
  assert.ok(variables.length > 0, 'rbac.bicep declares no role-id variables');
  for (const [, name, id, comment] of variables) {
    const role = BUILT_IN_ROLES[(id ?? '').toLowerCase()];
    assert.ok(role !== undefined, `${name} = ${id} is not in the table of known built-in roles`);
    assert.equal(comment, role, `${name}: the comment must name the role`);
  }
  // No GUID may appear anywhere else in the code: inline role ids would bypass the table.
  const declared = new Set(variables.map(([, , id]) => (id ?? '').toLowerCase()));
  const everyGuid = (stripComments(raw).match(GUID) ?? []).map((guid) => guid.toLowerCase());
  const stray = everyGuid.filter((guid) => !declared.has(guid));
  assert.deepEqual(stray, [], 'role ids must be declared once as commented variables');
  assert.equal(everyGuid.length, declared.size, 'each role-id variable holds the only copy of its GUID');
});

test('role assignments live in rbac.bicep only, named guid(scope, principal, role)', () => {
  for (const file of bicepFiles()) {
    const source = stripComments(read(file));
    const assignments = [...source.matchAll(/'Microsoft\.Authorization\/roleAssignments@[^']+'\s*=\s*(?:if\s*\([^)]*\)\s*)?\{/g)];
    if (file !== 'infra/app/rbac.bicep') {
      assert.equal(assignments.length, 0, `${file} assigns roles; keep them in infra/app/rbac.bicep`);
      continue;
    }
    assert.ok(assignments.length > 0);
    for (const assignment of assignments) {
      const block = source.slice(assignment.index ?? 0, source.indexOf('\n}', assignment.index ?? 0));
      assert.match(block, /name:\s*guid\(\s*\w+\.id\s*,\s*\w+PrincipalId\s*,\s*\w+RoleId\s*\)/, `unexpected name in:\n${block}`);
      assert.match(block, /scope:\s*\w+/, `no scope in:\n${block}`);
      assert.match(block, /roleDefinitionId:\s*subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions',\s*\w+RoleId\)/);
    }
  }
});

test('main.bicep outputs are UPPER_SNAKE and include the values the docs rely on', () => {
  const main = stripComments(read('infra/main.bicep'));
  const outputs = [...main.matchAll(/^output\s+(\w+)\s/gm)].map((match) => match[1] ?? '');
  for (const name of outputs) assert.match(name, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, `output ${name} is not UPPER_SNAKE`);
  for (const name of [
    'AZURE_LOCATION',
    'AZURE_TENANT_ID',
    'RESOURCE_GROUP',
    'AZURE_FUNCTION_APP_NAME',
    'SERVICE_API_NAME',
    'API_BASE_URL',
    'WARDEN_TABLES_ENDPOINT',
    'EVENTHUB_NAMESPACE',
    'EVENTHUB_NAME',
  ]) {
    assert.ok(outputs.includes(name), `main.bicep does not output ${name}`);
  }
});

test('every abbreviation main.bicep uses is defined in abbreviations.json', () => {
  const main = stripComments(read('infra/main.bicep'));
  const abbreviations = JSON.parse(read('infra/abbreviations.json')) as Record<string, string>;
  const used = new Set([...main.matchAll(/\babbrs\.(\w+)/g)].map((match) => match[1] ?? ''));
  assert.ok(used.size > 0);
  for (const key of used) assert.ok(key in abbreviations, `abbreviations.json has no ${key}`);
});

test('azure.yaml deploys the repository root as a TypeScript function app with remote build', () => {
  const yaml = read('azure.yaml');
  assert.match(yaml, /^name:\s*api-warden\s*$/m);
  const api = /^ {2}api:\s*\n((?: {4}.*\n?|\s*#.*\n?|\s*\n)*)/m.exec(yaml);
  assert.ok(api !== null, 'azure.yaml has no services.api');
  const body = api[1] ?? '';
  assert.match(body, /^ {4}project:\s*\.\s*$/m);
  assert.match(body, /^ {4}language:\s*ts\s*$/m);
  assert.match(body, /^ {4}host:\s*function\s*$/m);
  assert.match(body, /^ {4}remoteBuild:\s*true\s*$/m);
});

test('.funcignore excludes node_modules, as azd requires when remoteBuild is true', () => {
  // azd refuses a JavaScript/TypeScript package whose .funcignore disagrees with remoteBuild
  // (Learn: "Azure Developer CLI function app deployments"), and a remote build installs the
  // dependencies in Azure anyway.
  const ignored = read('.funcignore')
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^\/|\/$/g, ''));
  assert.ok(ignored.includes('node_modules'), '.funcignore must list node_modules for a remote build');
});
