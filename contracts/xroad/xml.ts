/**
 * The hub's one XML parser (every SOAP answer from VTJ, UMA and the X-Road security server goes
 * through `parseXml`), and the small writer the builders use.
 *
 * Safety, in the order it is applied (OWASP XML External Entity Prevention):
 *   1. size: a document over `maxBytes` (default 1 MiB) is refused before anything reads it;
 *   2. encoding: bytes must be UTF-8 (or ISO-8859-1 when the declaration says so);
 *   3. a linear scan refuses any DOCTYPE, any markup declaration (`<!ENTITY`, `<!ELEMENT`, …),
 *      any entity reference other than the five predefined ones (`&amp; &lt; &gt; &quot; &apos;`)
 *      and character references, and any character XML 1.0 does not allow;
 *   4. fast-xml-parser's XMLValidator checks well-formedness;
 *   5. fast-xml-parser v5 parses with an entity decoder of our own that knows only those five
 *      entities and character references, so nothing a document declares is ever expanded
 *      (`processEntities` stays on only so that `&amp;` and friends are decoded), numbers are
 *      never parsed (`parseTagValue: false`: `005` stays `005`), and nesting is capped.
 *
 * Every refusal is an `XmlRejected` with a `reason` code; its message says what is wrong and where
 * (line and column at most), never a piece of the document, which may hold personal data.
 *
 * The result is a namespace-aware element tree: `name` is the local name, so `soap:Body`,
 * `SOAP-ENV:Body` and `Body` (with a default namespace) read the same; `namespace` is the resolved
 * URI for callers that want to check it.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;
export const DEFAULT_MAX_XML_DEPTH = 64;

export const xmlRejectReasons = [
  'too-large',
  'encoding',
  'doctype',
  'entity',
  'illegal-char',
  'malformed',
  'too-deep',
  'empty',
] as const;
export type XmlRejectReason = (typeof xmlRejectReasons)[number];

/** A document the hub will not read. Permanent: the same bytes fail the same way every time. */
export class XmlRejected extends Error {
  override readonly name = 'XmlRejected';
  readonly transient = false;
  constructor(
    readonly reason: XmlRejectReason,
    message: string,
  ) {
    super(message);
  }
}

export interface XmlElement {
  /** Local name, prefix removed. */
  readonly name: string;
  readonly prefix: string | null;
  /** Namespace URI in scope for the element's prefix (or the default namespace), if any. */
  readonly namespace: string | null;
  /** Attributes by local name; namespace declarations are not attributes. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text (CDATA included), entities decoded, trimmed. */
  readonly text: string;
}

export interface XmlParseOptions {
  /** Largest document accepted, in bytes (UTF-8 for a string). Default 1 MiB. */
  readonly maxBytes?: number;
  /** Deepest element nesting accepted. Default 64. */
  readonly maxDepth?: number;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Parses one XML document into its root element, or throws `XmlRejected`. */
export function parseXml(document: string | Uint8Array, options: XmlParseOptions = {}): XmlElement {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_XML_DEPTH;

  const size = typeof document === 'string' ? Buffer.byteLength(document, 'utf8') : document.byteLength;
  if (size > maxBytes) {
    throw new XmlRejected('too-large', `XML document of ${size} bytes exceeds the limit of ${maxBytes} bytes`);
  }
  const text = stripBom(typeof document === 'string' ? document : decode(document));
  if (text.trim() === '') throw new XmlRejected('empty', 'XML document is empty');

  scan(text, maxDepth);

  const validation = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (validation !== true) {
    // The validator's own message can quote names and characters from the document: only its code
    // and position are passed on.
    const { code, line, col } = validation.err;
    throw new XmlRejected('malformed', `XML document is not well-formed (${code} at ${position(line, col)})`);
  }

  let nodes: unknown;
  try {
    nodes = parser(maxDepth).parse(text);
  } catch (error) {
    if (error instanceof Error && /nested/i.test(error.message)) {
      throw new XmlRejected('too-deep', `XML document nests elements deeper than ${maxDepth} levels`);
    }
    throw new XmlRejected('malformed', 'XML document could not be parsed');
  }
  return toTree(nodes);
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/g;

/** Decodes the five predefined entities and character references, nothing else. */
export const decodeXmlReferences = (value: string): string =>
  value.indexOf('&') === -1
    ? value
    : value.replace(REFERENCE, (_m, named: string | undefined, dec: string | undefined, hex: string | undefined) =>
        named !== undefined ? (XML_ENTITIES[named] ?? '') : String.fromCodePoint(Number.parseInt(dec ?? hex ?? '', dec ? 10 : 16)),
      );

/**
 * fast-xml-parser's entity decoder hook. `addInputEntities` is where DOCTYPE entities would arrive;
 * documents with a DOCTYPE never get this far, and if one did, nothing it declares is accepted.
 */
const entityDecoder = {
  setExternalEntities: (): void => undefined,
  addInputEntities: (entities: Record<string, string>): void => {
    if (Object.keys(entities).length > 0) throw new Error('entity declarations are not accepted');
  },
  reset: (): void => undefined,
  setXmlVersion: (): void => undefined,
  decode: decodeXmlReferences,
};

const parsers = new Map<number, XMLParser>();
const parser = (maxDepth: number): XMLParser => {
  let p = parsers.get(maxDepth);
  if (!p) {
    p = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      removeNSPrefix: false,
      allowBooleanAttributes: false,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      processEntities: true,
      entityDecoder,
      ignoreDeclaration: true,
      ignorePiTags: true,
      commentPropName: false,
      cdataPropName: false,
      maxNestedTags: maxDepth + 1,
    });
    parsers.set(maxDepth, p);
  }
  return p;
};

const position = (line: number | undefined, col: number | undefined): string =>
  `line ${line ?? '?'}, column ${col ?? '?'}`;

const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

function decode(bytes: Uint8Array): string {
  // The encoding declaration is ASCII in every encoding the hub accepts.
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const declared = /^(?:\uFEFF|\xEF\xBB\xBF)?<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  const encoding = declared === undefined || declared === 'utf-8' || declared === 'utf8' ? 'utf-8' : declared;
  if (encoding === 'iso-8859-1' || encoding === 'latin1' || encoding === 'iso8859-1') {
    return Buffer.from(bytes).toString('latin1');
  }
  if (encoding !== 'utf-8') throw new XmlRejected('encoding', 'XML document declares an encoding other than UTF-8 or ISO-8859-1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new XmlRejected('encoding', 'XML document is not valid UTF-8');
  }
}

const lineAt = (text: string, index: number): number => {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
};

/**
 * One pass over the document: refuses declarations, undeclared entity references, characters
 * outside XML 1.0's `Char`, text outside the root element and nesting deeper than `maxDepth`.
 * Comments, CDATA sections and processing instructions are skipped (their characters checked).
 * Runs in linear time whatever the input; well-formedness proper is left to the validator.
 */
function scan(text: string, maxDepth: number): void {
  const n = text.length;
  let depth = 0;
  let inTag = false;
  let endTag = false;
  let quote = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (inTag) {
      if (quote !== 0) {
        if (c === quote) quote = 0;
        else if (c === 38 /* & */) {
          i = checkReference(text, i);
          continue;
        } else if (c === 60 /* < */) {
          throw new XmlRejected('malformed', `XML attribute value holds a '<' (line ${lineAt(text, i)})`);
        }
      } else if (c === 34 || c === 39 /* " ' */) {
        quote = c;
      } else if (c === 62 /* > */) {
        inTag = false;
        const selfClosing = !endTag && text.charCodeAt(i - 1) === 47; /* / */
        if (!endTag && depth + 1 > maxDepth) {
          throw new XmlRejected('too-deep', `XML document nests elements deeper than ${maxDepth} levels`);
        }
        depth = endTag ? depth - 1 : selfClosing ? depth : depth + 1;
        if (depth < 0) throw new XmlRejected('malformed', `XML end tag without a start tag (line ${lineAt(text, i)})`);
      }
      i = checkChar(text, i) + 1;
      continue;
    }
    if (c === 60 /* < */) {
      const next = text.charCodeAt(i + 1);
      if (next === 33 /* ! */) {
        i = skipBang(text, i, depth);
        continue;
      }
      if (next === 63 /* ? */) {
        const end = text.indexOf('?>', i + 2);
        if (end === -1) throw new XmlRejected('malformed', `processing instruction is not closed (line ${lineAt(text, i)})`);
        checkChars(text, i + 2, end);
        i = end + 2;
        continue;
      }
      inTag = true;
      endTag = next === 47 /* / */;
      i += 1;
      continue;
    }
    if (c === 38 /* & */) {
      if (depth === 0) throw new XmlRejected('malformed', `XML document has text outside its root element (line ${lineAt(text, i)})`);
      i = checkReference(text, i);
      continue;
    }
    if (depth === 0 && c !== 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) {
      throw new XmlRejected('malformed', `XML document has text outside its root element (line ${lineAt(text, i)})`);
    }
    i = checkChar(text, i) + 1;
  }
  if (inTag) throw new XmlRejected('malformed', 'XML document ends inside a tag');
}

/** `<!…` outside a tag: a comment or CDATA section is skipped; anything else is refused. */
function skipBang(text: string, i: number, depth: number): number {
  if (text.startsWith('<!--', i)) {
    const end = text.indexOf('-->', i + 4);
    if (end === -1) throw new XmlRejected('malformed', `XML comment is not closed (line ${lineAt(text, i)})`);
    checkChars(text, i + 4, end);
    return end + 3;
  }
  if (text.startsWith('<![CDATA[', i)) {
    if (depth === 0) throw new XmlRejected('malformed', `CDATA section outside the root element (line ${lineAt(text, i)})`);
    const end = text.indexOf(']]>', i + 9);
    if (end === -1) throw new XmlRejected('malformed', `CDATA section is not closed (line ${lineAt(text, i)})`);
    checkChars(text, i + 9, end);
    return end + 3;
  }
  const keyword = text.slice(i + 2, i + 10).toUpperCase();
  if (keyword.startsWith('DOCTYPE')) {
    if (/<!ENTITY/i.test(text)) {
      throw new XmlRejected('entity', `XML document declares entities in a DOCTYPE (line ${lineAt(text, i)}); entity declarations are not accepted`);
    }
    throw new XmlRejected('doctype', `XML document has a DOCTYPE declaration (line ${lineAt(text, i)}); DTDs are not accepted`);
  }
  if (keyword.startsWith('ENTITY')) {
    throw new XmlRejected('entity', `XML document has an entity declaration (line ${lineAt(text, i)}); entity declarations are not accepted`);
  }
  throw new XmlRejected('malformed', `XML document has a markup declaration outside a DTD (line ${lineAt(text, i)})`);
}

const REFERENCE_AT = /&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/y;

/** Checks the reference at `i` (one of the five entities, or a character reference to a legal character); returns the index after it. */
function checkReference(text: string, i: number): number {
  REFERENCE_AT.lastIndex = i;
  const ref = REFERENCE_AT.exec(text);
  if (!ref) {
    throw new XmlRejected(
      'entity',
      `XML document references an entity other than the five predefined ones, or has a bare '&' (line ${lineAt(text, i)})`,
    );
  }
  if (ref[1] === undefined) {
    const code = Number.parseInt(ref[2] ?? ref[3] ?? '', ref[2] !== undefined ? 10 : 16);
    if (!isXmlChar(code)) {
      throw new XmlRejected('illegal-char', `XML character reference to a character XML does not allow (line ${lineAt(text, i)})`);
    }
  }
  return REFERENCE_AT.lastIndex;
}

function checkChars(text: string, from: number, to: number): void {
  for (let i = from; i < to; i++) i = checkChar(text, i);
}

/** Throws on a character XML 1.0 does not allow; returns the index of its last UTF-16 unit. */
function checkChar(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0x20 && c < 0xd800) return i;
  if (c === 0x9 || c === 0xa || c === 0xd || (c >= 0xe000 && c <= 0xfffd)) return i;
  if (c >= 0xd800 && c <= 0xdbff) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return i + 1;
  }
  throw new XmlRejected('illegal-char', `XML document holds a character XML does not allow (line ${lineAt(text, i)})`);
}

const isXmlChar = (code: number): boolean =>
  code === 0x9 ||
  code === 0xa ||
  code === 0xd ||
  (code >= 0x20 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd) ||
  (code >= 0x10000 && code <= 0x10ffff);

// ---------------------------------------------------------------------------------------------
// preserveOrder output -> element tree

type OrderedNode = Record<string, unknown>;

const XMLNS = 'http://www.w3.org/XML/1998/namespace';

function toTree(nodes: unknown): XmlElement {
  const list = Array.isArray(nodes) ? (nodes as OrderedNode[]) : [];
  const roots: XmlElement[] = [];
  for (const node of list) {
    const element = toElement(node, new Map([['xml', XMLNS]]));
    if (element) roots.push(element);
    else if (typeof node['#text'] === 'string' && node['#text'].trim() !== '') {
      throw new XmlRejected('malformed', 'XML document has text outside its root element');
    }
  }
  if (roots.length !== 1) throw new XmlRejected('malformed', `XML document must have exactly one root element, found ${roots.length}`);
  return roots[0] as XmlElement;
}

function toElement(node: OrderedNode, scope: ReadonlyMap<string, string>): XmlElement | null {
  const qname = Object.keys(node).find((key) => key !== ':@' && key !== '#text');
  if (qname === undefined) return null;
  const rawAttributes = (node[':@'] ?? {}) as Record<string, string>;

  let inScope = scope;
  const declarations = Object.entries(rawAttributes).filter(([key]) => key === 'xmlns' || key.startsWith('xmlns:'));
  if (declarations.length > 0) {
    const next = new Map(scope);
    for (const [key, uri] of declarations) next.set(key === 'xmlns' ? '' : key.slice(6), uri);
    inScope = next;
  }

  const attributes = Object.fromEntries(
    Object.entries(rawAttributes)
      .filter(([key]) => key !== 'xmlns' && !key.startsWith('xmlns:'))
      .map(([key, value]) => [localName(key), String(value)]),
  );

  const children: XmlElement[] = [];
  const texts: string[] = [];
  const content = node[qname];
  for (const child of Array.isArray(content) ? (content as OrderedNode[]) : []) {
    if (typeof child['#text'] === 'string' || typeof child['#text'] === 'number') {
      texts.push(String(child['#text']));
      continue;
    }
    const element = toElement(child, inScope);
    if (element) children.push(element);
  }

  const colon = qname.indexOf(':');
  const prefix = colon === -1 ? null : qname.slice(0, colon);
  const namespace = inScope.get(prefix ?? '') ?? null;
  return { name: localName(qname), prefix, namespace: namespace === '' ? null : namespace, attributes, children, text: texts.join('').trim() };
}

const localName = (qname: string): string => {
  const colon = qname.indexOf(':');
  return colon === -1 ? qname : qname.slice(colon + 1);
};

// ---------------------------------------------------------------------------------------------
// Reading helpers: all match local names

export const childElements = (element: XmlElement | null | undefined, name: string): XmlElement[] =>
  element ? element.children.filter((child) => child.name === name) : [];

export const childElement = (element: XmlElement | null | undefined, name: string): XmlElement | null =>
  element?.children.find((child) => child.name === name) ?? null;

/** Follows a path of local names, first match at each step. */
export const elementAt = (element: XmlElement | null | undefined, ...path: readonly string[]): XmlElement | null => {
  let current: XmlElement | null = element ?? null;
  for (const name of path) current = childElement(current, name);
  return current;
};

/** Text of the element at `path`, or `undefined` when it is absent. */
export const textAt = (element: XmlElement | null | undefined, ...path: readonly string[]): string | undefined =>
  path.length === 0 ? element?.text : elementAt(element, ...path)?.text;

/** The first element named `name` in document order below `element` (itself included). */
export const findElement = (element: XmlElement | null | undefined, name: string): XmlElement | null => {
  if (!element) return null;
  const stack: XmlElement[] = [element];
  while (stack.length > 0) {
    const current = stack.pop() as XmlElement;
    if (current.name === name) return current;
    for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i] as XmlElement);
  }
  return null;
};

// ---------------------------------------------------------------------------------------------
// Writing

/** Escapes text for element content and attribute values; characters XML forbids become U+FFFD. */
export const escapeXml = (value: string): string =>
  value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/** Escapes an attribute value; tab and line breaks as character references so they survive attribute-value normalisation. */
export const escapeXmlAttribute = (value: string): string =>
  escapeXml(value).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);

export type XmlAttributes = Readonly<Record<string, string | undefined>>;

/**
 * One element as text. `content` is already-serialised XML (an array is joined); use `textElement`
 * for escaped text content. Undefined attributes are left out.
 */
export const xmlElement = (qname: string, content: string | readonly string[] = '', attributes: XmlAttributes = {}): string => {
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(value)}"`)
    .join('');
  const inner = typeof content === 'string' ? content : content.join('');
  return inner === '' ? `<${qname}${attrs}/>` : `<${qname}${attrs}>${inner}</${qname}>`;
};

/** An element with escaped text content; `null`/`undefined` write an empty element. */
export const textElement = (qname: string, value: string | null | undefined, attributes: XmlAttributes = {}): string =>
  xmlElement(qname, value == null ? '' : escapeXml(value), attributes);

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
