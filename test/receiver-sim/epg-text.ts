/**
 * Programme text pools for the EPG generator: German titles and descriptions with umlauts, `&`, quotes,
 * DVB line breaks (U+008A) and emphasis control codes (U+0086/U+0087) as Enigma2 keeps them.
 */
import type { Rng } from './random.js';

/** DVB content nibbles (EN 300 468 §6.2.9) with the long genre names OpenWebIF prints. */
export const GENRES = {
  movie: [0x10, 'Movie/Drama'],
  thriller: [0x11, 'Detective/Thriller'],
  comedy: [0x14, 'Comedy'],
  soap: [0x15, 'Soap/Melodrama/Folkloric'],
  news: [0x20, 'News/Current Affairs'],
  weather: [0x21, 'News/Weather Report'],
  documentary: [0x23, 'Documentary'],
  show: [0x30, 'Show/Game Show'],
  quiz: [0x31, 'Game Show/Quiz/Contest'],
  sports: [0x40, 'Sports'],
  football: [0x43, 'Football/Soccer'],
  kids: [0x50, "Children's/Youth Programmes"],
  music: [0x60, 'Music/Ballet/Dance'],
  science: [0x90, 'Education/Science/Factual Topics'],
  cooking: [0xa5, 'Cooking'],
  none: [0, ''],
} as const satisfies Record<string, readonly [number, string]>;

export type GenreKey = keyof typeof GENRES;

export interface Programme {
  title: string;
  genre: GenreKey;
  /** Typical lengths in minutes (multiples of 5). */
  minutes: readonly number[];
}

const P = (title: string, genre: GenreKey, ...minutes: number[]): Programme => ({ title, genre, minutes });

export const PROGRAMMES: Record<
  'general' | 'news' | 'sports' | 'kids' | 'movies' | 'shopping',
  readonly Programme[]
> = {
  general: [
    P('Tagesschau', 'news', 15),
    P('heute journal', 'news', 30),
    P('Tatort', 'thriller', 90),
    P('Die Rosenheim-Cops', 'thriller', 45, 50),
    P('Sturm der Liebe', 'soap', 50),
    P('Wer weiß denn sowas?', 'quiz', 45, 50),
    P('Kochen & Genießen', 'cooking', 30),
    P('Terra X: Großbritanniens Küsten', 'documentary', 45),
    P('"Expeditionen" ins Tierreich', 'documentary', 45, 60),
    P('Wetter', 'weather', 5, 10),
    P('Der Bergdoktor', 'soap', 90),
    P('Quarks & Co', 'science', 45),
    P('Musikantenstadl', 'music', 120, 105),
    P('Bauer sucht Frau', 'show', 60, 75),
    P('Zeit im Bild', 'news', 15, 20),
    P('Universum: Österreichs Wälder', 'documentary', 45, 50),
    P('Straßen der Welt', 'documentary', 30),
    P('Spätnachrichten', 'news', 5, 10),
  ],
  news: [
    P('Nachrichten', 'news', 15, 30),
    P('Wetter', 'weather', 5, 10),
    P('Börse am Abend', 'news', 10, 15),
    P('Reportage: Grenzgänger', 'documentary', 30, 45),
    P('Presseclub', 'news', 60),
    P('Dokumentation: Die Alpen & das Klima', 'documentary', 45, 60),
  ],
  sports: [
    P('Fußball: Bundesliga', 'football', 120, 105),
    P('Sportschau', 'sports', 60, 75),
    P('Ski alpin: Weltcup', 'sports', 90, 120),
    P('Formel 1: Großer Preis von Österreich', 'sports', 120),
    P('Tennis: ATP-Turnier Kitzbühel', 'sports', 120, 90),
    P('Sport & Talk', 'sports', 30, 45),
  ],
  kids: [
    P('Die Sendung mit der Maus', 'kids', 30),
    P('Löwenzahn', 'kids', 25, 30),
    P('Sesamstraße', 'kids', 25, 30),
    P('Logo!', 'news', 10),
    P('Schloss Einstein', 'kids', 25),
    P('Biene Maja', 'kids', 20, 25),
  ],
  movies: [
    P('Der Schuh des Manitu', 'comedy', 90, 105),
    P('Das Boot', 'movie', 120),
    P('Lola rennt', 'movie', 85, 90),
    P('Good Bye, Lenin!', 'comedy', 120),
    P('Die fetten Jahre sind vorbei', 'movie', 120, 105),
    P('Kinotipp: "Neu im Kino"', 'movie', 15, 10),
  ],
  shopping: [
    P('Schmuck & Uhren', 'none', 60, 120),
    P('Küche & Haushalt', 'none', 60),
    P('Mode für Sie', 'none', 60, 90),
  ],
};

export function scheduleFamily(channelName: string): keyof typeof PROGRAMMES {
  if (/sport|eurosport/i.test(channelName)) return 'sports';
  if (/tagesschau|n-tv|welt\b|phoenix|nachrichten|info/i.test(channelName)) return 'news';
  if (/kika|nick|disney|kids|kinder/i.test(channelName)) return 'kids';
  if (/cinema|atlantic|film|anixe|tele 5/i.test(channelName)) return 'movies';
  if (/qvc|hse|shop/i.test(channelName)) return 'shopping';
  return 'general';
}

const SHORT = [
  'Krimi, D 2024',
  'Dokumentation, A 2023',
  'Folge {n}',
  'Magazin',
  'Live',
  'Spielfilm, D 2003',
  'Staffel {s}, Folge {n}: "Schöne Grüße"',
  '',
];

const SENTENCES = [
  'Kommissarin Brandt ermittelt in einem rätselhaften Fall am Bodensee.',
  'Die Spur führt nach Österreich & in die Schweiz.',
  'Ein spannender Blick hinter die Kulissen der großen Bühne.',
  'Gäste im Studio: Dr. Müller & Prof. Schäfer.',
  'Sie müssen sich entscheiden: Heimat oder Großstadt?',
  'Moderation: Jörg Pilawa.',
  'Untertitel für Hörgeschädigte über Teletext 150.',
  'Die Kamera begleitet Förster, Jäger und Bergbauern durch ein ganzes Jahr.',
  'Außerdem: Wetter, Verkehr und Veranstaltungstipps für das Wochenende.',
  'Regie: Fatih Akin. Mit Birgit Minichmayr, Moritz Bleibtreu.',
  'Zwischen Tradition und Moderne: Wie geht es weiter mit dem kleinen Gasthof "Zur Post"?',
];

export const LINE_BREAK = '\u008a';
export const EMPHASIS_ON = '\u0086';
export const EMPHASIS_OFF = '\u0087';

function fill(template: string, rng: Rng): string {
  return template.replace('{n}', String(rng.int(1, 180))).replace('{s}', String(rng.int(1, 12)));
}

export function shortDescription(rng: Rng): string {
  const text = fill(rng.pick(SHORT), rng);
  // An occasional emphasised short description, as DVB providers send it.
  return text && rng.chance(0.08) ? `${EMPHASIS_ON}${text}${EMPHASIS_OFF}` : text;
}

export function longDescription(rng: Rng): string {
  const count = rng.int(0, 4);
  const parts: string[] = [];
  while (parts.length < count) {
    const sentence = rng.pick(SENTENCES);
    if (!parts.includes(sentence)) parts.push(sentence);
  }
  return parts
    .map((sentence, i) => (i > 0 && rng.chance(0.4) ? LINE_BREAK : i > 0 ? ' ' : '') + sentence)
    .join('');
}
