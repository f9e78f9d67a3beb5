// C's strftime() in the C locale, as glibc implements it, for time(fmt): bpftrace formats the
// local time of the moment the event is handled with the C library. Conversions glibc does not
// know (like %f) are printed as written, as glibc does.

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Broken-down time, like C's struct tm (month 0-11, weekday 0 = Sunday). */
export interface Tm {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
  /** Seconds east of UTC. */
  offset: number;
  zone: string;
  /** Seconds since the epoch. */
  epoch: number;
}

/** The local broken-down time of `d`, as localtime_r() gives it. */
export function localTm(d: Date): Tm {
  return {
    year: d.getFullYear(),
    month: d.getMonth(),
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
    weekday: d.getDay(),
    offset: -d.getTimezoneOffset() * 60,
    zone: zoneName(d),
    epoch: Math.floor(d.getTime() / 1000),
  };
}

function zoneName(d: Date): string {
  if (d.getTimezoneOffset() === 0 && !process.env.TZ?.includes('/')) return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}

const pad = (n: number, w: number, c = '0') => String(n).padStart(w, c);

function yearDay(t: Tm): number {
  return Math.round((Date.UTC(t.year, t.month, t.day) - Date.UTC(t.year, 0, 1)) / 86400000);
}

/** ISO 8601 week-based year and week number (%G, %V). */
function isoWeek(t: Tm): { year: number; week: number } {
  const wday = (t.weekday + 6) % 7; // Monday = 0
  // The Thursday of this week decides which year the week belongs to.
  const thursday = new Date(Date.UTC(t.year, t.month, t.day - wday + 3));
  const y = thursday.getUTCFullYear();
  const week = Math.floor((Math.round((thursday.getTime() - Date.UTC(y, 0, 1)) / 86400000)) / 7) + 1;
  return { year: y, week };
}

export function strftime(fmt: string, t: Tm): string {
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i];
    if (ch !== '%' || i + 1 >= fmt.length) {
      out += ch;
      continue;
    }
    const conv = fmt[++i];
    const r = convert(conv, t);
    out += r ?? `%${conv}`;
  }
  return out;
}

function convert(c: string, t: Tm): string | null {
  const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  switch (c) {
    case '%': return '%';
    case 'n': return '\n';
    case 't': return '\t';
    case 'a': return DAYS[t.weekday].slice(0, 3);
    case 'A': return DAYS[t.weekday];
    case 'b':
    case 'h': return MONTHS[t.month].slice(0, 3);
    case 'B': return MONTHS[t.month];
    case 'C': return pad(Math.floor(t.year / 100), 2);
    case 'y': return pad(t.year % 100, 2);
    case 'Y': return String(t.year);
    case 'm': return pad(t.month + 1, 2);
    case 'd': return pad(t.day, 2);
    case 'e': return pad(t.day, 2, ' ');
    case 'j': return pad(yearDay(t) + 1, 3);
    case 'H': return pad(t.hour, 2);
    case 'k': return pad(t.hour, 2, ' ');
    case 'I': return pad(h12, 2);
    case 'l': return pad(h12, 2, ' ');
    case 'M': return pad(t.minute, 2);
    case 'S': return pad(t.second, 2);
    case 'p': return t.hour < 12 ? 'AM' : 'PM';
    case 'P': return t.hour < 12 ? 'am' : 'pm';
    case 's': return String(t.epoch);
    case 'u': return String(t.weekday === 0 ? 7 : t.weekday);
    case 'w': return String(t.weekday);
    case 'U': return pad(Math.floor((yearDay(t) + 7 - t.weekday) / 7), 2);
    case 'W': return pad(Math.floor((yearDay(t) + 7 - ((t.weekday + 6) % 7)) / 7), 2);
    case 'V': return pad(isoWeek(t).week, 2);
    case 'G': return String(isoWeek(t).year);
    case 'g': return pad(isoWeek(t).year % 100, 2);
    case 'z': {
      const o = Math.abs(t.offset) / 60;
      return `${t.offset < 0 ? '-' : '+'}${pad(Math.floor(o / 60), 2)}${pad(o % 60, 2)}`;
    }
    case 'Z': return t.zone;
    case 'D':
    case 'x': return `${convert('m', t)}/${convert('d', t)}/${convert('y', t)}`;
    case 'F': return `${t.year < 0 ? '-' : ''}${pad(Math.abs(t.year), 4)}-${convert('m', t)}-${convert('d', t)}`;
    case 'T':
    case 'X': return `${convert('H', t)}:${convert('M', t)}:${convert('S', t)}`;
    case 'R': return `${convert('H', t)}:${convert('M', t)}`;
    case 'r': return `${convert('I', t)}:${convert('M', t)}:${convert('S', t)} ${convert('p', t)}`;
    case 'c': return `${convert('a', t)} ${convert('b', t)} ${convert('e', t)} ${convert('T', t)} ${t.year}`;
    default: return null;
  }
}
