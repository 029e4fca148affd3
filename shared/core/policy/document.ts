/**
 * A policy document as a DOM: parse (with expressions set aside), find sections and API Warden's
 * own elements, insert and remove nodes while keeping the user's layout, serialize back.
 *
 * Nothing is re-indented or re-ordered. The only differences a round trip of an untouched
 * document can show are the serializer's spelling of the same infoset: `<base />` becomes
 * `<base/>`, attributes are written in double quotes, and characters are escaped where XML
 * requires it (`&quot;` in attributes, `&gt;` in text). Policy expressions come back as the
 * exact bytes they were read as.
 */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Document, Element, Node } from '@xmldom/xmldom';

import { PolicyDocumentError } from './errors';
import { ExpressionTable, protectExpressions } from './expressions';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const PROCESSING_INSTRUCTION_NODE = 7;
const COMMENT_NODE = 8;

export const SECTIONS = ['inbound', 'backend', 'outbound', 'on-error'] as const;
export type SectionName = (typeof SECTIONS)[number];

/**
 * API Warden's markers. Each element API Warden owns is preceded (whitespace aside) by a comment
 * whose text starts with `api-warden:<kind>`. Comments, not attributes: APIM validates policy
 * elements against its schema and rejects attributes it does not know, while comments are kept
 * verbatim in the stored policy (the default policy APIM creates is itself full of comments).
 */
export const MARKER_KINDS = ['block', 'rate-limit', 'disable'] as const;
export type MarkerKind = (typeof MARKER_KINDS)[number];

const MARKER_TEXT: Record<MarkerKind, string> = {
  block: ' api-warden:block (managed by API Warden; unblock through API Warden) ',
  'rate-limit': ' api-warden:rate-limit (managed by API Warden) ',
  disable: ' api-warden:disable (managed by API Warden; enable through API Warden) ',
};

/** Max input size: policies are limited to 256 KiB by APIM; we allow a little more. */
const MAX_POLICY_LENGTH = 512 * 1024;

export class PolicyDocument {
  readonly doc: Document;
  readonly root: Element;
  readonly expressions: ExpressionTable;

  private constructor(doc: Document, root: Element, expressions: ExpressionTable) {
    this.doc = doc;
    this.root = root;
    this.expressions = expressions;
  }

  /** Parses a policy document; throws PolicyDocumentError for anything unreadable. */
  static parse(xml: string): PolicyDocument {
    if (typeof xml !== 'string') throw new PolicyDocumentError('malformed-xml', 'policy document must be a string');
    if (xml.length > MAX_POLICY_LENGTH) {
      throw new PolicyDocumentError('malformed-xml', `policy document is larger than ${MAX_POLICY_LENGTH} characters`);
    }
    if (xml.trim() === '') throw new PolicyDocumentError('malformed-xml', 'policy document is empty');
    const expressions = new ExpressionTable(xml);
    const protectedXml = protectExpressions(xml, expressions);
    const messages: string[] = [];
    let doc: Document;
    try {
      doc = new DOMParser({
        onError: (level, message) => {
          if (level === 'warning') return;
          messages.push(firstLine(message));
          throw new Error(message);
        },
      }).parseFromString(protectedXml, 'text/xml');
    } catch (error) {
      const message = messages[0] ?? firstLine(error instanceof Error ? error.message : String(error));
      throw new PolicyDocumentError('malformed-xml', `policy document is not well-formed XML: ${expressions.restore(message)}`);
    }
    const root = doc.documentElement;
    if (root === null || root === undefined) {
      throw new PolicyDocumentError('malformed-xml', 'policy document has no root element');
    }
    if (root.nodeName !== 'policies') {
      throw new PolicyDocumentError('not-a-policy-document', `root element is <${root.nodeName}>, expected <policies>`);
    }
    return new PolicyDocument(doc, root, expressions);
  }

  /** Serializes back to text, with every policy expression restored. */
  serialize(): string {
    return this.expressions.restore(new XMLSerializer().serializeToString(this.doc));
  }

  /** An attribute's value with expressions restored, or undefined when absent. */
  attribute(element: Element, name: string): string | undefined {
    if (!element.hasAttribute(name)) return undefined;
    return this.expressions.restore(element.getAttribute(name) ?? '');
  }

  /** Text content with expressions restored. */
  text(node: Node): string {
    return this.expressions.restore(node.textContent ?? '');
  }

  /** The first direct child section of <policies> with this name. */
  section(name: SectionName): Element | undefined {
    return childElements(this.root).find((child) => child.nodeName === name);
  }

  /** The section, or a PolicyDocumentError('missing-section'). */
  requireSection(name: SectionName): Element {
    const section = this.section(name);
    if (section === undefined) {
      throw new PolicyDocumentError(
        'missing-section',
        `policy document has no <${name}> section; add one (with <base /> below global scope) before API Warden can edit it`,
      );
    }
    return section;
  }

  /** Direct children of `parent` that API Warden marked with `kind`, in document order. */
  marked(parent: Element, kind: MarkerKind): Element[] {
    return childElements(parent).filter((element) => markerOf(element) === kind);
  }

  /**
   * Creates an element from the given attributes (values may hold expressions registered
   * with `this.expressions`).
   */
  create(name: string, attributes: Record<string, string> = {}): Element {
    const element = this.doc.createElement(name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    return element;
  }

  /**
   * Inserts a marked element into `parent` right after `after` (or first when `after` is null),
   * as `\n<indent><!-- marker -->\n<indent><element>`, and indents the element's own children
   * one level deeper. Returns the element.
   */
  insertMarked(parent: Element, after: Node | null, kind: MarkerKind, element: Element): Element {
    const indent = childIndent(parent);
    const unit = indentUnit(parent, indent);
    const reference = after === null ? parent.firstChild : after.nextSibling;
    const hadChildren = parent.firstChild !== null;
    for (const node of [
      this.doc.createTextNode(`\n${indent}`),
      this.doc.createComment(MARKER_TEXT[kind]),
      this.doc.createTextNode(`\n${indent}`),
      element,
    ]) {
      parent.insertBefore(node, reference);
    }
    if (!hadChildren) parent.appendChild(this.doc.createTextNode(`\n${indent.slice(0, Math.max(0, indent.length - unit.length))}`));
    indentChildren(this.doc, element, indent, unit);
    return element;
  }

  /**
   * Removes a marked element together with its marker comment and the whitespace in front of
   * the comment (what insertMarked added). When the parent is left with whitespace only, the
   * whitespace goes too.
   */
  removeMarked(element: Element): void {
    const parent = element.parentNode;
    if (parent === null) return;
    const comment = previousNonWhitespace(element);
    const doomed: Node[] = [element];
    if (comment !== null && comment.nodeType === COMMENT_NODE) {
      for (let node = element.previousSibling; node !== null && node !== comment; node = node.previousSibling) doomed.push(node);
      doomed.push(comment);
      const before = comment.previousSibling;
      if (before !== null && isWhitespaceText(before)) doomed.push(before);
    } else {
      const before = element.previousSibling;
      if (before !== null && isWhitespaceText(before)) doomed.push(before);
    }
    for (const node of doomed) parent.removeChild(node);
    removeIfOnlyWhitespace(parent);
  }

  /** Appends `child` as the last element child of `parent`, on its own line. */
  appendChildLine(parent: Element, child: Element): void {
    const last = parent.lastChild;
    const closing = last !== null && isWhitespaceText(last) ? last : null;
    const indent = childIndent(parent);
    parent.insertBefore(this.doc.createTextNode(`\n${indent}`), closing);
    parent.insertBefore(child, closing);
    if (closing === null) parent.appendChild(this.doc.createTextNode(`\n${parentIndent(parent)}`));
  }

  /** Removes `child` and the whitespace in front of it. */
  removeChildLine(child: Element): void {
    const parent = child.parentNode;
    if (parent === null) return;
    const before = child.previousSibling;
    parent.removeChild(child);
    if (before !== null && isWhitespaceText(before)) parent.removeChild(before);
  }
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/^\[xmldom [a-zA-Z]+\]\s*/, '').trim();
}

export function childElements(parent: Node): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === ELEMENT_NODE) out.push(node as Element);
  }
  return out;
}

export function isWhitespaceText(node: Node): boolean {
  return node.nodeType === TEXT_NODE && /^\s*$/.test(node.nodeValue ?? '');
}

function previousNonWhitespace(node: Node): Node | null {
  let previous = node.previousSibling;
  while (previous !== null && isWhitespaceText(previous)) previous = previous.previousSibling;
  return previous;
}

/** The marker kind of the comment right before `element` (whitespace aside), if any. */
export function markerOf(element: Element): MarkerKind | undefined {
  const previous = previousNonWhitespace(element);
  if (previous === null || previous.nodeType !== COMMENT_NODE) return undefined;
  const match = /^\s*api-warden:([a-z-]+)(?:\s|$)/.exec(previous.nodeValue ?? '');
  const kind = match?.[1];
  return (MARKER_KINDS as readonly string[]).includes(kind ?? '') ? (kind as MarkerKind) : undefined;
}

/** Whitespace before the first child element of `parent`, or the parent's own indent plus one unit. */
function childIndent(parent: Element): string {
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === TEXT_NODE) {
      const match = /\n([ \t]*)$/.exec(node.nodeValue ?? '');
      if (match !== null && node.nextSibling !== null && !isWhitespaceText(node.nextSibling)) return match[1] ?? '';
    }
  }
  return parentIndent(parent) + '    ';
}

function parentIndent(element: Element): string {
  const before = element.previousSibling;
  if (before !== null && before.nodeType === TEXT_NODE) {
    const match = /\n([ \t]*)$/.exec(before.nodeValue ?? '');
    if (match !== null) return match[1] ?? '';
  }
  return '';
}

function indentUnit(parent: Element, indent: string): string {
  const outer = parentIndent(parent);
  if (indent.startsWith(outer) && indent.length > outer.length) return indent.slice(outer.length);
  return '    ';
}

/** Puts each element child of a freshly built element on its own line, recursively. */
function indentChildren(doc: Document, element: Element, indent: string, unit: string): void {
  const children = childElements(element);
  if (children.length === 0) return;
  const inner = indent + unit;
  for (const child of children) {
    element.insertBefore(doc.createTextNode(`\n${inner}`), child);
    indentChildren(doc, child, inner, unit);
  }
  element.appendChild(doc.createTextNode(`\n${indent}`));
}

function removeIfOnlyWhitespace(parent: Node): void {
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (!isWhitespaceText(node)) return;
  }
  while (parent.firstChild !== null) parent.removeChild(parent.firstChild);
}

/**
 * A comparable form of a policy document: elements with sorted attributes, comments, text and
 * CDATA, policy expressions restored, whitespace-only text dropped where it sits between
 * elements (where it is layout, not content).
 */
export function canonicalPolicy(xml: string): string {
  const parsed = PolicyDocument.parse(xml);
  return JSON.stringify(canonicalNode(parsed, parsed.root));
}

type Canonical = string | [string, [string, string][], Canonical[]];

function canonicalNode(parsed: PolicyDocument, node: Node): Canonical {
  switch (node.nodeType) {
    case ELEMENT_NODE: {
      const element = node as Element;
      const attributes: [string, string][] = [];
      for (let i = 0; i < element.attributes.length; i += 1) {
        const attribute = element.attributes.item(i);
        if (attribute !== null) attributes.push([attribute.name, parsed.expressions.restore(attribute.value)]);
      }
      attributes.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const mixed = hasNonTextChild(element);
      const children: Canonical[] = [];
      for (let child = element.firstChild; child !== null; child = child.nextSibling) {
        if (mixed && isWhitespaceText(child)) continue;
        const canonical = canonicalNode(parsed, child);
        const last = children[children.length - 1];
        // Adjacent text nodes are one text.
        if (typeof canonical === 'string' && canonical.startsWith('t:') && typeof last === 'string' && last.startsWith('t:')) {
          children[children.length - 1] = last + canonical.slice(2);
        } else {
          children.push(canonical);
        }
      }
      return [element.nodeName, attributes, children];
    }
    case TEXT_NODE:
      return `t:${parsed.text(node)}`;
    case CDATA_SECTION_NODE:
      return `d:${parsed.text(node)}`;
    case COMMENT_NODE:
      return `c:${node.nodeValue ?? ''}`;
    case PROCESSING_INSTRUCTION_NODE:
      return `p:${node.nodeName} ${node.nodeValue ?? ''}`;
    default:
      return `?:${node.nodeType}`;
  }
}

function hasNonTextChild(element: Element): boolean {
  for (let node = element.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType !== TEXT_NODE) return true;
  }
  return false;
}

/** Whether two policy documents mean the same (see {@link canonicalPolicy}). */
export function policiesEquivalent(a: string, b: string): boolean {
  return canonicalPolicy(a) === canonicalPolicy(b);
}

/** Parses and serializes, changing nothing: what a no-op edit returns. */
export function roundTrip(xml: string): string {
  return PolicyDocument.parse(xml).serialize();
}
