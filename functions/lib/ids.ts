/** Deterministic message ids: the same input message always causes the same output ids, so a
 * duplicate delivery produces duplicates that the next hop recognises instead of new messages. */
import { createHash } from 'node:crypto';

/** A name-based UUID (RFC 9562 version 5 layout) from the given parts. */
export const deterministicUuid = (...parts: readonly string[]): string => {
  // Each part is length-prefixed, so no two different lists of parts hash the same input.
  const bytes = createHash('sha1').update(parts.map((part) => `${part.length}:${part}`).join('')).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
