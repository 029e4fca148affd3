import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import {
  blockAddresses,
  canonicalPolicy,
  disableOperation,
  enableOperation,
  isOperationDisabled,
  listBlocked,
  policiesEquivalent,
  PolicyDocumentError,
  removeRateLimit,
  roundTrip,
  setRateLimit,
  unblockAddresses,
  validatePolicy,
} from '../../../shared/core/policy';
import { DEFAULT_POLICY, GLOBAL_POLICY, RICH_POLICY } from './fixtures';

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PolicyDocumentError, `expected PolicyDocumentError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('expected an error');
}

describe('parsing and round trips', () => {
  for (const [name, xml] of [
    ['default policy', DEFAULT_POLICY],
    ['global policy', GLOBAL_POLICY],
    ['rich policy with raw expressions, comments and CDATA', RICH_POLICY],
  ] as const) {
    test(`a round trip of the ${name} is semantically identical and stable`, () => {
      const once = roundTrip(xml);
      assert.ok(policiesEquivalent(xml, once));
      assert.equal(roundTrip(once), once);
    });
  }

  test('raw policy expressions come back byte for byte, including quotes, < and &&', () => {
    const out = roundTrip(RICH_POLICY);
    for (const expression of [
      '@(context.Request.Headers.GetValueOrDefault("X-Tier","") == "gold" && context.Request.Body.As<string>(preserveContent: true).Length < 1024)',
      '@(context.Variables.GetValueOrDefault<int>("n", 0) > 3)',
      'if (x.Length < 3 && x != "}") { return "a\\"b"; } // a ) comment',
      'return $"{x}-{(x == "(" ? 1 : 2)}";',
      'if (body["a"] != null && (int)body["a"] < 5) { body["a"] = 5; }',
    ]) {
      assert.ok(out.includes(expression), `missing ${expression}`);
    }
  });

  test('comments and CDATA survive untouched', () => {
    const out = roundTrip(RICH_POLICY);
    assert.ok(out.includes("<!-- the user's own allowlist for the admin operations -->"));
    assert.ok(out.includes('<![CDATA[<not-xml a="1"> & @(not an expression) ]]>'));
    assert.ok(roundTrip(DEFAULT_POLICY).includes('Comments within policy elements are not supported'));
  });

  test('XML-escaped expressions (format "xml") round trip too', () => {
    const xml = '<policies><inbound><set-variable name="a" value="@(&quot;x&quot; == &quot;y&quot; &amp;&amp; 1 &lt; 2)" /></inbound></policies>';
    assert.ok(policiesEquivalent(xml, roundTrip(xml)));
  });

  test('malformed XML is a PolicyDocumentError, never a crash', () => {
    assert.equal(errorCode(() => blockAddresses('<policies><inbound></policies>', ['1.2.3.4'])), 'malformed-xml');
    assert.equal(errorCode(() => roundTrip('')), 'malformed-xml');
    assert.equal(errorCode(() => roundTrip('not xml at all')), 'malformed-xml');
    assert.equal(errorCode(() => roundTrip('<policies><inbound a="1" a="2"/></policies>')), 'malformed-xml');
    assert.equal(errorCode(() => roundTrip('<policy><inbound/></policy>')), 'not-a-policy-document');
  });

  test('the malformed-XML message says what is wrong', () => {
    try {
      roundTrip('<policies><inbound></policies>');
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(error instanceof PolicyDocumentError);
      assert.match(error.message, /inbound/);
    }
  });
});

describe('blockAddresses / unblockAddresses / listBlocked', () => {
  test('creates a marked forbid ip-filter right after <base />', () => {
    const result = blockAddresses(DEFAULT_POLICY, ['203.0.113.7']);
    assert.equal(result.changed, true);
    assert.deepEqual(result.blocked, ['203.0.113.7']);
    assert.match(result.xml, /<base\/>\s*<!-- api-warden:block[^>]*-->\s*<ip-filter action="forbid">\s*<address>203\.0\.113\.7<\/address>\s*<\/ip-filter>/);
    assert.deepEqual(listBlocked(result.xml), ['203.0.113.7']);
    assert.deepEqual(validatePolicy(result.xml), { ok: true, problems: [] });
  });

  test('at global scope (no <base />) the filter goes first in inbound', () => {
    const result = blockAddresses(GLOBAL_POLICY, ['203.0.113.7']);
    assert.match(result.xml, /<inbound>\s*<!-- api-warden:block[^>]*-->\s*<ip-filter action="forbid">/);
  });

  test('blocking a blocked address changes nothing and returns the input as is', () => {
    const first = blockAddresses(RICH_POLICY, ['203.0.113.7', '198.51.100.0/24']);
    const second = blockAddresses(first.xml, ['203.0.113.7', '198.51.100.0/24', '198.51.100.9']);
    assert.equal(second.changed, false);
    assert.equal(second.xml, first.xml);
    assert.deepEqual(second.alreadyBlocked, ['203.0.113.7', '198.51.100.0/24', '198.51.100.9']);
  });

  test('adds to the existing filter instead of creating a second one', () => {
    const once = blockAddresses(DEFAULT_POLICY, ['203.0.113.7']).xml;
    const twice = blockAddresses(once, ['203.0.113.8']).xml;
    assert.equal(twice.match(/api-warden:block/g)?.length, 1);
    assert.deepEqual(listBlocked(twice), ['203.0.113.7', '203.0.113.8']);
  });

  test("the user's own ip-filter is neither read nor changed", () => {
    assert.deepEqual(listBlocked(RICH_POLICY), []);
    const blocked = blockAddresses(RICH_POLICY, ['13.66.201.169']);
    assert.equal(blocked.changed, true, 'an address in the user allow filter is still ours to block');
    const unblocked = unblockAddresses(blocked.xml, ['13.66.201.169', '13.66.140.128/28']);
    assert.deepEqual(unblocked.unblocked, ['13.66.201.169']);
    assert.deepEqual(unblocked.notBlocked, ['13.66.140.128/28']);
    assert.ok(unblocked.xml.includes('<address>13.66.201.169</address>'));
    assert.ok(unblocked.xml.includes('<address-range from="13.66.140.128" to="13.66.140.143"/>'));
    assert.ok(policiesEquivalent(unblocked.xml, RICH_POLICY));
  });

  test('unblock removes only the given entries, then the filter and its marker when empty', () => {
    const blocked = blockAddresses(DEFAULT_POLICY, ['203.0.113.7', '203.0.113.8']).xml;
    const partial = unblockAddresses(blocked, ['203.0.113.7']);
    assert.deepEqual(listBlocked(partial.xml), ['203.0.113.8']);
    const empty = unblockAddresses(partial.xml, ['203.0.113.8']);
    assert.ok(!empty.xml.includes('api-warden'));
    assert.equal(empty.xml, roundTrip(DEFAULT_POLICY));
    const again = unblockAddresses(empty.xml, ['203.0.113.8']);
    assert.equal(again.changed, false);
    assert.equal(again.xml, empty.xml);
  });

  test('an IP inside a blocked CIDR is reported as not blocked rather than carved out', () => {
    const blocked = blockAddresses(DEFAULT_POLICY, ['198.51.100.0/24']).xml;
    const result = unblockAddresses(blocked, ['198.51.100.7']);
    assert.equal(result.changed, false);
    assert.deepEqual(result.notBlocked, ['198.51.100.7']);
  });

  test('allowlisted addresses, and ranges that contain one, are refused', () => {
    const allowlist = ['10.1.2.3', '192.0.2.0/24'];
    assert.equal(errorCode(() => blockAddresses(DEFAULT_POLICY, ['10.1.2.3'], { allowlist })), 'allowlisted');
    assert.equal(errorCode(() => blockAddresses(DEFAULT_POLICY, ['10.1.0.0/16'], { allowlist })), 'allowlisted');
    assert.equal(errorCode(() => blockAddresses(DEFAULT_POLICY, ['192.0.2.77'], { allowlist })), 'allowlisted');
    assert.equal(blockAddresses(DEFAULT_POLICY, ['10.1.2.4'], { allowlist }).changed, true);
  });

  test('invalid addresses are refused and nothing is written', () => {
    assert.equal(errorCode(() => blockAddresses(DEFAULT_POLICY, ['203.0.113.7', 'example.com'])), 'invalid-address');
    assert.equal(errorCode(() => blockAddresses(DEFAULT_POLICY, ['10.0.0.1/8'])), 'invalid-address');
    assert.equal(errorCode(() => blockAddresses(DEFAULT_POLICY, ['10.0.0.0/33'])), 'invalid-address');
  });

  test('a policy without <inbound> is refused rather than guessed at', () => {
    assert.equal(errorCode(() => blockAddresses('<policies><outbound /></policies>', ['1.2.3.4'])), 'missing-section');
  });
});

describe('CIDR to address-range', () => {
  const rangeOf = (cidr: string, options = {}): string => {
    const xml = blockAddresses(DEFAULT_POLICY, [cidr], options).xml;
    const match = /<address-range from="([^"]+)" to="([^"]+)"\/>|<address>([^<]+)<\/address>/.exec(xml);
    assert.ok(match);
    return match[3] ?? `${match[1]}-${match[2]}`;
  };

  test('/32 is a single <address>', () => {
    assert.equal(rangeOf('203.0.113.7/32'), '203.0.113.7');
  });
  test('/24 spans .0 to .255', () => {
    assert.equal(rangeOf('198.51.100.0/24'), '198.51.100.0-198.51.100.255');
  });
  test('/31 spans two addresses', () => {
    assert.equal(rangeOf('198.51.100.6/31'), '198.51.100.6-198.51.100.7');
  });
  test('/8 is the default broadest accepted', () => {
    assert.equal(rangeOf('10.0.0.0/8'), '10.0.0.0-10.255.255.255');
    assert.equal(errorCode(() => blockAddresses(DEFAULT_POLICY, ['10.0.0.0/7'])), 'prefix-too-broad');
  });
  test('/0 is refused as too broad', () => {
    assert.equal(errorCode(() => blockAddresses(DEFAULT_POLICY, ['0.0.0.0/0'])), 'prefix-too-broad');
  });
  test('the minimum prefix is a parameter', () => {
    assert.equal(errorCode(() => blockAddresses(DEFAULT_POLICY, ['10.0.0.0/16'], { minIpv4Prefix: 20 })), 'prefix-too-broad');
    assert.equal(rangeOf('10.0.0.0/20', { minIpv4Prefix: 20 }), '10.0.0.0-10.0.15.255');
  });
  test('listBlocked reports ranges back as CIDRs', () => {
    const xml = blockAddresses(DEFAULT_POLICY, ['198.51.100.0/24', '203.0.113.7/32']).xml;
    assert.deepEqual(listBlocked(xml), ['198.51.100.0/24', '203.0.113.7']);
  });
  test('IPv6 is refused unless allowed, and then written as a range', () => {
    assert.equal(errorCode(() => blockAddresses(DEFAULT_POLICY, ['2001:db8::1'])), 'ipv6-unsupported');
    assert.equal(rangeOf('2001:db8::/64', { allowIpv6: true }), '2001:db8::-2001:db8::ffff:ffff:ffff:ffff');
  });
  test('IPv4-mapped IPv6 folds to IPv4', () => {
    assert.equal(rangeOf('::ffff:198.51.100.0/120'), '198.51.100.0-198.51.100.255');
  });
});

describe('rate limit', () => {
  test('adds a marked rate-limit-by-key keyed on the client IP, counting only the listed IPs', () => {
    const result = setRateLimit(DEFAULT_POLICY, { key: 'ip', calls: 10, renewalPeriodSeconds: 60, addresses: ['203.0.113.8', '203.0.113.7'] });
    assert.equal(result.changed, true);
    assert.ok(
      result.xml.includes(
        '<rate-limit-by-key calls="10" renewal-period="60" counter-key="@("api-warden:" + context.Request.IpAddress)" increment-condition="@(context.Request.IpAddress == "203.0.113.7" || context.Request.IpAddress == "203.0.113.8")"/>',
      ),
    );
    assert.deepEqual(validatePolicy(result.xml), { ok: true, problems: [] });
  });

  test('is idempotent, replaces different settings, and is removable', () => {
    const options = { key: 'ip' as const, calls: 10, renewalPeriodSeconds: 60, addresses: ['203.0.113.7'] };
    const first = setRateLimit(DEFAULT_POLICY, options);
    const same = setRateLimit(first.xml, options);
    assert.equal(same.changed, false);
    assert.equal(same.xml, first.xml);
    const other = setRateLimit(first.xml, { ...options, calls: 5 });
    assert.equal(other.changed, true);
    assert.equal(other.xml.match(/rate-limit-by-key/g)?.length, 1);
    assert.ok(other.xml.includes('calls="5"'));
    const removed = removeRateLimit(other.xml);
    assert.equal(removed.xml, roundTrip(DEFAULT_POLICY));
    assert.equal(removeRateLimit(removed.xml).changed, false);
  });

  test('validates calls, renewal period (at most 300 s), addresses and the allowlist', () => {
    const base = { key: 'ip' as const, calls: 10, renewalPeriodSeconds: 60 };
    assert.equal(errorCode(() => setRateLimit(DEFAULT_POLICY, { ...base, calls: 0 })), 'invalid-argument');
    assert.equal(errorCode(() => setRateLimit(DEFAULT_POLICY, { ...base, renewalPeriodSeconds: 301 })), 'invalid-argument');
    assert.equal(setRateLimit(DEFAULT_POLICY, { ...base, renewalPeriodSeconds: 300 }).changed, true);
    assert.equal(errorCode(() => setRateLimit(DEFAULT_POLICY, { ...base, addresses: ['10.0.0.0/24'] })), 'invalid-argument');
    assert.equal(errorCode(() => setRateLimit(DEFAULT_POLICY, { ...base, addresses: ['10.0.0.1'], allowlist: ['10.0.0.0/8'] })), 'allowlisted');
  });

  test('sits after the block list, whichever is added first', () => {
    const a = blockAddresses(setRateLimit(DEFAULT_POLICY, { key: 'ip', calls: 1, renewalPeriodSeconds: 1 }).xml, ['203.0.113.7']).xml;
    const b = setRateLimit(blockAddresses(DEFAULT_POLICY, ['203.0.113.7']).xml, { key: 'ip', calls: 1, renewalPeriodSeconds: 1 }).xml;
    assert.equal(a, b);
    assert.ok(a.indexOf('<ip-filter') < a.indexOf('<rate-limit-by-key'));
  });
});

describe('disable / enable operation', () => {
  test('adds a marked return-response and enable removes it, restoring the document', () => {
    const disabled = disableOperation(RICH_POLICY, { statusCode: 403, message: 'Blocked by security team' });
    assert.equal(disabled.changed, true);
    assert.ok(isOperationDisabled(disabled.xml));
    assert.match(disabled.xml, /<base\/>\s*<!-- api-warden:disable[^>]*-->\s*<return-response>\s*<set-status code="403" reason="Forbidden"\/>/);
    assert.ok(disabled.xml.includes('<set-body>{"error":"Blocked by security team"}</set-body>'));
    assert.deepEqual(validatePolicy(disabled.xml), { ok: true, problems: [] });
    const enabled = enableOperation(disabled.xml);
    assert.equal(enabled.changed, true);
    assert.equal(enabled.xml, roundTrip(RICH_POLICY));
    assert.equal(enableOperation(enabled.xml).changed, false);
  });

  test('is idempotent and replaces a different status', () => {
    const first = disableOperation(DEFAULT_POLICY);
    assert.ok(first.xml.includes('code="503"'));
    assert.equal(disableOperation(first.xml).changed, false);
    const other = disableOperation(first.xml, { statusCode: 404 });
    assert.equal(other.changed, true);
    assert.equal(other.xml.match(/return-response>/g)?.length, 2, 'one element, opened and closed');
  });

  test('refuses messages that would read as policy expressions', () => {
    assert.equal(errorCode(() => disableOperation(DEFAULT_POLICY, { message: '@(context.Request.Url)' })), 'invalid-argument');
    assert.equal(errorCode(() => disableOperation(DEFAULT_POLICY, { statusCode: 500 as 503 })), 'invalid-argument');
  });

  test('messages with XML specials are escaped', () => {
    const xml = disableOperation(DEFAULT_POLICY, { message: 'a <b> & "c"' }).xml;
    assert.ok(policiesEquivalent(xml, xml));
    assert.ok(xml.includes('&lt;b&gt; &amp;'));
  });
});

describe('validatePolicy', () => {
  test('accepts realistic documents', () => {
    for (const xml of [DEFAULT_POLICY, GLOBAL_POLICY, RICH_POLICY]) assert.deepEqual(validatePolicy(xml), { ok: true, problems: [] });
  });
  test('reports structural problems by code', () => {
    const codes = (xml: string): string[] => validatePolicy(xml).problems.map((problem) => problem.code);
    assert.deepEqual(codes('<policies><inbound></policies>'), ['malformed-xml']);
    assert.deepEqual(codes('<policies><outbound/><inbound/></policies>'), ['section-order']);
    assert.deepEqual(codes('<policies><inbound/><inbound/></policies>'), ['duplicate-section']);
    assert.deepEqual(codes('<policies><inbound><ip-filter action="deny"><address>1.2.3.4</address></ip-filter></inbound></policies>'), ['ip-filter-action']);
    assert.deepEqual(codes('<policies><inbound><ip-filter action="forbid"/></inbound></policies>'), ['ip-filter-empty']);
    assert.deepEqual(codes('<policies><inbound><rate-limit-by-key calls="1" renewal-period="600" counter-key="k"/></inbound></policies>'), ['rate-limit-period']);
    assert.deepEqual(codes('<policies><outbound><ip-filter action="allow"><address>1.2.3.4</address></ip-filter></outbound></policies>'), ['wrong-section']);
  });
});

describe('property: block then unblock', () => {
  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.'));
  const cidr = fc.tuple(ipv4, fc.integer({ min: 8, max: 32 })).map(([ip, prefix]) => {
    const value = ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
    const size = 2 ** (32 - prefix);
    const network = Math.floor(value / size) * size;
    return `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.')}/${prefix}`;
  });
  const targets = fc.array(fc.oneof(ipv4, cidr), { minLength: 1, maxLength: 12 });

  test('returns a document semantically equal to the original, for any set of IPs and CIDRs', () => {
    fc.assert(
      fc.property(fc.constantFrom(DEFAULT_POLICY, GLOBAL_POLICY, RICH_POLICY), targets, (original, addresses) => {
        const blocked = blockAddresses(original, addresses);
        // Everything requested is now covered.
        assert.equal(blockAddresses(blocked.xml, addresses).changed, false);
        const unblocked = unblockAddresses(blocked.xml, blocked.blocked);
        assert.equal(canonicalPolicy(unblocked.xml), canonicalPolicy(original));
        assert.equal(unblocked.xml, roundTrip(original));
        assert.deepEqual(listBlocked(unblocked.xml), []);
      }),
      { numRuns: 200 },
    );
  });
});
