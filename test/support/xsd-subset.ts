/**
 * Validates an XML document against an XSD, for the part of XML Schema the hub's own schemas use:
 * global elements of named types; complex types that are one `xs:sequence` of local elements with
 * `minOccurs`/`maxOccurs`; simple types restricting `xs:string` or `xs:nonNegativeInteger` by
 * `xs:pattern`, `xs:enumeration`, `xs:minLength`, `xs:maxLength`; `xs:date`; qualified elements.
 * Anything else in a schema is refused, so the subset cannot silently pass what it does not check.
 *
 * Why not a real validator: none is a dependency of the hub (libxmljs2 and xsd-schema-validator
 * need native builds or Java; xmllint is not on the machine). With one, this file goes.
 */
import { parseXml, type XmlElement } from '#contracts/xroad/xml';

interface SimpleType {
  readonly base: string;
  readonly patterns: readonly RegExp[];
  readonly enumeration: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
}
interface Particle {
  readonly name: string;
  readonly type: string;
  readonly min: number;
  readonly max: number;
}

const local = (qname: string): string => qname.slice(qname.indexOf(':') + 1);

export function validateAgainstXsd(xsd: string, xml: string): string[] {
  const schema = parseXml(xsd);
  const target = schema.attributes.targetNamespace;
  const simple = new Map<string, SimpleType>();
  const complex = new Map<string, Particle[]>();
  const roots = new Map<string, string>();
  for (const child of schema.children) {
    const name = child.attributes.name ?? '';
    if (child.name === 'simpleType') {
      const restriction = child.children[0];
      if (!restriction || restriction.name !== 'restriction') throw new Error(`xsd-subset: simpleType ${name} is not a restriction`);
      const facets = (facet: string) => restriction.children.filter((f) => f.name === facet).map((f) => f.attributes.value ?? '');
      const known = new Set(['pattern', 'enumeration', 'minLength', 'maxLength']);
      for (const f of restriction.children) if (!known.has(f.name)) throw new Error(`xsd-subset: facet ${f.name} is not supported`);
      simple.set(name, {
        base: restriction.attributes.base ?? '',
        patterns: facets('pattern').map((p) => new RegExp(`^(?:${p})$`, 'u')),
        enumeration: facets('enumeration'),
        minLength: facets('minLength').map(Number)[0],
        maxLength: facets('maxLength').map(Number)[0],
      });
    } else if (child.name === 'complexType') {
      const sequence = child.children[0];
      if (!sequence || sequence.name !== 'sequence' || child.children.length !== 1) throw new Error(`xsd-subset: complexType ${name} is not one sequence`);
      complex.set(
        name,
        sequence.children.map((e) => {
          if (e.name !== 'element' || !e.attributes.type) throw new Error(`xsd-subset: ${name} holds something other than typed elements`);
          const max = e.attributes.maxOccurs ?? '1';
          return { name: e.attributes.name ?? '', type: e.attributes.type, min: Number(e.attributes.minOccurs ?? '1'), max: max === 'unbounded' ? Infinity : Number(max) };
        }),
      );
    } else if (child.name === 'element') roots.set(name, child.attributes.type ?? '');
    else throw new Error(`xsd-subset: top-level ${child.name} is not supported`);
  }

  const problems: string[] = [];
  const checkSimple = (element: XmlElement, type: string, path: string): void => {
    if (element.children.length > 0) return void problems.push(`${path}: must hold text, not elements`);
    const text = element.text;
    if (type === 'xs:date') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) problems.push(`${path}: not an xs:date`);
      return;
    }
    const t = simple.get(local(type));
    if (!t) throw new Error(`xsd-subset: type ${type} is not supported`);
    if (t.base === 'xs:nonNegativeInteger' && !/^\d+$/.test(text)) problems.push(`${path}: not an xs:nonNegativeInteger`);
    else if (t.base !== 'xs:string' && t.base !== 'xs:nonNegativeInteger') throw new Error(`xsd-subset: base ${t.base} is not supported`);
    if (t.patterns.length > 0 && !t.patterns.some((p) => p.test(text))) problems.push(`${path}: does not match the pattern of ${type}`);
    if (t.enumeration.length > 0 && !t.enumeration.includes(text)) problems.push(`${path}: not one of the values of ${type}`);
    if (t.minLength !== undefined && [...text].length < t.minLength) problems.push(`${path}: shorter than ${t.minLength}`);
    if (t.maxLength !== undefined && [...text].length > t.maxLength) problems.push(`${path}: longer than ${t.maxLength}`);
  };
  const check = (element: XmlElement, type: string, path: string): void => {
    if (element.namespace !== target) problems.push(`${path}: not in the namespace ${target}`);
    const particles = complex.get(local(type));
    if (!particles) return checkSimple(element, type, path);
    if (element.text !== '') problems.push(`${path}: must hold elements, not text`);
    let i = 0;
    for (const particle of particles) {
      let count = 0;
      while (element.children[i]?.name === particle.name) {
        check(element.children[i]!, particle.type, `${path}/${particle.name}[${count + 1}]`);
        i++;
        count++;
      }
      if (count < particle.min) problems.push(`${path}: lacks ${particle.name}`);
      if (count > particle.max) problems.push(`${path}: has ${particle.name} ${count} times, at most ${particle.max}`);
    }
    for (const extra of element.children.slice(i)) problems.push(`${path}: ${extra.name} is not expected there`);
  };

  const root = parseXml(xml);
  const rootType = roots.get(root.name);
  if (!rootType) return [`${root.name} is not a document of the schema`];
  check(root, rootType, `/${root.name}`);
  return problems;
}
