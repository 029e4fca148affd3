/**
 * Measures the suspicious User-Agent patterns on public data (../shared/data beside the
 * repository; see its README): OWASP CRS regression stages and scanner lists as positives, real
 * browser User-Agents as negatives. Prints the figures and asserts the targets.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { evaluateUserAgents, formatUserAgentEvaluation, type UserAgentEvaluation } from '../../../scripts/evalUserAgents';
import { DATA_DIR } from '../../support/sharedData';

const HAVE_DATA = existsSync(path.join(DATA_DIR, 'coreruleset', 'crs-tests-flat.jsonl')) && existsSync(path.join(DATA_DIR, 'user-agents'));

describe('suspicious User-Agent evaluation on public data', { skip: !HAVE_DATA && `no data at ${DATA_DIR}` }, () => {
  let evaluation: UserAgentEvaluation;

  test('evaluate (figures printed)', () => {
    evaluation = evaluateUserAgents(DATA_DIR);
    console.log(formatUserAgentEvaluation(evaluation));
    assert.ok(evaluation.crsPositives.length >= 80, `only ${evaluation.crsPositives.length} CRS positives found`);
    assert.equal(evaluation.browsers.total, 981);
  });

  test('CRS: ≥ 95 % of match stages with the payload in User-Agent are flagged', () => {
    const { rate, flagged, total } = evaluation.crsUserAgentRate;
    assert.ok(rate >= 0.95, `${flagged}/${total}`);
    // RCE and Log4Shell payloads in User-Agent: all of them.
    assert.equal(evaluation.crsByFamily['932']?.rate, 1);
    assert.equal(evaluation.crsByFamily['944']?.rate, 1);
  });

  test('CRS: the only misses are stages whose signal is not in the User-Agent', () => {
    // 913110 (scanner header "Acunetix-Product", "X-Scanner") and 913120 (scanner URL "/nessustest",
    // "/AppScan_fingerprint/…", header "Version") send an ordinary browser User-Agent or none.
    const misses = evaluation.crsPositives.filter((result) => result.match === undefined);
    for (const miss of misses) {
      assert.ok([913110, 913120].includes(miss.ruleId), `unexpected miss ${miss.testId}: ${JSON.stringify(miss.userAgent)}`);
    }
  });

  test('CRS no-match stages in User-Agent (curl, python-requests, browsers, words like "settings") are not flagged by default', () => {
    const flagged = evaluation.crsNegatives.filter((result) => result.match !== undefined);
    assert.deepEqual(
      flagged.map((result) => result.userAgent),
      [],
    );
  });

  test('real browsers: 0 false positives on 981 unique User-Agents', () => {
    assert.deepEqual(
      evaluation.browsers.flagged.map((entry) => `${entry.userAgent} → ${entry.match.category}`),
      [],
    );
  });

  test('CRS scanner word lists (measured, not copied) stay covered', () => {
    const v4 = evaluation.scannerLists['v4-head'];
    const v3 = evaluation.scannerLists['v3.3.10'];
    assert.ok(v4 !== undefined && v3 !== undefined);
    // Floors guard against regressions; the printed figures and missed entries are the measurement.
    assert.ok(v4.rate.rate >= 0.85, `v4 ${v4.rate.flagged}/${v4.rate.total}`);
    assert.ok(v3.rate.rate >= 0.6, `v3.3.10 ${v3.rate.flagged}/${v3.rate.total}`);
  });

  test('with flagScriptingClients, the CRS scripting-client list is covered and browsers stay clean', () => {
    assert.equal(evaluation.scriptingList.rate.rate, 1, evaluation.scriptingList.missed.join(', '));
    const strict = evaluateUserAgents(DATA_DIR, { flagScriptingClients: true });
    assert.equal(strict.browsers.flagged.length, 0);
  });
});
