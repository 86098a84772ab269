/**
 * Deepest nesting of objects and arrays a request payload may have. class-transformer walks a payload
 * recursively and overflows the stack a few thousand levels down (a 16 KiB body can nest 8,000 levels), so
 * payloads are measured against this bound before any transformation; no contract comes near it.
 */
export const MAX_PAYLOAD_DEPTH = 32;

/**
 * True when objects and arrays in `value` nest more than `maxDepth` levels deep (a scalar is depth 0, `{}` and
 * `[]` depth 1). Iterative, so the check itself cannot overflow the stack; it stops at the first path too deep.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number = MAX_PAYLOAD_DEPTH): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, depth] = next;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}
