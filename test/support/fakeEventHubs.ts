/**
 * A local AMQP 1.0 server that speaks enough of Azure Event Hubs' protocol for the real
 * @azure/event-hubs SDK (EventHubProducerClient, EventHubConsumerClient) to work against it.
 *
 * Connect with the connection string it returns (`UseDevelopmentEmulator=true` makes the SDK use
 * plain TCP and take the port from the endpoint).
 *
 * Supported:
 * - SASL ANONYMOUS (what the SDK uses) and PLAIN, any credentials accepted.
 * - `$cbs` put-token requests (every token accepted, status 202).
 * - `$management` READ of `com.microsoft:eventhub` (hub properties) and
 *   `com.microsoft:partition` (partition properties).
 * - Receiver links on `<hub>/ConsumerGroups/<cg>/Partitions/<id>` with the
 *   `apache.org:selector-filter:string` filter on x-opt-offset, x-opt-sequence-number or
 *   x-opt-enqueued-time (`>` and `>=`, offset "-1" = start, "@latest" = end), or no filter
 *   (start of the partition). Stored events are delivered as the receiver grants credit, and
 *   new events are pushed to open receivers as they arrive. Received messages carry
 *   x-opt-sequence-number, x-opt-offset, x-opt-enqueued-time and x-opt-partition-key.
 * - Sender links on `<hub>` (partition chosen by a hash of the partition key, else round robin)
 *   and `<hub>/Partitions/<id>`, with plain messages (format 0) and batches (format 0x80013700,
 *   one data section per encoded event).
 * - A 1 MiB max message size, announced on sender links (the SDK sizes batches by it) and
 *   enforced (amqp:link:message-size-exceeded).
 * - Fault injection: after letting `skip` event messages through, the next N (a batch is one
 *   message) are rejected as if the service were busy (`failNextSends`), and nothing of them is stored.
 *
 * Not supported: owner-level (epoch) receiver exclusivity, idempotent publishing, receiver
 * runtime metrics (last-enqueued delivery annotations), retention/expiry, other quotas and
 * throttling, authorization (tokens are not checked), TLS, WebSockets, geo-replication.
 *
 * Offsets are the cumulative byte position of the event in its partition, as decimal strings.
 * The partition-key hash is stable (same key, same partition) but is not the service's hash.
 */
import type { AddressInfo, Server, Socket } from 'node:net';

import { create_container, message as amqpMessage, types as amqpTypes } from 'rhea';
import type { Connection, ContainerOptions, EventContext, Message, Receiver, Sender } from 'rhea';

/** Message format of an Event Hubs batch: one AMQP message whose data sections are encoded events. */
const BATCH_MESSAGE_FORMAT = 0x80013700;
const MAX_MESSAGE_SIZE = 1024 * 1024;
const SELECTOR_FILTER = 'apache.org:selector-filter:string';
const SELECTOR_FILTER_CODE = 0x468c00000004;
const ANNOTATION_SEQUENCE_NUMBER = 'x-opt-sequence-number';
const ANNOTATION_OFFSET = 'x-opt-offset';
const ANNOTATION_ENQUEUED_TIME = 'x-opt-enqueued-time';
const ANNOTATION_PARTITION_KEY = 'x-opt-partition-key';

export interface FakeEventHubsOptions {
  hubName: string;
  partitionCount: number;
  /** Consumer groups that exist (case-insensitive). Defaults to ["$Default"]. */
  consumerGroups?: string[];
}

/** One event as the fake server holds it. */
export interface StoredEvent {
  partitionId: string;
  sequenceNumber: number;
  offset: string;
  enqueuedTimeUtc: Date;
  partitionKey?: string;
  /** The body as the SDK would decode it: parsed JSON when the data is JSON, else the raw Buffer. */
  body: unknown;
  /** The raw data section (undefined for value/sequence bodies). */
  bytes?: Buffer;
  /** Application properties, when the sender set any. */
  properties?: Record<string, unknown>;
}

export interface FakeEventHubs {
  connectionString: string;
  /** Appends events to a partition directly, as if a producer had sent them. */
  send(partitionId: string, bodies: unknown[], partitionKey?: string): void;
  /** Everything the partition holds, oldest first (shallow copies). */
  events(partitionId: string): StoredEvent[];
  /** After `skip` event messages (default 0), rejects the next `count` with com.microsoft:server-busy, storing nothing of them. */
  failNextSends(count: number, skip?: number): void;
  /** Open receiver links, optionally only those on one partition and/or consumer group (for tests to wait on). */
  receiverCount(filter?: { partitionId?: string; consumerGroup?: string }): number;
  /** Closes every connection and the listener. Idempotent. */
  stop(): Promise<void>;
}

interface StoredRecord {
  event: StoredEvent;
  /** The message as sent, minus the annotations the server sets on delivery. */
  payload: Message;
}

interface PartitionLog {
  id: string;
  records: StoredRecord[];
  nextOffset: number;
}

interface Subscription {
  link: Sender;
  partition: PartitionLog;
  consumerGroup: string;
  next: number;
}

type RequestNode = 'cbs' | 'management';
type InboundRole = { kind: RequestNode } | { kind: 'events'; partition?: PartitionLog };

/** Fields rhea keeps on a link but does not declare in its typings. */
interface LinkInternals {
  local: { attach: { max_message_size?: number } };
}

interface ParsedPosition {
  kind: 'offset' | 'sequence' | 'time';
  inclusive: boolean;
  value: string;
}

export async function startFakeEventHubs(options: FakeEventHubsOptions): Promise<FakeEventHubs> {
  const hubName = options.hubName;
  if (!hubName) throw new Error('hubName is required');
  if (!Number.isInteger(options.partitionCount) || options.partitionCount < 1) {
    throw new Error('partitionCount must be a positive integer');
  }
  const consumerGroups = new Set((options.consumerGroups ?? ['$Default']).map((g) => g.toLowerCase()));
  const createdAt = new Date();
  const partitions = new Map<string, PartitionLog>();
  for (let i = 0; i < options.partitionCount; i++) {
    partitions.set(String(i), { id: String(i), records: [], nextOffset: 0 });
  }
  const partitionIds = [...partitions.keys()];
  let roundRobin = 0;
  let failingSends = { skip: 0, count: 0 };

  const subscriptions = new Map<Sender, Subscription>();
  const inboundRoles = new Map<Receiver, InboundRole>();
  const pendingReplies = new Map<Sender, Message[]>();
  const connections = new Set<Connection>();
  const sockets = new Set<Socket>();

  // Deliveries are settled explicitly, so that a malformed message is rejected rather than accepted.
  const container = create_container({ id: `fake-eventhubs-${hubName}`, autoaccept: false } as ContainerOptions);
  container.sasl_server_mechanisms.enable_anonymous();
  container.sasl_server_mechanisms.enable_plain(() => true);

  // ---- storage -------------------------------------------------------------------------------

  function append(partition: PartitionLog, payload: Message, partitionKey: string | undefined): void {
    const annotations: Record<string, unknown> = { ...(payload.message_annotations ?? {}) };
    for (const key of [ANNOTATION_SEQUENCE_NUMBER, ANNOTATION_OFFSET, ANNOTATION_ENQUEUED_TIME]) delete annotations[key];
    if (partitionKey === undefined) delete annotations[ANNOTATION_PARTITION_KEY];
    else annotations[ANNOTATION_PARTITION_KEY] = partitionKey;
    payload.message_annotations = annotations;

    const size = amqpMessage.encode(payload).length;
    const { body, bytes } = describeBody(payload.body);
    const event: StoredEvent = {
      partitionId: partition.id,
      sequenceNumber: partition.records.length,
      offset: String(partition.nextOffset),
      enqueuedTimeUtc: new Date(),
      body,
      ...(bytes ? { bytes } : {}),
      ...(partitionKey !== undefined ? { partitionKey } : {}),
      ...(payload.application_properties ? { properties: { ...payload.application_properties } } : {}),
    };
    partition.nextOffset += size;
    partition.records.push({ event, payload });
    for (const sub of subscriptions.values()) if (sub.partition === partition) pump(sub);
  }

  function partitionFor(partitionKey: string | undefined): PartitionLog {
    let index: number;
    if (partitionKey === undefined) {
      index = roundRobin++ % partitionIds.length;
    } else {
      index = hashKey(partitionKey) % partitionIds.length;
    }
    return partitions.get(partitionIds[index] ?? '0') as PartitionLog;
  }

  function toDelivery(record: StoredRecord): Message {
    const { event, payload } = record;
    const annotations: Record<string, unknown> = {
      ...(payload.message_annotations ?? {}),
      [ANNOTATION_SEQUENCE_NUMBER]: amqpTypes.wrap_long(event.sequenceNumber),
      [ANNOTATION_OFFSET]: event.offset,
      [ANNOTATION_ENQUEUED_TIME]: event.enqueuedTimeUtc,
    };
    return { ...payload, message_annotations: annotations } as Message;
  }

  function isManagementAddress(address: string): boolean {
    return address === '$management' || address.toLowerCase() === `${hubName.toLowerCase()}/$management`;
  }

  // ---- outbound --------------------------------------------------------------------------------

  function pump(sub: Subscription): void {
    if (!sub.link.is_open()) return;
    const records = sub.partition.records;
    while (sub.next < records.length && sub.link.sendable()) {
      const record = records[sub.next] as StoredRecord;
      sub.link.send(toDelivery(record));
      sub.next++;
    }
  }

  function flushReplies(link: Sender): void {
    const queue = pendingReplies.get(link);
    if (!queue) return;
    while (queue.length > 0 && link.sendable()) link.send(queue.shift() as Message);
  }

  function reply(connection: Connection, replyTo: string | undefined, response: Message): void {
    if (!replyTo) return;
    const link = connection.find_sender(
      (s: Sender) => s.name === replyTo || (s.target as { address?: string } | undefined)?.address === replyTo,
    );
    if (!link) return;
    let queue = pendingReplies.get(link);
    if (!queue) {
      queue = [];
      pendingReplies.set(link, queue);
    }
    queue.push(response);
    flushReplies(link);
  }

  // ---- link attach -----------------------------------------------------------------------------

  container.on('connection_open', (context: EventContext) => {
    connections.add(context.connection);
  });

  /** The client attached a receiver: we are the sender. */
  container.on('sender_open', (context: EventContext) => {
    const link = context.sender as Sender;
    const address = (link.source as { address?: string } | undefined)?.address ?? '';
    if (address === '$cbs' || isManagementAddress(address)) {
      link.set_source({ address });
      return;
    }
    const match = /^([^/]+)\/ConsumerGroups\/([^/]+)\/Partitions\/([^/]+)$/i.exec(address);
    if (!match || !sameName(match[1], hubName)) {
      refuse(link, 'amqp:not-found', `The messaging entity '${address}' could not be found.`);
      return;
    }
    if (!consumerGroups.has((match[2] ?? '').toLowerCase())) {
      refuse(link, 'amqp:not-found', `The consumer group '${match[2]}' does not exist.`);
      return;
    }
    const partition = partitions.get(match[3] ?? '');
    if (!partition) {
      refuse(link, 'amqp:not-found', `The partition '${match[3]}' does not exist.`);
      return;
    }
    let expression: string | undefined;
    let start: number;
    try {
      expression = readSelector(link.source);
      start = expression === undefined ? 0 : startIndex(partition, parseSelector(expression));
    } catch (err) {
      refuse(link, 'amqp:invalid-field', (err as Error).message);
      return;
    }
    link.set_source({
      address,
      ...(expression !== undefined
        ? { filter: { [SELECTOR_FILTER]: amqpTypes.wrap_described(expression, SELECTOR_FILTER_CODE) } }
        : {}),
    });
    const sub: Subscription = { link, partition, consumerGroup: (match[2] ?? '').toLowerCase(), next: start };
    subscriptions.set(link, sub);
    pump(sub);
  });

  /** The client attached a sender: we are the receiver. */
  container.on('receiver_open', (context: EventContext) => {
    const link = context.receiver as Receiver;
    const address = (link.target as { address?: string } | undefined)?.address ?? '';
    (link as unknown as LinkInternals).local.attach.max_message_size = MAX_MESSAGE_SIZE;
    link.set_target({ address });
    if (address === '$cbs') {
      inboundRoles.set(link, { kind: 'cbs' });
      return;
    }
    if (isManagementAddress(address)) {
      inboundRoles.set(link, { kind: 'management' });
      return;
    }
    const match = /^([^/]+)(?:\/Partitions\/([^/]+))?$/i.exec(address);
    if (!match || !sameName(match[1], hubName)) {
      refuse(link, 'amqp:not-found', `The messaging entity '${address}' could not be found.`);
      return;
    }
    if (match[2] === undefined) {
      inboundRoles.set(link, { kind: 'events' });
      return;
    }
    const partition = partitions.get(match[2]);
    if (!partition) {
      refuse(link, 'amqp:not-found', `The partition '${match[2]}' does not exist.`);
      return;
    }
    inboundRoles.set(link, { kind: 'events', partition });
  });

  container.on('sendable', (context: EventContext) => {
    const link = context.sender as Sender;
    const sub = subscriptions.get(link);
    if (sub) pump(sub);
    flushReplies(link);
  });

  container.on('sender_draining', (context: EventContext) => {
    const link = context.sender as Sender;
    const sub = subscriptions.get(link);
    if (sub) pump(sub);
    link.set_drained(true);
  });

  // ---- inbound messages ------------------------------------------------------------------------

  container.on('message', (context: EventContext) => {
    const link = context.receiver as Receiver;
    const delivery = context.delivery;
    const role = inboundRoles.get(link);
    if (!role) {
      delivery?.reject({ condition: 'amqp:not-allowed', description: 'This link does not accept messages' });
      return;
    }
    try {
      if (role.kind !== 'events') {
        const request = context.message as Message;
        const answer = role.kind === 'cbs' ? handleCbs(request) : handleManagement(request);
        delivery?.accept();
        reply(context.connection, request.reply_to as string | undefined, answer);
        return;
      }
      const format = (context as { format?: number }).format;
      const raw = context.message as unknown;
      if (format !== undefined && format !== 0 && format !== BATCH_MESSAGE_FORMAT) {
        throw new Error(`Unsupported message format ${format}`);
      }
      if (failingSends.skip > 0) failingSends.skip--;
      else if (failingSends.count > 0) {
        failingSends.count--;
        delivery?.reject({ condition: 'com.microsoft:server-busy', description: 'The service is busy (injected).' });
        return;
      }
      const size = Buffer.isBuffer(raw) ? raw.length : amqpMessage.encode(raw as Message).length;
      if (size > MAX_MESSAGE_SIZE) {
        delivery?.reject({
          condition: 'amqp:link:message-size-exceeded',
          description: `The message is ${size} bytes; the limit is ${MAX_MESSAGE_SIZE}.`,
        });
        return;
      }
      const envelope = Buffer.isBuffer(raw) ? decodeMessage(raw) : (raw as Message);
      const events = format === BATCH_MESSAGE_FORMAT ? unbatch(envelope) : [envelope];
      const envelopeKey = readPartitionKey(envelope);
      // A batch goes to one partition, like the service: the envelope's key decides.
      const target = role.partition ?? partitionFor(envelopeKey ?? readPartitionKey(events[0]));
      for (const event of events) append(target, event, readPartitionKey(event) ?? envelopeKey);
      delivery?.accept();
    } catch (err) {
      delivery?.reject({ condition: 'amqp:decode-error', description: (err as Error).message });
    }
  });

  function handleCbs(request: Message): Message {
    const props = (request.application_properties ?? {}) as Record<string, unknown>;
    if (props['operation'] !== 'put-token') return response(request, 400, 'Unsupported CBS operation', 'amqp:not-implemented');
    return response(request, 202, 'Accepted');
  }

  function handleManagement(request: Message): Message {
    const props = (request.application_properties ?? {}) as Record<string, unknown>;
    if (props['operation'] !== 'READ') {
      return response(request, 400, `Unsupported management operation '${String(props['operation'])}'`, 'amqp:not-implemented');
    }
    if (!sameName(String(props['name'] ?? ''), hubName)) {
      return response(request, 404, `The messaging entity '${String(props['name'])}' could not be found.`, 'amqp:not-found');
    }
    if (props['type'] === 'com.microsoft:eventhub') {
      return response(request, 200, 'OK', undefined, {
        name: hubName,
        type: 'com.microsoft:eventhub',
        created_at: createdAt,
        partition_count: amqpTypes.wrap_int(partitionIds.length),
        partition_ids: partitionIds,
      });
    }
    if (props['type'] === 'com.microsoft:partition') {
      const partition = partitions.get(String(props['partition'] ?? ''));
      if (!partition) {
        return response(request, 404, `The partition '${String(props['partition'])}' does not exist.`, 'amqp:not-found');
      }
      const last = partition.records[partition.records.length - 1]?.event;
      return response(request, 200, 'OK', undefined, {
        name: hubName,
        type: 'com.microsoft:partition',
        partition: partition.id,
        begin_sequence_number: amqpTypes.wrap_long(0),
        last_enqueued_sequence_number: amqpTypes.wrap_long(last ? last.sequenceNumber : -1),
        last_enqueued_offset: last ? last.offset : '-1',
        last_enqueued_time_utc: last ? last.enqueuedTimeUtc : new Date(0),
        is_partition_empty: !last,
      });
    }
    return response(request, 400, `Unsupported management type '${String(props['type'])}'`, 'amqp:not-implemented');
  }

  // ---- detach / disconnect ---------------------------------------------------------------------

  const forgetLink = (link: Sender | Receiver | undefined): void => {
    if (!link) return;
    subscriptions.delete(link as Sender);
    pendingReplies.delete(link as Sender);
    inboundRoles.delete(link as Receiver);
  };
  container.on('sender_close', (context: EventContext) => forgetLink(context.sender));
  container.on('receiver_close', (context: EventContext) => forgetLink(context.receiver));
  const forgetConnection = (connection: Connection): void => {
    connections.delete(connection);
    for (const link of [...subscriptions.keys(), ...pendingReplies.keys(), ...inboundRoles.keys()]) {
      if (link.connection === connection) forgetLink(link);
    }
  };
  container.on('connection_close', (context: EventContext) => forgetConnection(context.connection));
  container.on('disconnected', (context: EventContext) => forgetConnection(context.connection));
  // Errors from peers (a client closing a link with an error, a dropped socket) are not fatal here.
  for (const event of ['error', 'connection_error', 'session_error', 'sender_error', 'receiver_error', 'protocol_error']) {
    container.on(event, () => {});
  }

  // ---- listen ----------------------------------------------------------------------------------

  const server = container.listen({ port: 0, host: '127.0.0.1' }) as Server;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;

  return {
    connectionString:
      `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=k;SharedAccessKey=v;EntityPath=${hubName};UseDevelopmentEmulator=true`,
    send(partitionId, bodies, partitionKey) {
      const partition = partitions.get(partitionId);
      if (!partition) throw new Error(`No partition '${partitionId}' (have ${partitionIds.join(', ')})`);
      for (const body of bodies) {
        const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body ?? null), 'utf8');
        append(partition, { body: amqpMessage.data_section(data) } as Message, partitionKey);
      }
    },
    events(partitionId) {
      const partition = partitions.get(partitionId);
      if (!partition) throw new Error(`No partition '${partitionId}' (have ${partitionIds.join(', ')})`);
      return partition.records.map((r) => ({ ...r.event, enqueuedTimeUtc: new Date(r.event.enqueuedTimeUtc) }));
    },
    failNextSends(count, skip = 0) {
      failingSends = { skip, count };
    },
    receiverCount(filter = {}) {
      let count = 0;
      for (const sub of subscriptions.values()) {
        if (!sub.link.is_open()) continue;
        if (filter.partitionId !== undefined && sub.partition.id !== filter.partitionId) continue;
        if (filter.consumerGroup !== undefined && sub.consumerGroup !== filter.consumerGroup.toLowerCase()) continue;
        count++;
      }
      return count;
    },
    stop() {
      stopped ??= stopServer();
      return stopped;
    },
  };

  async function stopServer(): Promise<void> {
    for (const connection of connections) {
      try {
        connection.close();
      } catch {
        // already closing
      }
    }
    // Give clients a moment to answer the close, then cut whatever is left.
    const deadline = Date.now() + 300;
    while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// ---- helpers -----------------------------------------------------------------------------------

function response(request: Message, status: number, description: string, condition?: string, body?: unknown): Message {
  const applicationProperties: Record<string, unknown> = {
    'status-code': amqpTypes.wrap_int(status),
    'status-description': description,
  };
  if (condition) applicationProperties['error-condition'] = condition;
  return {
    to: request.reply_to,
    correlation_id: request.message_id,
    application_properties: applicationProperties,
    ...(body !== undefined ? { body } : {}),
  } as Message;
}

function refuse(link: Sender | Receiver, condition: string, description: string): void {
  link.close({ condition, description });
}


function sameName(a: string | undefined, b: string): boolean {
  return (a ?? '').toLowerCase() === b.toLowerCase();
}

/** A stable 32-bit FNV-1a hash of the key's UTF-8 bytes (not the service's hash, but as stable). */
function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function decodeMessage(bytes: Buffer): Message {
  return amqpMessage.decode(bytes) as unknown as Message;
}

function readPartitionKey(message: Message | undefined): string | undefined {
  const value = (message?.message_annotations as Record<string, unknown> | undefined)?.[ANNOTATION_PARTITION_KEY];
  return value === undefined || value === null ? undefined : String(value);
}

interface BodySection {
  typecode: number;
  content: unknown;
  multiple?: boolean;
}

function isSection(value: unknown): value is BodySection {
  return typeof value === 'object' && value !== null && typeof (value as BodySection).typecode === 'number';
}

/** Splits a batch envelope (format 0x80013700) into the events its data sections encode. */
function unbatch(envelope: Message): Message[] {
  const body = envelope.body as unknown;
  if (!isSection(body) || body.typecode !== 0x75) {
    throw new Error('A batched message must have data sections');
  }
  const parts = body.multiple ? (body.content as Buffer[]) : [body.content as Buffer];
  return parts.map((part) => decodeMessage(Buffer.from(part)));
}

function describeBody(body: unknown): { body: unknown; bytes?: Buffer } {
  if (isSection(body)) {
    if (body.typecode === 0x75 && !body.multiple) {
      const bytes = body.content === null || body.content === undefined ? Buffer.alloc(0) : Buffer.from(body.content as Buffer);
      try {
        return { body: JSON.parse(bytes.toString('utf8')), bytes };
      } catch {
        return { body: bytes, bytes };
      }
    }
    return { body: body.content };
  }
  return { body };
}

/** Extracts the selector expression from a receiver's source filter set, if any. */
function readSelector(source: unknown): string | undefined {
  const filter = (source as { filter?: Record<string, unknown> } | undefined)?.filter;
  if (!filter || typeof filter !== 'object') return undefined;
  for (const [key, value] of Object.entries(filter)) {
    if (!key.includes('selector-filter')) continue;
    let current: unknown = value;
    for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
      current = (current as { value?: unknown }).value;
    }
    if (typeof current !== 'string') throw new Error(`Unreadable selector filter on '${key}'`);
    return current;
  }
  return undefined;
}

/**
 * Parses the SDK's selector: `amqp.annotation.x-opt-offset > '123'`, `... >= '-1'`,
 * `amqp.annotation.x-opt-sequence-number >= '5'`, `amqp.annotation.x-opt-enqueued-time > '1700000000000'`.
 */
export function parseSelector(expression: string): ParsedPosition {
  const match = /^\s*amqp\.annotation\.x-opt-(offset|sequence-number|enqueued-time)\s*(>=|>)\s*'([^']*)'\s*$/i.exec(expression);
  if (!match) throw new Error(`Unsupported selector filter: ${expression}`);
  const field = (match[1] ?? '').toLowerCase();
  const kind = field === 'offset' ? 'offset' : field === 'sequence-number' ? 'sequence' : 'time';
  return { kind, inclusive: match[2] === '>=', value: match[3] ?? '' };
}

/** Index of the first stored event a receiver starting at `position` gets. */
function startIndex(partition: PartitionLog, position: ParsedPosition): number {
  const records = partition.records;
  if (position.kind === 'offset') {
    if (position.value === '-1') return 0;
    if (position.value === '@latest') return records.length;
    if (!/^\d+$/.test(position.value)) throw new Error(`Invalid offset '${position.value}'`);
    const offset = BigInt(position.value);
    const index = records.findIndex((r) => {
      const own = BigInt(r.event.offset);
      return position.inclusive ? own >= offset : own > offset;
    });
    return index === -1 ? records.length : index;
  }
  if (position.kind === 'sequence') {
    if (!/^-?\d+$/.test(position.value)) throw new Error(`Invalid sequence number '${position.value}'`);
    const sequence = Number(position.value);
    return Math.max(0, Math.min(records.length, position.inclusive ? sequence : sequence + 1));
  }
  if (!/^-?\d+$/.test(position.value)) throw new Error(`Invalid enqueued time '${position.value}'`);
  const time = Number(position.value);
  const index = records.findIndex((r) => {
    const own = r.event.enqueuedTimeUtc.getTime();
    return position.inclusive ? own >= time : own > time;
  });
  return index === -1 ? records.length : index;
}
