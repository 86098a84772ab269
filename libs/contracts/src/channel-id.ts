/**
 * The hash part of a channel id (`das-erste-hd-3f9a2c01` → `3f9a2c01`), or null when the id does not have the
 * shape. Channel ids are a slug of the name plus 8 hex digits of a hash of the receiver reference (the catalog
 * appends groups of 4 more when two references share those 8); the hash part is what survives a rename.
 */
export function hashOfChannelId(id: string): string | null {
  const match = /-([0-9a-f]{8})(?:[0-9a-f]{4})*$/.exec(id);
  return match ? (match[1] as string) : null;
}
