/**
 * Runs a Logic Apps workflow definition (Workflow Definition Language, schema 2016-06-01) on a
 * given trigger body, so a test sees the requests a playbook would send without Azure.
 *
 * Only what the playbooks in infra/playbooks/ use is implemented, with the semantics of the WDL
 * reference: a string "@expr" is the expression's value, "@{expr}" inside text is its text,
 * `x?['p']` is null when x is null or lacks p while `x['p']` fails; an action runs once every
 * action in its runAfter has ended in one of the listed statuses, and is Skipped otherwise.
 * Action types: Compose, Query, Select, If, Foreach, Http, ApiConnection. Anything else (another
 * function, action type or syntax) throws, so a workflow change the runner cannot follow fails
 * the tests instead of being misread. HTTP and connector calls go to the test's handlers.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface HttpCall {
  method: string;
  uri: string;
  headers: Record<string, string>;
  body: Json;
}

export interface HttpAnswer {
  statusCode: number;
  body: Json;
}

export interface ConnectorCall {
  method: string;
  path: string;
  /** The connection the action names (its host.connection.name, evaluated). */
  connection: string;
  body: Json;
}

export interface RunOptions {
  triggerBody: Json;
  /** Values of the definition's parameters; declared defaults fill in the others. */
  parameters: Record<string, Json>;
  workflowName: string;
  runName: string;
  /** utcNow(). */
  now: Date;
  http?: (call: HttpCall) => HttpAnswer;
  connector?: (call: ConnectorCall) => Json;
}

export interface RunResult {
  httpCalls: HttpCall[];
  connectorCalls: ConnectorCall[];
}

type Status = 'Succeeded' | 'Failed' | 'Skipped';

interface ActionResult {
  status: Status;
  outputs: Json;
  body: Json;
}

interface Context {
  options: RunOptions;
  parameters: Record<string, Json>;
  results: Map<string, ActionResult>;
  /** The current item of each enclosing Foreach, by action name. */
  loops: Map<string, Json>;
  /** The current item of a Query or Select. */
  item?: Json;
  record: RunResult;
}

export interface WorkflowDefinition {
  parameters?: Record<string, { type: string; defaultValue?: Json; allowedValues?: Json[] }>;
  actions: Record<string, ActionDefinition>;
}

interface ActionDefinition {
  type: string;
  runAfter?: Record<string, Status[]>;
  inputs?: Json;
  expression?: Json;
  foreach?: string;
  actions?: Record<string, ActionDefinition>;
  else?: { actions: Record<string, ActionDefinition> };
}

// ---------------------------------------------------------------------------------------------
// Expressions

type Node =
  | { kind: 'literal'; value: Json }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'access'; target: Node; key: Node; nullSafe: boolean };

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): Node {
    const node = this.expression();
    this.skipSpace();
    if (this.pos !== this.text.length) throw this.error('unexpected text');
    return node;
  }

  private expression(): Node {
    let node = this.primary();
    for (;;) {
      this.skipSpace();
      const nullSafe = this.text[this.pos] === '?';
      if (nullSafe) this.pos += 1;
      if (this.text[this.pos] === '[') {
        this.pos += 1;
        const key = this.expression();
        this.expect(']');
        node = { kind: 'access', target: node, key, nullSafe };
      } else if (this.text[this.pos] === '.') {
        this.pos += 1;
        node = { kind: 'access', target: node, key: { kind: 'literal', value: this.identifier() }, nullSafe };
      } else {
        if (nullSafe) throw this.error("'?' must be followed by '[' or '.'");
        return node;
      }
    }
  }

  private primary(): Node {
    this.skipSpace();
    const ch = this.text[this.pos] ?? '';
    if (ch === "'") return { kind: 'literal', value: this.stringLiteral() };
    if (/[-\d]/.test(ch)) return { kind: 'literal', value: this.numberLiteral() };
    const name = this.identifier();
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
    if (name === 'null') return { kind: 'literal', value: null };
    this.expect('(');
    const args: Node[] = [];
    this.skipSpace();
    if (this.text[this.pos] !== ')') {
      do {
        args.push(this.expression());
        this.skipSpace();
      } while (this.consume(','));
    }
    this.expect(')');
    return { kind: 'call', name, args };
  }

  /** 'text', with '' standing for one quote. */
  private stringLiteral(): string {
    let out = '';
    this.pos += 1;
    for (;;) {
      if (this.pos >= this.text.length) throw this.error('unterminated string');
      const ch = this.text[this.pos] as string;
      this.pos += 1;
      if (ch !== "'") out += ch;
      else if (this.text[this.pos] === "'") {
        out += "'";
        this.pos += 1;
      } else return out;
    }
  }

  private numberLiteral(): number {
    const match = /^-?\d+(\.\d+)?/.exec(this.text.slice(this.pos));
    if (match === null) throw this.error('bad number');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private identifier(): string {
    const match = /^[A-Za-z_$][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (match === null) throw this.error('expected a name');
    this.pos += match[0].length;
    return match[0];
  }

  private skipSpace(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos += 1;
  }

  private consume(token: string): boolean {
    this.skipSpace();
    if (this.text[this.pos] !== token) return false;
    this.pos += 1;
    return true;
  }

  private expect(token: string): void {
    if (!this.consume(token)) throw this.error(`expected '${token}'`);
  }

  private error(message: string): Error {
    return new Error(`${message} at ${this.pos} in expression: ${this.text}`);
  }
}

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asBoolean(value: Json, what: string): boolean {
  if (typeof value !== 'boolean') throw new Error(`${what} needs a boolean, got ${JSON.stringify(value)}`);
  return value;
}

function asString(value: Json, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} needs a string, got ${JSON.stringify(value)}`);
  return value;
}

function asNumber(value: Json, what: string): number {
  if (typeof value !== 'number') throw new Error(`${what} needs a number, got ${JSON.stringify(value)}`);
  return value;
}

function asArray(value: Json, what: string): Json[] {
  if (!Array.isArray(value)) throw new Error(`${what} needs an array, got ${JSON.stringify(value)}`);
  return value;
}

/** ISO 8601 with seven fractional digits: the "o" format utcNow() and addToTime() return. */
function roundTripFormat(time: Date): string {
  return time.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

const MS_PER_UNIT: Record<string, number> = { Second: 1_000, Minute: 60_000, Hour: 3_600_000, Day: 86_400_000 };

function resultOf(context: Context, name: string): ActionResult {
  const result = context.results.get(name);
  if (result === undefined) throw new Error(`action '${name}' has not run (or does not exist)`);
  if (result.status === 'Skipped') throw new Error(`action '${name}' was skipped: its outputs cannot be referenced`);
  return result;
}

type WdlFunction = (args: Json[], context: Context) => Json;

const FUNCTIONS: Record<string, WdlFunction> = {
  triggerBody: (_args, context) => context.options.triggerBody,
  parameters: ([name], context) => {
    const key = asString(name ?? null, 'parameters()');
    if (!(key in context.parameters)) throw new Error(`no workflow parameter '${key}'`);
    return context.parameters[key] ?? null;
  },
  workflow: (_args, context) => ({ name: context.options.workflowName, run: { name: context.options.runName } }),
  outputs: ([name], context) => resultOf(context, asString(name ?? null, 'outputs()')).outputs,
  body: ([name], context) => resultOf(context, asString(name ?? null, 'body()')).body,
  item: (_args, context) => {
    if (context.item === undefined) throw new Error('item() outside a Query or Select');
    return context.item;
  },
  items: ([name], context) => {
    const loop = asString(name ?? null, 'items()');
    if (!context.loops.has(loop)) throw new Error(`items('${loop}') outside that Foreach`);
    return context.loops.get(loop) ?? null;
  },
  equals: ([a, b]) => JSON.stringify(a) === JSON.stringify(b),
  greater: ([a, b]) => asNumber(a ?? null, 'greater()') > asNumber(b ?? null, 'greater()'),
  length: ([value]) => (typeof value === 'string' ? value.length : asArray(value ?? null, 'length()').length),
  empty: ([value]) =>
    value === null || value === '' || (Array.isArray(value) && value.length === 0) || (isObject(value ?? null) && Object.keys(value as JsonObject).length === 0),
  not: ([value]) => !asBoolean(value ?? null, 'not()'),
  and: (args) => args.every((arg) => asBoolean(arg, 'and()')),
  if: ([condition, whenTrue, whenFalse]) => (asBoolean(condition ?? null, 'if()') ? (whenTrue ?? null) : (whenFalse ?? null)),
  coalesce: (args) => args.find((arg) => arg !== null) ?? null,
  json: ([text]) => JSON.parse(asString(text ?? null, 'json()')) as Json,
  addProperty: ([target, name, value]) => {
    if (!isObject(target ?? null)) throw new Error('addProperty() needs an object');
    const key = asString(name ?? null, 'addProperty()');
    if (key in (target as JsonObject)) throw new Error(`addProperty(): '${key}' already exists`);
    return { ...(target as JsonObject), [key]: value ?? null };
  },
  addToTime: ([time, interval, unit]) => {
    const perUnit = MS_PER_UNIT[asString(unit ?? null, 'addToTime()')];
    if (perUnit === undefined) throw new Error(`addToTime(): unit ${String(unit)} not implemented here`);
    const start = Date.parse(asString(time ?? null, 'addToTime()'));
    return roundTripFormat(new Date(start + asNumber(interval ?? null, 'addToTime()') * perUnit));
  },
  utcNow: (_args, context) => roundTripFormat(context.options.now),
};

function evaluateNode(node: Node, context: Context): Json {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'call': {
      const fn = FUNCTIONS[node.name];
      if (fn === undefined) throw new Error(`function ${node.name}() is not implemented by the test runner`);
      return fn(
        node.args.map((arg) => evaluateNode(arg, context)),
        context,
      );
    }
    case 'access': {
      const target = evaluateNode(node.target, context);
      const key = evaluateNode(node.key, context);
      if (target === null) {
        if (node.nullSafe) return null;
        throw new Error(`cannot read [${JSON.stringify(key)}] of null`);
      }
      const value = Array.isArray(target) ? target[asNumber(key, 'an array index')] : isObject(target) ? target[asString(key, 'a property name')] : undefined;
      if (value !== undefined) return value;
      if (node.nullSafe) return null;
      throw new Error(`no property ${JSON.stringify(key)} in ${JSON.stringify(target)}`);
    }
  }
}

function asText(value: Json): string {
  if (value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Index of the '}' closing an interpolation that starts at `from`, skipping string literals. */
function interpolationEnd(text: string, from: number): number {
  let inString = false;
  for (let i = from; i < text.length; i += 1) {
    if (text[i] === "'") inString = !inString;
    else if (text[i] === '}' && !inString) return i;
  }
  throw new Error(`unterminated @{ in: ${text}`);
}

function evaluateString(text: string, context: Context): Json {
  if (text.startsWith('@') && !text.startsWith('@{')) return evaluateNode(new Parser(text.slice(1)).parse(), context);
  let out = '';
  let i = 0;
  for (;;) {
    const start = text.indexOf('@{', i);
    if (start === -1) return out + text.slice(i);
    const end = interpolationEnd(text, start + 2);
    out += text.slice(i, start) + asText(evaluateNode(new Parser(text.slice(start + 2, end)).parse(), context));
    i = end + 1;
  }
}

/** A value of the definition with every expression in it evaluated. */
function evaluate(value: Json | undefined, context: Context): Json {
  if (value === undefined) return null;
  if (typeof value === 'string') return evaluateString(value, context);
  if (Array.isArray(value)) return value.map((item) => evaluate(item, context));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluate(item, context)]));
  return value;
}

/** An If action's condition: { "and": [conditions] } or { "<function>": [arguments] }. */
function evaluateCondition(condition: Json, context: Context): boolean {
  const entries = isObject(condition) ? Object.entries(condition) : [];
  const [entry] = entries;
  if (entry === undefined || entries.length !== 1) throw new Error(`bad condition ${JSON.stringify(condition)}`);
  const [operator, operands] = entry;
  if (operator === 'and') return asArray(operands, 'and').every((operand) => evaluateCondition(operand, context));
  const fn = FUNCTIONS[operator];
  if (fn === undefined) throw new Error(`condition operator ${operator} is not implemented by the test runner`);
  return asBoolean(
    fn(
      asArray(operands, operator).map((operand) => evaluate(operand, context)),
      context,
    ),
    operator,
  );
}

// ---------------------------------------------------------------------------------------------
// Actions

function inputsOf(action: ActionDefinition, context: Context): JsonObject {
  const inputs = evaluate(action.inputs, context);
  if (!isObject(inputs)) throw new Error(`inputs must be an object, got ${JSON.stringify(inputs)}`);
  return inputs;
}

function runAction(name: string, action: ActionDefinition, context: Context): ActionResult {
  switch (action.type) {
    case 'Compose':
      return { status: 'Succeeded', outputs: evaluate(action.inputs, context), body: null };
    case 'Query':
    case 'Select': {
      const inputs = isObject(action.inputs ?? null) ? (action.inputs as JsonObject) : {};
      const from = asArray(evaluate(inputs.from, context), `${name}.from`);
      const body =
        action.type === 'Query'
          ? from.filter((item) => asBoolean(evaluate(inputs.where, { ...context, item }), `${name}.where`))
          : from.map((item) => evaluate(inputs.select, { ...context, item }));
      return { status: 'Succeeded', outputs: { body }, body };
    }
    case 'If': {
      const branch = evaluateCondition(action.expression ?? null, context) ? action.actions : action.else?.actions;
      runActions(branch ?? {}, context);
      return { status: 'Succeeded', outputs: null, body: null };
    }
    case 'Foreach': {
      for (const item of asArray(evaluate(action.foreach, context), `${name}.foreach`)) {
        runActions(action.actions ?? {}, { ...context, results: new Map(context.results), loops: new Map(context.loops).set(name, item) });
      }
      return { status: 'Succeeded', outputs: null, body: null };
    }
    case 'Http': {
      const inputs = inputsOf(action, context);
      const headers = isObject(inputs.headers ?? null) ? Object.fromEntries(Object.entries(inputs.headers as JsonObject).map(([key, value]) => [key, asText(value)])) : {};
      const call: HttpCall = { method: asString(inputs.method ?? null, `${name}.method`), uri: asString(inputs.uri ?? null, `${name}.uri`), headers, body: inputs.body ?? null };
      context.record.httpCalls.push(call);
      if (context.options.http === undefined) throw new Error(`${name} sends an HTTP request, and the test gave no handler`);
      const answer = context.options.http(call);
      return { status: answer.statusCode < 400 ? 'Succeeded' : 'Failed', outputs: { statusCode: answer.statusCode, body: answer.body }, body: answer.body };
    }
    case 'ApiConnection': {
      const inputs = inputsOf(action, context);
      const host = inputs.host;
      const connection = isObject(host ?? null) && isObject((host as JsonObject).connection ?? null) ? ((host as JsonObject).connection as JsonObject).name : null;
      const call: ConnectorCall = {
        method: asString(inputs.method ?? null, `${name}.method`),
        path: asString(inputs.path ?? null, `${name}.path`),
        connection: asString(connection ?? null, `${name}.host.connection.name`),
        body: inputs.body ?? null,
      };
      context.record.connectorCalls.push(call);
      if (context.options.connector === undefined) throw new Error(`${name} calls a connector, and the test gave no handler`);
      const body = context.options.connector(call);
      return { status: 'Succeeded', outputs: { statusCode: 200, body }, body };
    }
    default:
      throw new Error(`action type ${action.type} (${name}) is not implemented by the test runner`);
  }
}

/** Runs a scope's actions in runAfter order; an action whose predecessors ended otherwise is Skipped. */
function runActions(actions: Record<string, ActionDefinition>, context: Context): void {
  const pending = new Map(Object.entries(actions));
  while (pending.size > 0) {
    const ready = [...pending].find(([, action]) => Object.keys(action.runAfter ?? {}).every((before) => context.results.has(before)));
    if (ready === undefined) throw new Error(`actions wait on each other or on unknown actions: ${[...pending.keys()].join(', ')}`);
    const [name, action] = ready;
    pending.delete(name);
    const runs = Object.entries(action.runAfter ?? {}).every(([before, statuses]) => statuses.includes((context.results.get(before) as ActionResult).status));
    context.results.set(name, runs ? runAction(name, action, context) : { status: 'Skipped', outputs: null, body: null });
  }
}

/** The definition's parameters: the given values, else the declared defaults; unknown or missing ones fail, as a deployment would. */
function parameterValues(definition: WorkflowDefinition, given: Record<string, Json>): Record<string, Json> {
  const declared = definition.parameters ?? {};
  for (const name of Object.keys(given)) if (!(name in declared)) throw new Error(`the workflow declares no parameter ${name}`);
  return Object.fromEntries(
    Object.entries(declared).map(([name, declaration]) => {
      const value = name in given ? (given[name] ?? null) : declaration.defaultValue;
      if (value === undefined) throw new Error(`parameter ${name} has no value and no default`);
      if (declaration.allowedValues !== undefined && !declaration.allowedValues.includes(value)) throw new Error(`parameter ${name}: ${JSON.stringify(value)} is not allowed`);
      return [name, value];
    }),
  );
}

export function runWorkflow(definition: WorkflowDefinition, options: RunOptions): RunResult {
  const record: RunResult = { httpCalls: [], connectorCalls: [] };
  runActions(definition.actions, { options, parameters: parameterValues(definition, options.parameters), results: new Map(), loops: new Map(), record });
  return record;
}
