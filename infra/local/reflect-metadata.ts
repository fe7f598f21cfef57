/**
 * The Reflect metadata API that `@peculiar/x509` needs (through its dependency injection library,
 * tsyringe, which refuses to load without it). The usual polyfill, the `reflect-metadata` package,
 * is not among the hub's dependencies; tsyringe calls only these few functions, so a WeakMap serves
 * until it is. Import this module before `@peculiar/x509`.
 */
type Target = object;
const store = new WeakMap<Target, Map<string | symbol, Map<unknown, unknown>>>();

const own = (target: Target, property: string | symbol | undefined, create: boolean): Map<unknown, unknown> | undefined => {
  let byProperty = store.get(target);
  if (!byProperty && create) store.set(target, (byProperty = new Map()));
  const key = property ?? '';
  let values = byProperty?.get(key);
  if (!values && create && byProperty) byProperty.set(key, (values = new Map()));
  return values;
};

const getOwnMetadata = (key: unknown, target: Target, property?: string | symbol): unknown => own(target, property, false)?.get(key);

const getMetadata = (key: unknown, target: Target, property?: string | symbol): unknown => {
  for (let at: Target | null = target; at; at = Object.getPrototypeOf(at) as Target | null) {
    const values = own(at, property, false);
    if (values?.has(key)) return values.get(key);
  }
  return undefined;
};

const defineMetadata = (key: unknown, value: unknown, target: Target, property?: string | symbol): void => {
  own(target, property, true)!.set(key, value);
};

const api = {
  getOwnMetadata,
  getMetadata,
  defineMetadata,
  hasOwnMetadata: (key: unknown, target: Target, property?: string | symbol) => own(target, property, false)?.has(key) ?? false,
  metadata: (key: unknown, value: unknown) => (target: Target, property?: string | symbol) => defineMetadata(key, value, target, property),
};

const reflect = Reflect as unknown as Record<string, unknown>;
for (const [name, fn] of Object.entries(api)) if (typeof reflect[name] !== 'function') reflect[name] = fn;
