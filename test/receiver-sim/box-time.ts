/** Local-time strings the box prints (`begin`/`end` "HH:MM", `date` "Fr 21.11.2025") in its own time zone. */

const WEEKDAYS: Record<string, string> = {
  Mo: 'Mo',
  Di: 'Di',
  Mi: 'Mi',
  Do: 'Do',
  Fr: 'Fr',
  Sa: 'Sa',
  So: 'So',
};
const CACHE_LIMIT = 20_000;

export class BoxClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, { date: string; time: string; stamp: string }>();

  constructor(readonly timeZone = 'Europe/Berlin') {
    this.format = new Intl.DateTimeFormat('de-DE', {
      timeZone,
      weekday: 'short',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  }

  private parts(epochSec: number): { date: string; time: string; stamp: string } {
    const minute = Math.floor(epochSec / 60);
    const cached = this.cache.get(minute);
    if (cached) return cached;
    const parts: Record<string, string> = {};
    for (const part of this.format.formatToParts(new Date(minute * 60_000))) parts[part.type] = part.value;
    const weekday = (parts['weekday'] ?? '').replace('.', '');
    const value = {
      date: `${WEEKDAYS[weekday] ?? weekday} ${parts['day']}.${parts['month']}.${parts['year']}`,
      time: `${parts['hour']}:${parts['minute']}`,
      stamp: `${parts['year']}${parts['month']}${parts['day']} ${parts['hour']}${parts['minute']}`,
    };
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(minute, value);
    return value;
  }

  /** "Fr 21.11.2025" */
  date(epochSec: number): string {
    return this.parts(epochSec).date;
  }

  /** "20251121 2015", as recording file names start. */
  stamp(epochSec: number): string {
    return this.parts(epochSec).stamp;
  }

  /** "20:15" */
  time(epochSec: number): string {
    return this.parts(epochSec).time;
  }
}
