import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_MAX_XML_BYTES,
  XmlRejected,
  decodeXmlReferences,
  elementAt,
  escapeXml,
  findElement,
  parseXml,
  textAt,
  textElement,
  xmlElement,
  type XmlElement,
  type XmlRejectReason,
} from '#contracts/xroad/xml';

/** A personal identity code planted in hostile documents: no error message may ever show it. */
const SECRET = '131052-308T';

const rejection = (document: string | Uint8Array, options?: Parameters<typeof parseXml>[1]): XmlRejected => {
  try {
    parseXml(document, options);
  } catch (error) {
    expect(error).toBeInstanceOf(XmlRejected);
    return error as XmlRejected;
  }
  throw new Error('expected the document to be rejected');
};

const expectRejected = (document: string | Uint8Array, reason: XmlRejectReason, options?: Parameters<typeof parseXml>[1]): XmlRejected => {
  const error = rejection(document, options);
  expect(error.reason).toBe(reason);
  expect(error.transient).toBe(false);
  expect(error.message).not.toContain(SECRET);
  expect(error.message).not.toContain('lol');
  expect(error.message).not.toContain('passwd');
  return error;
};

/**
 * Watches fast-xml-parser, the only code that could expand anything: a hostile document is to be
 * refused by the hub's own linear scan before the validator or the parser ever sees it.
 */
const watchParser = () => ({
  validate: vi.spyOn(XMLValidator, 'validate'),
  parse: vi.spyOn(XMLParser.prototype, 'parse'),
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Characters of content (text and attribute values) in a tree: never more than the document had, whatever it declares. */
const contentLength = (element: XmlElement): number =>
  element.text.length +
  Object.values(element.attributes).reduce((sum, value) => sum + value.length, 0) +
  element.children.reduce((sum, child) => sum + contentLength(child), 0);

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz><hetu>${SECRET}</hetu>&lol9;</lolz>`;

describe('parseXml reads well-formed documents', () => {
  it('matches local names whatever the prefix, and resolves namespaces', () => {
    const root = parseXml(
      `<a:Envelope xmlns:a="urn:one" xmlns="urn:default"><a:Body><Item b:kind="x" xmlns:b="urn:two">1</Item></a:Body></a:Envelope>`,
    );
    expect(root.name).toBe('Envelope');
    expect(root.prefix).toBe('a');
    expect(root.namespace).toBe('urn:one');
    const item = elementAt(root, 'Body', 'Item');
    expect(item?.namespace).toBe('urn:default');
    expect(item?.attributes).toEqual({ kind: 'x' });
  });

  it('keeps numbers as text: leading zeros stay', () => {
    const root = parseXml('<r><Kuntanumero>005</Kuntanumero><Koodi koodi="0001">0246</Koodi><E>1e5</E></r>');
    expect(textAt(root, 'Kuntanumero')).toBe('005');
    expect(textAt(root, 'Koodi')).toBe('0246');
    expect(elementAt(root, 'Koodi')?.attributes['koodi']).toBe('0001');
    expect(textAt(root, 'E')).toBe('1e5');
  });

  it('decodes the five predefined entities and character references, in text and attributes', () => {
    const root = parseXml(`<r a="&quot;x&quot; &amp; &#228;">&lt;b&gt; &amp; &apos;c&apos; &#xE4;&#228; &#x1F600;</r>`);
    expect(root.text).toBe(`<b> & 'c' ää \u{1F600}`);
    expect(root.attributes['a']).toBe('"x" & ä');
  });

  it('decodes each reference once: &amp;#228; stays the text &#228;', () => {
    expect(parseXml('<r>&amp;#228;</r>').text).toBe('&#228;');
    expect(decodeXmlReferences('&amp;lt;')).toBe('&lt;');
  });

  it('reads CDATA as text, entities inside it untouched', () => {
    expect(parseXml('<r><![CDATA[a &amp; <b>]]></r>').text).toBe('a &amp; <b>');
  });

  it('reads names in any script', () => {
    const root = parseXml('<r><Sukunimi>حداد</Sukunimi><Etunimet>Олена Петрівна</Etunimet></r>');
    expect(textAt(root, 'Sukunimi')).toBe('حداد');
    expect(textAt(root, 'Etunimet')).toBe('Олена Петрівна');
  });

  it('accepts UTF-8 bytes, a byte-order mark, and ISO-8859-1 when declared', () => {
    expect(parseXml(new TextEncoder().encode('\uFEFF<r>Närpes</r>')).text).toBe('Närpes');
    const latin1 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><r>Närpes</r>', 'latin1');
    expect(parseXml(latin1).text).toBe('Närpes');
  });

  it('finds elements in document order', () => {
    const root = parseXml('<r><a><x>1</x></a><x>2</x></r>');
    expect(findElement(root, 'x')?.text).toBe('1');
  });
});

describe('parseXml refuses dangerous or broken documents with a permanent XmlRejected', () => {
  it('refuses a DOCTYPE', () => {
    expectRejected('<?xml version="1.0"?><!DOCTYPE r><r/>', 'doctype');
    expectRejected('<!doctype r SYSTEM "r.dtd"><r/>', 'doctype');
  });

  it('refuses billion laughs at its DOCTYPE, before the validator or the parser could expand anything', () => {
    const fxp = watchParser();
    const error = expectRejected(BILLION_LAUGHS, 'entity');
    expect(error.message).toMatch(/entit/);
    expect(error.message).toMatch(/line 2/);
    expect(fxp.validate).not.toHaveBeenCalled();
    expect(fxp.parse).not.toHaveBeenCalled();
  });

  it('refuses a document nested ten thousand deep in its scan, the parser never called', () => {
    const fxp = watchParser();
    expectRejected('<a>'.repeat(10_000) + '</a>'.repeat(10_000), 'too-deep');
    expect(fxp.validate).not.toHaveBeenCalled();
    expect(fxp.parse).not.toHaveBeenCalled();
    // The watch sees a document that does get that far.
    parseXml('<a><a/></a>');
    expect(fxp.validate).toHaveBeenCalledTimes(1);
    expect(fxp.parse).toHaveBeenCalledTimes(1);
  });

  it('refuses an oversized document before decoding or scanning it', () => {
    const fxp = watchParser();
    const decode = vi.spyOn(TextDecoder.prototype, 'decode');
    expectRejected(new Uint8Array(DEFAULT_MAX_XML_BYTES + 1).fill(0x3c), 'too-large');
    expect(decode).not.toHaveBeenCalled();
    expect(fxp.validate).not.toHaveBeenCalled();
    expect(fxp.parse).not.toHaveBeenCalled();
  });

  it('reads an element with thousands of attributes into exactly as many, no more content than the document holds', () => {
    const count = 5_000;
    const document = `<r ${Array.from({ length: count }, (_, i) => `a${i}="v&amp;${i}"`).join(' ')}/>`;
    const root = parseXml(document);
    expect(Object.keys(root.attributes)).toHaveLength(count);
    expect(root.attributes['a4999']).toBe('v&4999');
    expect(contentLength(root)).toBeLessThanOrEqual(document.length);
  });

  it('refuses an external entity (XXE) without reading it', () => {
    expectRejected(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>`, 'entity');
    expectRejected(`<!DOCTYPE r [<!ENTITY % p SYSTEM "http://attacker.invalid/x.dtd"> %p;]><r/>`, 'entity');
  });

  it('refuses a reference to an undeclared entity rather than leaving it or expanding it', () => {
    expectRejected(`<r>${SECRET}&nbsp;</r>`, 'entity');
    expectRejected('<r a="&xxe;"/>', 'entity');
    expectRejected('<r>fish & chips</r>', 'entity');
  });

  it('refuses markup declarations outside a DTD', () => {
    expectRejected('<!ELEMENT r ANY><r/>', 'malformed');
    expectRejected('<!ENTITY x "y"><r>&x;</r>', 'entity');
  });

  it('refuses broken XML', () => {
    expectRejected(`<r><hetu>${SECRET}</hetu>`, 'malformed');
    expectRejected(`<r><a>${SECRET}</b></r>`, 'malformed');
    expectRejected('<r a="1" a="2"/>', 'malformed');
    expectRejected('<r></r><r2/>', 'malformed');
    expectRejected(`<r/>${SECRET}`, 'malformed');
    expectRejected('<r><!-- never closed </r>', 'malformed');
    expectRejected('<r><![CDATA[ never closed </r>', 'malformed');
    expectRejected('not xml at all', 'malformed');
  });

  it('refuses characters XML does not allow, raw or as references', () => {
    expectRejected('<r>a\u0000b</r>', 'illegal-char');
    expectRejected('<r>a\u0007b</r>', 'illegal-char');
    expectRejected('<r>&#0;</r>', 'illegal-char');
    expectRejected('<r>&#xD800;</r>', 'illegal-char');
    expectRejected('<r>\uD800</r>', 'illegal-char');
  });

  it('refuses an empty document', () => {
    expectRejected('', 'empty');
    expectRejected('  \n ', 'empty');
  });

  it('refuses invalid UTF-8 and undeclared encodings', () => {
    expectRejected(new Uint8Array([0x3c, 0x72, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x72, 0x3e]), 'encoding');
    expectRejected(Buffer.from('<?xml version="1.0" encoding="UTF-16"?><r/>'), 'encoding');
  });

  it('refuses documents over the size limit before reading them, default 1 MiB', () => {
    const big = `<r>${'a'.repeat(DEFAULT_MAX_XML_BYTES)}</r>`;
    const error = expectRejected(big, 'too-large');
    expect(error.message).toContain(String(DEFAULT_MAX_XML_BYTES));
    expectRejected('<r>0123456789</r>', 'too-large', { maxBytes: 10 });
    expectRejected(new Uint8Array(2048).fill(0x20), 'too-large', { maxBytes: 1024 });
    // The limit counts bytes, not characters.
    expectRejected('<r>ääää</r>', 'too-large', { maxBytes: 10 });
    expect(parseXml('<r>aaaa</r>', { maxBytes: 11 }).text).toBe('aaaa');
  });

  it('refuses nesting deeper than the limit', () => {
    const deep = '<a>'.repeat(100) + '</a>'.repeat(100);
    expectRejected(deep, 'too-deep');
    expectRejected('<a><b><c/></b></a>', 'too-deep', { maxDepth: 2 });
  });

  it('says where the fault is without quoting the document', () => {
    const error = expectRejected(`<r>\n<hetu>${SECRET}</hetu>\n<b></c></r>`, 'malformed');
    expect(error.message).toMatch(/line 3/);
  });
});

/** Seeded PRNG (mulberry32), so a failing case can be repeated. */
const prng = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

describe('parseXml under arbitrary input', () => {
  const base = `<?xml version="1.0"?><s:Envelope xmlns:s="urn:s"><s:Body><V koodi="0000"><hetu>${SECRET}</hetu><n>Ä &amp; Ö</n><![CDATA[x]]></V></s:Body></s:Envelope>`;
  const pieces = ['<', '>', '&', ';', '"', "'", '<!DOCTYPE x>', '<!ENTITY a "b">', '&a;', ']]>', '<![CDATA[', '<!--', '-->', '\u0000', '</x>', '<x>', '=', ':', '&#0;', '&#65;'];

  it('either parses a mutated document or rejects it with XmlRejected, never anything else', () => {
    const random = prng(20261101);
    for (let i = 0; i < 500; i++) {
      let doc = base;
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * doc.length);
        const roll = random();
        if (roll < 0.4) doc = doc.slice(0, at) + doc.slice(at + 1 + Math.floor(random() * 5));
        else doc = doc.slice(0, at) + pieces[Math.floor(random() * pieces.length)] + doc.slice(at);
      }
      let root: XmlElement | undefined;
      try {
        root = parseXml(doc);
      } catch (error) {
        expect(error, `case ${i}`).toBeInstanceOf(XmlRejected);
        expect((error as XmlRejected).message).not.toContain(SECRET);
      }
      // Whatever a mutation made of it, what is read is never more than what was there.
      if (root) expect(contentLength(root), `case ${i}`).toBeLessThanOrEqual(doc.length);
    }
  });

  it('round-trips any text through the writer', () => {
    const random = prng(7);
    const alphabet = ['a', 'Ä', 'ø', '&', '<', '>', '"', "'", ' ', '\n', 'ح', 'Ж', '😀', ']]>', '&amp;', '\t'];
    for (let i = 0; i < 200; i++) {
      const length = Math.floor(random() * 20);
      // Values trimmed by the reader (surrounding whitespace is not data in the hub's formats) are padded.
      const value = `x${Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')}x`;
      const doc = xmlElement('r', textElement('v', value), { a: value });
      const root = parseXml(doc);
      expect(textAt(root, 'v')).toBe(value);
      expect(root.attributes['a']).toBe(value);
    }
  });

  it('writes characters XML forbids as U+FFFD rather than producing a document no one can read', () => {
    expect(escapeXml('a\u0000b\u0008c')).toBe('a\uFFFDb\uFFFDc');
    expect(parseXml(textElement('r', 'a\u0001b')).text).toBe('a\uFFFDb');
  });
});
