/**
 * Static checks of the deployment (azure.yaml, infra/) against the code, reading the Bicep as text
 * (test/support/bicep.ts says how, and what that cannot catch). They catch drift: a setting added
 * to shared/settings.ts but not to the app's map, a role id typo, a module that moved, a parameter
 * azd does not pass. test/infra/ checks the APIM wiring the same way.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { parseConfig } from '../shared/config';
import { BUILT_IN_ROLES } from './support/builtInRoles';
import { Settings } from '../shared/settings';
import { bicepFiles, declaration, mapBody, parameters, read, readBicep, root, stripComments, topLevelKeys } from './support/bicep';

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


const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

interface AppSettingsMap {
  warden: string[];
  host: string[];
}

function appSettingsMap(): AppSettingsMap {
  const api = readBicep('infra/app/api.bicep');
  const warden = mapBody(api, 'wardenSettings');
  const host = mapBody(api, 'hostSettings');
  assert.ok(warden !== undefined, 'infra/app/api.bicep has no `var wardenSettings = { ... }` map');
  assert.ok(host !== undefined, 'infra/app/api.bicep has no `var hostSettings = { ... }` map');
  return { warden: topLevelKeys(warden), host: topLevelKeys(host) };
}

const settingNames: string[] = Object.values(Settings);

/** main.parameters.json: parameter name → its "${AZD_VALUE=default}" text. */
function azdParameters(): Record<string, string> {
  const file = JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> };
  return Object.fromEntries(Object.entries(file.parameters).map(([name, { value }]) => [name, String(value)]));
}

/** Every app setting parseConfig reads, recorded by parsing an environment that records lookups. */
function settingsTheConfigReads(): string[] {
  const read = new Set<string>();
  const recorder = new Proxy<Record<string, string | undefined>>(
    {},
    {
      get: (_target, key) => {
        if (typeof key === 'string') read.add(key);
        return undefined;
      },
      has: (_target, key) => {
        if (typeof key === 'string') read.add(key);
        return false;
      },
    },
  );
  // An empty environment is invalid; only the lookups matter here.
  assert.throws(() => parseConfig(recorder));
  return [...read].sort();
}

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

test('every setting the config reads is deployed by api.bicep, or local-only', () => {
  const { warden } = appSettingsMap();
  const reads = settingsTheConfigReads();
  assert.ok(reads.includes(Settings.tablesEndpoint), 'the lookup recorder saw nothing');
  const neither = reads.filter((name) => !warden.includes(name) && !(LOCAL_ONLY as readonly string[]).includes(name));
  assert.deepEqual(neither, [], `shared/config.ts reads settings that Azure never gets: ${neither.join(', ')}`);
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
  const api = readBicep('infra/app/api.bicep');
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

test('main.parameters.json passes every parameter main.bicep declares, and nothing else', () => {
  const declared = parameters(readBicep('infra/main.bicep'));
  const passed = Object.keys(azdParameters());
  const undeclared = passed.filter((name) => !declared.has(name));
  assert.deepEqual(undeclared, [], `main.bicep declares no parameter ${undeclared.join(', ')}`);
  const notPassed = [...declared.keys()].filter((name) => !passed.includes(name));
  assert.deepEqual(notPassed, [], `main.parameters.json does not pass ${notPassed.join(', ')}: azd users could not set them`);
});

test('each parameter comes from one azd environment value, with the same default as in main.bicep', () => {
  const declared = parameters(readBicep('infra/main.bicep'));
  for (const [name, value] of Object.entries(azdParameters())) {
    const match = /^\$\{([A-Z][A-Z0-9_]*)(?:=([^}]*))?\}$/.exec(value);
    assert.ok(match !== null, `${name}: "${value}" is not \${NAME} or \${NAME=default}`);
    const bicepDefault = declared.get(name);
    if (bicepDefault === undefined) continue; // required: azd always supplies it
    const literal = bicepDefault.replace(/^'(.*)'$/, '$1');
    assert.equal(match[2] ?? '', literal, `${name}: main.parameters.json defaults ${match[1]} to "${match[2] ?? ''}", main.bicep to ${bicepDefault}`);
  }
});

test('docs/deploy.md documents every azd environment value the deployment reads', () => {
  const deployDoc = read('docs/deploy.md');
  const names = Object.values(azdParameters()).map((value) => /^\$\{([A-Z0-9_]+)/.exec(value)?.[1] ?? value);
  const undocumented = names.filter((name) => !deployDoc.includes(`| \`${name}\` |`));
  assert.deepEqual(undocumented, [], 'add a row to the Parameters table of docs/deploy.md');
});

test('every local module path in infra/ exists', () => {
  for (const file of bicepFiles()) {
    const source = readBicep(file);
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
    const source = readBicep(file);
    for (const match of source.matchAll(/^\s*module\s+\w+\s+'(br[:/][^']+)'/gm)) {
      assert.match(match[1] ?? '', /:\d+\.\d+\.\d+$/, `${file}: pin ${match[1]} to major.minor.patch`);
    }
  }
});

test('every role id in infra/ is a known built-in role, declared once per file with a comment naming it', () => {
  let declaredAnywhere = 0;
  for (const file of bicepFiles()) {
    const raw = read(file);
    const variables = [...raw.matchAll(/^var\s+(\w+RoleId)\s*=\s*'([0-9a-fA-F-]{36})'\s*\/\/\s*(.+?)\s*$/gm)];
    for (const [, name, id, comment] of variables) {
      const role = BUILT_IN_ROLES[(id ?? '').toLowerCase()];
      assert.ok(role !== undefined, `${file}: ${name} = ${id} is not in the table of known built-in roles`);
      assert.equal(comment, role, `${file}: the comment of ${name} must name the role`);
    }
    // No GUID may appear anywhere else in the code: inline role ids would bypass the table.
    const declared = new Set(variables.map(([, , id]) => (id ?? '').toLowerCase()));
    const everyGuid = (stripComments(raw).match(GUID) ?? []).map((guid) => guid.toLowerCase());
    assert.deepEqual(everyGuid.filter((guid) => !declared.has(guid)), [], `${file}: declare role ids once, as commented variables`);
    assert.equal(everyGuid.length, declared.size, `${file}: each role-id variable holds the only copy of its GUID`);
    declaredAnywhere += variables.length;
  }
  assert.ok(declaredAnywhere > 0, 'infra/ declares no role-id variables');
});

test('role assignments live in *rbac.bicep files only, named guid(scope, principal, role)', () => {
  let assignmentCount = 0;
  for (const file of bicepFiles()) {
    const source = readBicep(file);
    const names = [...source.matchAll(/^resource\s+(\w+)\s+'Microsoft\.Authorization\/roleAssignments@/gm)].map((match) => match[1] ?? '');
    if (!file.endsWith('rbac.bicep')) {
      assert.deepEqual(names, [], `${file} assigns roles; keep them in an *rbac.bicep file`);
      continue;
    }
    for (const name of names) {
      const { body } = declaration(source, 'resource', name);
      const scoped = /^\s*scope:\s*\w+\s*$/m.test(body);
      // Without a scope, an assignment applies to the module's resource group: named after it.
      const scopeId = scoped ? '\\w+\\.id' : 'resourceGroup\\(\\)\\.id';
      assert.match(body, new RegExp(`name:\\s*guid\\(\\s*${scopeId}\\s*,\\s*\\w+PrincipalId\\s*,\\s*\\w+RoleId\\s*\\)`), `${file} ${name}: unexpected name`);
      assert.match(body, /roleDefinitionId:\s*subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions',\s*\w+RoleId\)/);
      assert.match(body, /principalType:\s*/, `${file} ${name}: say the principal type, or ARM may fail on a new identity that has not replicated yet`);
      assignmentCount += 1;
    }
  }
  assert.ok(assignmentCount > 0);
});

test('main.bicep outputs are UPPER_SNAKE and include the values the docs rely on', () => {
  const main = readBicep('infra/main.bicep');
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
  const main = readBicep('infra/main.bicep');
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
