/**
 * DVB content descriptor level 1 (EN 300 468 §6.2.9, `genreId` = level1 × 16 + level2) → one English category
 * that Jellyfin's exact-match lists understand (movie, news, sports, children…).
 */
const LEVEL1_CATEGORY: Readonly<Record<number, string>> = {
  0x1: 'Movie',
  0x2: 'News',
  0x3: 'Show',
  0x4: 'Sports',
  0x5: 'Children',
  0x6: 'Music',
  0x7: 'Arts',
  0x8: 'Social',
  0x9: 'Education',
  0xa: 'Leisure',
};

export function canonicalCategory(genreId: number | undefined): string | null {
  if (genreId === undefined || !Number.isInteger(genreId)) return null;
  return LEVEL1_CATEGORY[(genreId >> 4) & 0xf] ?? null;
}
