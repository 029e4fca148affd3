import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { fetchFeed, FeedFetchError, redactUrl } from '../../shared/http/feedClient';
import { startFeedServer, type FeedServer } from './feedServer';

async function failure(promise: Promise<unknown>): Promise<FeedFetchError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof FeedFetchError, String(error));
    return error;
  }
  assert.fail('expected a FeedFetchError');
}

describe('fetchFeed', () => {
  let server: FeedServer;
  before(async () => {
    server = await startFeedServer();
  });
  after(async () => {
    await server.stop();
  });

  test('downloads a plain text feed', async () => {
    server.set('/plain', { body: '203.0.113.7\n2001:db8::1\n' });
    const feed = await fetchFeed(server.url('/plain'));
    assert.equal(feed.text, '203.0.113.7\n2001:db8::1\n');
    assert.equal(feed.gzipped, false);
    assert.equal(feed.status, 200);
    assert.equal(feed.bytes, 24);
    assert.match(feed.contentType ?? '', /text\/plain/);
  });

  test('gunzips a body recognised by its magic bytes, whatever the content type', async () => {
    const text = '# ipsum\n77.90.185.20\t10\n';
    server.set('/feed.gz', { body: gzipSync(text), headers: { 'content-type': 'application/octet-stream' } });
    const feed = await fetchFeed(server.url('/feed.gz'));
    assert.equal(feed.text, text);
    assert.equal(feed.gzipped, true);
  });

  test('accepts Content-Encoding: gzip (decoded by fetch itself)', async () => {
    server.set('/encoded', { body: gzipSync('203.0.113.9\n'), headers: { 'content-encoding': 'gzip' } });
    const feed = await fetchFeed(server.url('/encoded'));
    assert.equal(feed.text, '203.0.113.9\n');
  });

  test('an HTTP error status is an error naming it', async () => {
    server.set('/down', { status: 500, body: 'oops' });
    const error = await failure(fetchFeed(server.url('/down')));
    assert.equal(error.failure, 'http');
    assert.equal(error.status, 500);
    assert.equal(error.message, `feed ${server.url('/down')}: HTTP 500 Internal Server Error`);
    assert.equal(error.code, 'upstream');
  });

  test('a server that never answers hits the deadline', async () => {
    server.set('/hang', { hang: true });
    const started = Date.now();
    const error = await failure(fetchFeed(server.url('/hang'), { timeoutMs: 300 }));
    assert.equal(error.failure, 'timeout');
    assert.match(error.message, /no response within 300 ms/);
    assert.ok(Date.now() - started < 5000);
  });

  test('a body that stalls mid-way hits the deadline too', async () => {
    server.set('/stall', { body: '203.0.113.1\n'.repeat(100), stream: { pieces: 4, stallAfter: true } });
    const error = await failure(fetchFeed(server.url('/stall'), { timeoutMs: 300 }));
    assert.equal(error.failure, 'timeout');
    assert.match(error.message, /download not finished within 300 ms/);
  });

  test('refuses bodies over the size limit: declared, streamed, or after gunzip', async () => {
    server.set('/big', { body: 'x'.repeat(5000) });
    const declared = await failure(fetchFeed(server.url('/big'), { maxBytes: 1000 }));
    assert.equal(declared.failure, 'tooLarge');
    assert.match(declared.message, /5000 bytes exceeds the 1000-byte limit/);

    server.set('/big-stream', { body: 'x'.repeat(5000), stream: { pieces: 10 } });
    const streamed = await failure(fetchFeed(server.url('/big-stream'), { maxBytes: 1000 }));
    assert.equal(streamed.failure, 'tooLarge');

    server.set('/bomb', { body: gzipSync(Buffer.alloc(1_000_000, 0x30)) });
    const bomb = await failure(fetchFeed(server.url('/bomb'), { maxBytes: 100_000 }));
    assert.equal(bomb.failure, 'tooLarge');
    assert.match(bomb.message, /gzip body expands beyond the 100000-byte limit/);
  });

  test('corrupt gzip is an error', async () => {
    server.set('/corrupt', { body: Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), randomBytes(64)]) });
    const error = await failure(fetchFeed(server.url('/corrupt')));
    assert.equal(error.failure, 'gzip');
    assert.match(error.message, /gzip data is corrupt/);
  });

  test('connection refused and bad URLs are clear errors', async () => {
    const closed = await startFeedServer();
    const deadUrl = closed.url('/feed.txt');
    await closed.stop();
    const refused = await failure(fetchFeed(deadUrl, { timeoutMs: 5000 }));
    assert.equal(refused.failure, 'network');
    assert.equal(refused.message.startsWith(`feed ${deadUrl}: network error: `), true, refused.message);
    assert.match(refused.message, /ECONNREFUSED/);
    assert.equal((await failure(fetchFeed('not a url'))).failure, 'invalidUrl');
    const ftp = await failure(fetchFeed('ftp://example.com/list'));
    assert.match(ftp.message, /unsupported scheme ftp:/);
  });

  test('sends URL credentials as Basic authentication and never shows them or the query', async () => {
    assert.equal(redactUrl('https://user:secret@feeds.example.com/list.txt?key=abc#x'), 'https://feeds.example.com/list.txt');
    server.set('/keyed', { status: 403 });
    const url = server.url('/keyed').replace('http://', 'http://user:secret@');
    const error = await failure(fetchFeed(`${url}?apikey=s3cret`));
    assert.equal(error.failure, 'http');
    assert.equal(error.url, server.url('/keyed'));
    assert.doesNotMatch(error.message, /secret|s3cret/);
    assert.equal(server.lastAuthorization(), `Basic ${Buffer.from('user:secret').toString('base64')}`);
  });
});
