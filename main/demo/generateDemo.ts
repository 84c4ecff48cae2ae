/**
 * A deterministic generator of realistic `custos.audit/v1` events for the demo store and the
 * benchmark: one quarter (2026-Q3) of activity on three audited platforms, with planted incidents
 * that an investigator should find. See docs/demo.md for the story and the incidents.
 *
 * Everything comes from seeded PRNGs: the roster and the planted incidents from fixed seeds (so
 * that their identifiers can be documented), the background activity from the caller's seed.
 * Events are produced hour by hour, so memory stays flat whatever the size.
 */
import type { CustosAuditEvent } from '../../shared/entry/model';
import type { JsonValue } from '../../shared/entry/json';

/** Options of {@link generateDemoEvents}. */
export interface DemoOptions {
  /** Exact number of events to produce (at least {@link DEMO_MIN_SIZE}). */
  size: number;
  /** Seed of the background activity; the same seed gives the same events. */
  seed: number;
}

/** The log origin of the demo store. */
export const DEMO_ORIGIN = 'demo.custos.example/audit';
/** Size of the demo store when none is given. */
export const DEMO_DEFAULT_SIZE = 200_000;
/** Seed of the demo store when none is given. */
export const DEMO_DEFAULT_SEED = 1;
/** Smallest size accepted: room for the planted incidents and a little background. */
export const DEMO_MIN_SIZE = 100;

/** The period the demo covers: 2026-Q3, [start, end) in ms since the epoch. */
export const DEMO_PERIOD = {
  start: Date.UTC(2026, 6, 1),
  end: Date.UTC(2026, 9, 1),
} as const;

type Ev = CustosAuditEvent;
type Actor = Ev['actor'];
type Subject = NonNullable<Ev['subject']>;
type Attrs = Record<string, JsonValue>;
type Category = Ev['category'];
type Severity = Ev['severity'];
type Outcome = Ev['outcome'];
type Platform = 'school' | 'coaching' | 'comms';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DAYS = 92;
const HOURS = DAYS * 24;

const SOURCE: Record<Platform, string> = {
  school: 'school.lessonline',
  coaching: 'coaching.stride',
  comms: 'comms.relay',
};
const ID_PREFIX: Record<Platform, string> = { school: 'll-', coaching: 'st-', comms: 'rl-' };
const MAIL_DOMAIN: Record<Platform, string> = {
  school: 'lessonline.example',
  coaching: 'stride.example',
  comms: 'relay.example',
};
const NET: Record<Platform, string> = {
  school: '192.0.2',
  coaching: '198.51.100',
  comms: '203.0.113',
};
const OFFICE_CITY: Record<Platform, string> = {
  school: 'Johannesburg',
  coaching: 'Cape Town',
  comms: 'Durban',
};
const SERVER_IP: Record<Platform, string> = {
  school: '192.0.2.30',
  coaching: '198.51.100.30',
  comms: '203.0.113.30',
};

// ---------------------------------------------------------------------------------------------
// PRNG and hashing

function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

function hash3(a: number, b: number, c: number): number {
  return mix32(mix32(mix32(a) ^ b) + c);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** xoshiro128** seeded through splitmix32. */
class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split() | 1;
  }

  next(): number {
    const b = this.b;
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    this.c ^= this.a;
    this.d ^= b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  float(): number {
    return this.next() / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (n: number) =>
  HEX2[n >>> 24] + HEX2[(n >>> 16) & 255] + HEX2[(n >>> 8) & 255] + HEX2[n & 255];
const hex4 = (n: number) => HEX2[(n >>> 8) & 255] + HEX2[n & 255];

function uuid(r: Rng): string {
  const b = r.next();
  const c = r.next();
  return (
    `${hex8(r.next())}-${hex4(b >>> 16)}-4${hex4(b).slice(1)}-` +
    `${hex4(((c >>> 16) & 0x3fff) | 0x8000)}-${hex4(c)}${hex8(r.next())}`
  );
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const money = (x: number) => Math.round(x * 100) / 100;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Seeds from any safe integer, negative or above 2^32 included. */
function seedWord(seed: number): number {
  return mix32((seed >>> 0) ^ mix32(Math.floor(seed / 4294967296) >>> 0));
}

// ---------------------------------------------------------------------------------------------
// People

// prettier-ignore
const FIRST = [
  'Thandiwe', 'Sipho', 'Lerato', 'Pieter', 'Anika', 'Johan', 'Zanele', 'Ayesha', 'Mohammed',
  'Priya', 'Liam', 'Emma', 'Bongani', 'Nomsa', 'Themba', 'Karabo', 'Refilwe', 'Lindiwe', 'Mpho',
  'Tshepo', 'Naledi', 'Kagiso', 'Ruan', 'Marike', 'Francois', 'Elna', 'Werner', 'Charlene',
  'Nadia', 'Yusuf', 'Fatima', 'Imran', 'Kavitha', 'Rajesh', 'Olivia', 'Noah', 'Sophie', 'James',
  'Chloe', 'Daniel', 'Grace', 'Ethan', 'Hannah', 'Lucas', 'Mila', 'Sanne', 'Daan', 'Lotte',
  'Jasper', 'Femke', 'Lukas', 'Lena', 'Jonas', 'Aoife', 'Ciaran', 'Siobhan', 'Tariq', 'Zainab',
  'Busisiwe', 'Lwazi', 'Ayanda', 'Palesa', 'Dineo', 'Sello', 'Katlego', 'Annelie', 'Hendrik',
  'Carmen', 'Leon', 'Megan',
];
// prettier-ignore
const LAST = [
  'Nkosi', 'Dlamini', 'Mokoena', 'Naidoo', 'van der Merwe', 'Botha', 'Pillay', 'Khumalo', 'Ndlovu',
  'Mahlangu', 'Pretorius', 'Venter', 'Coetzee', 'Smith', 'Jacobs', 'Adams', 'Williams', 'Petersen',
  'Sithole', 'Mthembu', 'Zulu', 'Molefe', 'Nel', 'du Plessis', 'Fourie', 'Kruger', 'Steyn',
  'Swanepoel', 'Govender', 'Moodley', 'Chetty', 'Patel', 'Hendricks', 'Abrahams', 'Daniels',
  'Meyer', 'Visser', 'de Jong', 'Jansen', 'Bakker', 'Mulder', 'de Vries', 'Müller', 'Schmidt',
  'Fischer', 'Walsh', 'Murphy', "O'Brien", 'Byrne', 'Taylor', 'Brown', 'Wilson', 'Evans', 'Thomas',
  'Roberts', 'Mabena', 'Radebe', 'Shabalala', 'Baloyi', 'Maluleke', 'Mashaba', 'Tau', 'Lekota',
  'Modise', 'Ismail', 'Cassim', 'Essop', 'Joubert', 'Marais', 'Olivier',
];
const CITIES: Record<string, readonly string[]> = {
  ZA: ['Johannesburg', 'Pretoria', 'Cape Town', 'Durban', 'Gqeberha', 'Bloemfontein', 'Polokwane'],
  GB: ['London', 'Manchester', 'Bristol', 'Leeds'],
  NL: ['Amsterdam', 'Utrecht', 'Rotterdam'],
  DE: ['Berlin', 'Hamburg', 'Munich'],
  IE: ['Dublin', 'Cork'],
};
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Chrome/138.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
    'Version/18.5 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Chrome/138.0.0.0 Safari/537.36 Edg/138.0.0.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Chrome/137.0.0.0 Safari/537.36',
];
const MOBILE_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 ' +
    '(KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 15; SM-A556B) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Chrome/138.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; moto g84 5G) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Chrome/137.0.0.0 Mobile Safari/537.36',
  ...USER_AGENTS.slice(0, 2),
];
const SCHOOLS = [
  'Acacia Ridge High School',
  'Baobab Park High School',
  'Marula Heights College',
  'Protea Valley High School',
  'Yellowwood High School',
  'Fynbos Academy',
];
const SUBJECTS: readonly (readonly [string, string, readonly string[]])[] = [
  [
    'MATH',
    'Mathematics',
    ['Functions and graphs', 'Euclidean geometry', 'Probability', 'Trigonometry'],
  ],
  ['ENGL', 'English Home Language', ['Poetry analysis', 'Creative writing', 'Persuasive essays']],
  ['AFRK', 'Afrikaans FAL', ['Begripstoets', 'Opstel skryf', 'Gedigte']],
  ['ISIZ', 'isiZulu FAL', ['Ukufunda nokubukela', 'Izinkondlo', 'Ukubhala']],
  ['PHSC', 'Physical Sciences', ['Newton laws', 'Chemical equilibrium', 'Electric circuits']],
  ['LIFE', 'Life Sciences', ['Human reproduction', 'Genetics', 'Evolution']],
  ['GEOG', 'Geography', ['Climatology', 'Mapwork', 'Settlement geography']],
  ['HIST', 'History', ['The Cold War', 'Civil resistance 1970s-80s', 'Independent Africa']],
  ['ACCN', 'Accounting', ['Financial statements', 'Cost accounting', 'Reconciliations']],
  ['CATN', 'Computer Applications', ['Spreadsheets', 'Databases', 'HTML basics']],
];

type Role =
  | 'teacher'
  | 'admin'
  | 'billing_clerk'
  | 'it_admin'
  | 'dpo'
  | 'coach'
  | 'support_agent'
  | 'account_manager';

interface Person {
  num: number;
  id: string;
  name: string;
  email: string;
  role: Role;
  platform: Platform;
  country: string;
  city: string;
  homeIp: string;
  /** Office egress address; null for people who only work remotely. */
  officeIp: string | null;
  userAgent: string;
  /** School (index into SCHOOLS) and subject (index into SUBJECTS) for school staff. */
  school: number;
  subject: number;
}

const ROSTER_PLAN: readonly (readonly [Platform, Role, number])[] = [
  ['school', 'teacher', 80],
  ['school', 'admin', 10],
  ['school', 'billing_clerk', 4],
  ['school', 'it_admin', 3],
  ['school', 'dpo', 1],
  ['coaching', 'coach', 40],
  ['coaching', 'support_agent', 8],
  ['coaching', 'billing_clerk', 3],
  ['coaching', 'admin', 3],
  ['coaching', 'it_admin', 2],
  ['coaching', 'dpo', 1],
  ['comms', 'support_agent', 45],
  ['comms', 'account_manager', 5],
  ['comms', 'billing_clerk', 6],
  ['comms', 'admin', 4],
  ['comms', 'it_admin', 3],
  ['comms', 'dpo', 2],
];

/** People of the planted incidents: fixed names so that docs/demo.md can name them. */
const PEOPLE_OVERRIDES: Record<string, { name: string; city?: string; school?: number }> = {
  'u-1042': { name: 'Nomvula Khumalo', city: 'Johannesburg', school: 5 },
  'u-1085': { name: 'Gerrit Venter', city: 'Pretoria', school: 1 },
  'u-1163': { name: 'Sipho Ndlovu', city: 'Durban' },
  'u-1170': { name: 'Aisha Patel', city: 'Durban' },
  'u-1187': { name: 'Ruan Pretorius', city: 'Durban' },
  'u-1217': { name: 'Dirk Swanepoel', city: 'Durban' },
};

function buildRoster(): Person[] {
  const r = new Rng(0x0c057051);
  const reserved = new Set([
    ...Object.values(PEOPLE_OVERRIDES).map((o) => o.name),
    ...RESERVED_NAMES,
  ]);
  const people: Person[] = [];
  const perPlatform: Record<Platform, number> = { school: 0, coaching: 0, comms: 0 };
  let num = 1001;
  for (const [platform, role, count] of ROSTER_PLAN) {
    for (let i = 0; i < count; i++, num++) {
      const k = perPlatform[platform]++;
      const id = `u-${num}`;
      const override = PEOPLE_OVERRIDES[id];
      let name = override?.name ?? '';
      while (!name) {
        const candidate = `${r.pick(FIRST)} ${r.pick(LAST)}`;
        if (!reserved.has(candidate)) name = candidate;
      }
      reserved.add(name);
      let country = 'ZA';
      if (platform === 'coaching' && role === 'coach')
        country = r.pick(['ZA', 'ZA', 'ZA', 'GB', 'NL']);
      else if (platform === 'comms' && r.chance(0.08)) country = 'GB';
      const remote = country !== 'ZA';
      const city = override?.city ?? (remote ? r.pick(CITIES[country]) : r.pick(CITIES.ZA));
      const [first, ...rest] = name
        .toLowerCase()
        .replace(/[^a-z ]/g, '')
        .split(' ');
      people.push({
        num,
        id,
        name,
        email: `${first}.${rest.join('')}@${MAIL_DOMAIN[platform]}`,
        role,
        platform,
        country,
        city,
        homeIp: `${NET[platform]}.${64 + k}`,
        officeIp: remote ? null : `${NET[platform]}.${10 + (k % 4)}`,
        userAgent: USER_AGENTS[r.int(USER_AGENTS.length)],
        school: override?.school ?? k % SCHOOLS.length,
        subject: r.int(SUBJECTS.length),
      });
    }
  }
  return people;
}

// Data subjects are not stored: their details derive from their number by hashing.
const STUDENT_BASE = 30000;
const STUDENTS = 1800;
const PARENT_OFFSET = 10000;
const CLIENT_BASE = 50000;
const CLIENTS = 5000;
const CUSTOMER_BASE = 200000;
const CUSTOMERS = 60000;

interface PublicPerson {
  id: string;
  name: string;
  country: string;
  city: string;
  ip: string;
  userAgent: string;
}

const NAME_OVERRIDES: Record<string, string> = {
  's-30457': 'Lindiwe Mahlangu',
  'p-40457': 'Busisiwe Mahlangu',
  'cust-204518': 'Amelia Hartley',
  'cust-231177': 'Johannes de Vries',
};
const RESERVED_NAMES = new Set(Object.values(NAME_OVERRIDES));

function derivedName(h: number, lastIndex: number): string {
  let name = `${FIRST[h % FIRST.length]} ${LAST[lastIndex % LAST.length]}`;
  if (RESERVED_NAMES.has(name))
    name = `${FIRST[(h >>> 20) % FIRST.length]} ${LAST[lastIndex % LAST.length]}`;
  return name;
}

function ipv6For(h: number, salt: number): string {
  const h2 = mix32(h ^ salt);
  return `2001:db8:${(h >>> 16).toString(16)}:${(h & 0xffff).toString(16)}::${(h2 & 0xfff).toString(16)}`;
}

type Student = PublicPerson & { grade: number; cls: string; school: number };

function makeStudent(num: number): Student {
  const h = mix32(num * 7 + 1);
  const id = `s-${num}`;
  return {
    id,
    name: NAME_OVERRIDES[id] ?? derivedName(h, mix32(num)),
    country: 'ZA',
    city: OFFICE_CITY.school,
    ip: ipv6For(h, 11),
    userAgent: MOBILE_AGENTS[h % MOBILE_AGENTS.length],
    grade: 8 + ((h >>> 8) % 5),
    cls: 'ABCD'[(h >>> 12) % 4],
    school: (num - STUDENT_BASE) % SCHOOLS.length,
  };
}

function makeParent(studentNum: number): PublicPerson {
  const num = studentNum + PARENT_OFFSET;
  const h = mix32(num * 13 + 5);
  const id = `p-${num}`;
  const city = CITIES.ZA[h % 4];
  return {
    id,
    name: NAME_OVERRIDES[id] ?? derivedName(h, mix32(studentNum)),
    country: 'ZA',
    city,
    ip: ipv6For(h, 29),
    userAgent: (h & 1 ? MOBILE_AGENTS : USER_AGENTS)[(h >>> 4) % 5],
  };
}

function countryFor(h: number, weights: readonly (readonly [string, number])[]): string {
  let x = (h % 100) + 0.5;
  for (const [c, w] of weights) {
    if ((x -= w) < 0) return c;
  }
  return weights[0][0];
}

function makeClient(num: number): PublicPerson {
  const h = mix32(num * 17 + 3);
  const country = countryFor(h, [
    ['ZA', 50],
    ['GB', 25],
    ['NL', 15],
    ['DE', 10],
  ]);
  const cities = CITIES[country];
  return {
    id: `c-${num}`,
    name: derivedName(h >>> 3, mix32(num ^ 0x51)),
    country,
    city: cities[(h >>> 10) % cities.length],
    ip: ipv6For(h, 37),
    userAgent: MOBILE_AGENTS[(h >>> 6) % MOBILE_AGENTS.length],
  };
}

const CUSTOMER_COUNTRY_OVERRIDES: Record<string, readonly [string, string]> = {
  'cust-204518': ['GB', 'London'],
  'cust-231177': ['NL', 'Utrecht'],
};

function makeCustomer(num: number): PublicPerson & { email: string } {
  const h = mix32(num * 31 + 7);
  const id = `cust-${num}`;
  const override = CUSTOMER_COUNTRY_OVERRIDES[id];
  const country =
    override?.[0] ??
    countryFor(h, [
      ['ZA', 70],
      ['GB', 10],
      ['NL', 7],
      ['DE', 7],
      ['IE', 6],
    ]);
  const cities = CITIES[country];
  const name = NAME_OVERRIDES[id] ?? derivedName(h >>> 2, mix32(num ^ 0x77));
  return {
    id,
    name,
    country,
    city: override?.[1] ?? cities[(h >>> 10) % cities.length],
    ip: ipv6For(h, 41),
    userAgent: (h & 2 ? MOBILE_AGENTS : USER_AGENTS)[(h >>> 5) % 5],
    email: `${name.toLowerCase().replace(/[^a-z]/g, '.')}${num % 97}@mail.example`,
  };
}

/** Memoises a derivation over a bounded range of numbers, so that memory stays bounded. */
function memo<T>(make: (n: number) => T, base: number, count: number): (n: number) => T {
  const cache: (T | undefined)[] = new Array(count);
  return (n) => (cache[n - base] ??= make(n));
}

const student = memo(makeStudent, STUDENT_BASE, STUDENTS);
const parentOf = memo(makeParent, STUDENT_BASE, STUDENTS);
const client = memo(makeClient, CLIENT_BASE, CLIENTS);
const customer = memo(makeCustomer, CUSTOMER_BASE, CUSTOMERS);

const RESERVED_SUBJECTS = new Set([30457, 204518, 231177]);

// Pools keep background stories consistent: customers who withdraw consent never receive
// messages, data-subject-request subjects and deleted students do nothing afterwards.
const isWithdrawer = (n: number) => n % 13 === 7;
const isDsrSubject = (n: number) => n % 13 === 11;
const isDeletedStudent = (n: number) => n % 11 === 0; // 11 is coprime to the 6 schools
const isErasedClient = (n: number) => n % 11 === 3;
const isSoftDeletedClient = (n: number) => n % 11 === 5;

function pickStudentRaw(r: Rng, school: number): number {
  return STUDENT_BASE + school + SCHOOLS.length * r.int(STUDENTS / SCHOOLS.length);
}

function pickStudent(r: Rng, school: number): number {
  for (;;) {
    const n = pickStudentRaw(r, school);
    if (!isDeletedStudent(n) && !RESERVED_SUBJECTS.has(n)) return n;
  }
}

function pickAnyStudent(r: Rng): number {
  return pickStudent(r, r.int(SCHOOLS.length));
}

function pickDeletableStudent(r: Rng, school: number): number {
  for (;;) {
    const n = pickStudentRaw(r, school);
    if (isDeletedStudent(n)) return n;
  }
}

function pickClient(r: Rng): number {
  for (;;) {
    const n = CLIENT_BASE + r.int(CLIENTS);
    if (!isErasedClient(n) && !isSoftDeletedClient(n)) return n;
  }
}

function pickCustomer(r: Rng): number {
  for (;;) {
    const n = CUSTOMER_BASE + r.int(CUSTOMERS);
    if (!isWithdrawer(n) && !isDsrSubject(n) && !RESERVED_SUBJECTS.has(n)) return n;
  }
}

/** A customer number n with n % 13 === residue. */
function customerInPool(r: Rng, residue: number): number {
  const first = CUSTOMER_BASE + ((((residue - CUSTOMER_BASE) % 13) + 13) % 13);
  for (;;) {
    const n = first + 13 * r.int(Math.floor((CUSTOMERS - 13) / 13));
    if (!RESERVED_SUBJECTS.has(n)) return n;
  }
}

const pickWithdrawer = (r: Rng) => customerInPool(r, 7);

// ---------------------------------------------------------------------------------------------
// Event building

interface Ctx {
  r: Rng;
  ms: number;
  time: string;
  /** Day of the quarter, 0 = 2026-07-01. */
  day: number;
  /** UTC hour of day. */
  hour: number;
  /** A weekday (not a public holiday) between 07:00 and 19:00 UTC. */
  working: boolean;
  salt: number;
  nextId: (p: Platform) => string;
}

/** South African public holidays in the quarter: 2026-08-10 (Women's Day, observed), 09-24. */
const HOLIDAYS = new Set([40, 85]);
const dayOfWeek = (day: number) => (3 + day) % 7; // 2026-07-01 is a Wednesday
const isOffDay = (day: number) => dayOfWeek(day) === 0 || dayOfWeek(day) === 6 || HOLIDAYS.has(day);

const PAD2 = Array.from({ length: 60 }, (_, i) => pad(i, 2));
const PAD3 = Array.from({ length: 1000 }, (_, i) => pad(i, 3));

/** Sets the hour of the context; {@link setTimeInHour} then sets instants within it quickly. */
function setHour(c: Ctx, hourIndex: number): string {
  c.day = Math.floor(hourIndex / 24);
  c.hour = hourIndex % 24;
  c.working = !isOffDay(c.day) && c.hour >= 7 && c.hour < 19;
  return new Date(DEMO_PERIOD.start + hourIndex * HOUR).toISOString().slice(0, 14);
}

function setTimeInHour(c: Ctx, ms: number, hourStart: number, prefix: string): void {
  const off = ms - hourStart;
  c.ms = ms;
  c.time = `${prefix}${PAD2[Math.floor(off / 60_000)]}:${PAD2[Math.floor(off / 1000) % 60]}.${PAD3[off % 1000]}Z`;
}

function setTime(c: Ctx, ms: number): void {
  c.ms = ms;
  c.time = new Date(ms).toISOString();
  c.day = Math.floor((ms - DEMO_PERIOD.start) / DAY);
  c.hour = Math.floor((ms - DEMO_PERIOD.start) / HOUR) % 24;
  c.working = !isOffDay(c.day) && c.hour >= 7 && c.hour < 19;
}

function ev(
  c: Ctx,
  platform: Platform,
  category: Category,
  action: string,
  actor: Actor,
  attributes: Attrs,
  severity: Severity = 'info',
  outcome: Outcome = 'success',
): Ev {
  return {
    kind: 'custos.audit/v1',
    id: c.nextId(platform),
    time: c.time,
    source: SOURCE[platform],
    category,
    action,
    outcome,
    actor,
    severity,
    attributes,
  };
}

function session(c: Ctx, num: number): string {
  return `sess_${hex8(hash3(num, c.day, c.salt))}${hex8(hash3(num, c.day, c.salt ^ 0x5bd1e995))}`;
}

/** An actor, the attributes every event of theirs carries, and their browser (logins only). */
interface Built {
  actor: Actor;
  attrs: Attrs;
  userAgent: string;
}

/** Actor and base attributes of a staff member; at the office on working hours, else at home. */
function staff(c: Ctx, p: Person, withSession = true): Built {
  const office = p.officeIp !== null && c.working && c.r.float() < 0.85;
  const actor: Actor = {
    id: p.id,
    type: 'user',
    name: p.name,
    role: p.role,
    ip: office ? (p.officeIp as string) : p.homeIp,
  };
  if (withSession) actor.session = session(c, p.num);
  return {
    actor,
    attrs: {
      requestId: uuid(c.r),
      geo: office
        ? { country: 'ZA', city: OFFICE_CITY[p.platform] }
        : { country: p.country, city: p.city },
    },
    userAgent: p.userAgent,
  };
}

function publicActor(
  c: Ctx,
  who: PublicPerson,
  role: string,
  num: number,
  withSession = true,
): Built {
  const actor: Actor = { id: who.id, type: 'user', name: who.name, role, ip: who.ip };
  if (withSession) actor.session = session(c, num + 0x100000);
  return {
    actor,
    attrs: {
      requestId: uuid(c.r),
      geo: { country: who.country, city: who.city },
    },
    userAgent: who.userAgent,
  };
}

function service(platform: Platform, id: string, name: string): Actor {
  return { id, type: 'service', name, ip: SERVER_IP[platform] };
}

const subjectOf = (who: PublicPerson, type: string): Subject => ({
  id: who.id,
  type,
  name: who.name,
});

function loginEvent(
  c: Ctx,
  platform: Platform,
  built: Built,
  account: { id: string; email: string },
  failed: boolean,
  method: string,
): Ev {
  const { actor, attrs } = built;
  attrs.userAgent = built.userAgent;
  attrs.method = method;
  attrs.clientVersion =
    platform === 'school' ? 'web-5.12.3' : platform === 'coaching' ? 'web-3.8.1' : 'console-2026.7';
  if (failed) {
    attrs.failureCode = 'INVALID_CREDENTIALS';
    attrs.attempt = 1;
  } else {
    attrs.mfa = method === 'password' ? 'none' : 'totp';
  }
  const e = ev(
    c,
    platform,
    'access',
    'user.login',
    actor,
    attrs,
    failed ? 'low' : 'info',
    failed ? 'failure' : 'success',
  );
  e.target = { type: 'account', id: account.id, name: account.email };
  if (failed) e.reason = 'invalid password';
  return e;
}

function staffLogin(c: Ctx, p: Person): Ev {
  const failed = c.r.chance(0.025);
  return loginEvent(c, p.platform, staff(c, p, !failed), p, failed, 'password+totp');
}

function staffLogout(c: Ctx, p: Person): Ev {
  const b = staff(c, p);
  b.attrs.sessionDurationMin = c.r.range(4, 480);
  b.attrs.trigger = c.r.chance(0.7) ? 'user' : 'idle-timeout';
  b.attrs.userAgent = b.userAgent;
  const e = ev(c, p.platform, 'access', 'user.logout', b.actor, b.attrs);
  e.target = { type: 'account', id: p.id, name: p.email };
  return e;
}

function changeTicket(c: Ctx): string {
  return `CHG-2026-${pad(c.r.range(100, 999), 4)}`;
}

/** Role changes and grants in the background always carry a change ticket and happen on weekdays. */
function roleChange(c: Ctx, admin: Person, pool: readonly Person[]): Ev {
  const target = c.r.pick(pool);
  const b = staff(c, admin);
  const to = target.role === 'support_agent' ? 'senior_support_agent' : `${target.role}_lead`;
  b.attrs.changeTicket = changeTicket(c);
  b.attrs.approvedBy = 'change-advisory-board';
  b.attrs.changeWindow = `${c.time.slice(0, 10)} 08:00-17:00`;
  const e = ev(c, admin.platform, 'security', 'user.role.change', b.actor, b.attrs, 'medium');
  e.target = { type: 'user', id: target.id, name: target.name };
  e.changes = [{ field: 'role', before: target.role, after: to }];
  e.reason = 'promotion approved by line manager';
  return e;
}

function permissionGrant(c: Ctx, admin: Person, pool: readonly Person[]): Ev {
  const target = c.r.pick(pool);
  const permission = c.r.pick([
    'tickets.reassign',
    'reports.view',
    'refunds.approve.small',
    'kb.edit',
  ]);
  const b = staff(c, admin);
  b.attrs.changeTicket = changeTicket(c);
  b.attrs.permission = permission;
  b.attrs.expiresAt = isoDate(c.ms + 30 * DAY);
  const e = ev(c, admin.platform, 'security', 'permission.grant', b.actor, b.attrs, 'low');
  e.target = { type: 'user', id: target.id, name: target.name };
  e.changes = [{ field: 'permissions', before: null, after: permission }];
  return e;
}

function passwordReset(c: Ctx, admin: Person, pool: readonly Person[]): Ev {
  const target = c.r.pick(pool);
  const b = staff(c, admin);
  b.attrs.helpdeskTicket = `HD-${pad(c.r.range(10000, 99999), 5)}`;
  b.attrs.verification = c.r.pick(['manager-callback', 'in-person', 'video-call']);
  const e = ev(c, admin.platform, 'security', 'user.password.reset', b.actor, b.attrs, 'low');
  e.target = { type: 'user', id: target.id, name: target.name };
  return e;
}

function systemJob(c: Ctx, platform: Platform, job: string, category: Category, extra: Attrs): Ev {
  const actor: Actor = {
    id: `sys-scheduler-${platform}`,
    type: 'system',
    name: `${SOURCE[platform]} scheduler`,
  };
  const started = new Date(c.ms - c.r.range(2, 900) * 1000).toISOString();
  const attrs: Attrs = {
    jobId: `job-${hex8(c.r.next())}`,
    host: `${platform}-worker-${c.r.range(1, 4)}.internal.example`,
    startedAt: started,
    durationMs: c.r.range(800, 900_000),
    version: '2026.07.3',
    region: 'af-south-1',
    ...extra,
  };
  const e = ev(c, platform, category, `job.${job}`, actor, attrs);
  e.target = { type: 'job', id: job, name: JOB_NAMES[job] ?? job };
  return e;
}

const JOB_NAMES: Record<string, string> = {
  'backup.nightly': 'Nightly encrypted database backup',
  'sis.sync': 'Provincial SA-SAMS learner data synchronisation',
  'reportcard.generate': 'Report card PDF generation',
  'usage.aggregate': 'Daily usage aggregation',
  'retention.purge': 'Retention policy purge',
  'search.reindex': 'Search index rebuild',
  'token.cleanup': 'Expired session and token cleanup',
};

function systemTemplates(platform: Platform): Table {
  return table([
    [
      1,
      (c) =>
        systemJob(c, platform, 'backup.nightly', 'system', {
          bytes: c.r.range(2e9, 9e9),
          target: `s3://backups-${platform}/2026/`,
          encrypted: true,
        }),
    ],
    [2, (c) => systemJob(c, platform, 'token.cleanup', 'system', { removed: c.r.range(10, 4000) })],
    [
      0.6,
      (c) => systemJob(c, platform, 'search.reindex', 'system', { documents: c.r.range(1e4, 4e5) }),
    ],
    [
      0.5,
      (c) =>
        systemJob(c, platform, 'retention.purge', 'privacy', {
          policy: `${platform}-retention-v4`,
          recordsPurged: c.r.range(0, 900),
          olderThanDays: 2555,
        }),
    ],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Weighted template tables

type Build = (c: Ctx) => Ev;

interface Table {
  cum: Float64Array;
  builds: Build[];
}

function table(entries: readonly (readonly [number, Build])[]): Table {
  const cum = new Float64Array(entries.length);
  let total = 0;
  entries.forEach(([w], i) => (cum[i] = total += w));
  return { cum, builds: entries.map(([, b]) => b) };
}

function pickFrom(t: Table, r: Rng): Build {
  const x = r.float() * t.cum[t.cum.length - 1];
  let i = 0;
  while (t.cum[i] <= x) i++;
  return t.builds[i];
}

const ROSTER = buildRoster();
const PEOPLE = new Map(ROSTER.map((p) => [p.id, p]));

function pool(platform: Platform, ...roles: Role[]): Person[] {
  return ROSTER.filter((p) => p.platform === platform && roles.includes(p.role));
}

function who(id: string): Person {
  const p = PEOPLE.get(id);
  if (!p) throw new Error(`no person ${id} in the demo roster`);
  return p;
}

/** A staff template: the builder receives a random person of the given roles. */
function st(
  w: number,
  people: readonly Person[],
  b: (c: Ctx, p: Person) => Ev,
): readonly [number, Build] {
  return [w, (c) => b(c, people[c.r.int(people.length)])];
}

// ---------------------------------------------------------------------------------------------
// school.lessonline

const course = (p: Person, grade: number, cls: string) =>
  `${SUBJECTS[p.subject][0]}-G${grade}-${cls}`;

function lessonTarget(c: Ctx, p: Person): { target: Ev['target']; course: string } {
  const [, subjectName, topics] = SUBJECTS[p.subject];
  const grade = c.r.range(8, 12);
  const week = c.r.range(1, 11);
  return {
    target: {
      type: 'lesson_plan',
      id: `LP-2026-${pad((hash3(p.num, grade, week) % 90000) + 10000, 5)}`,
      name: `Grade ${grade} ${subjectName}: ${c.r.pick(topics)} (term 3, week ${week})`,
    },
    course: course(p, grade, 'ABCD'[c.r.int(4)]),
  };
}

function schoolLesson(c: Ctx, p: Person, act: 'view' | 'update' | 'create'): Ev {
  const b = staff(c, p);
  const { target, course: courseId } = lessonTarget(c, p);
  b.attrs.course = courseId;
  b.attrs.school = SCHOOLS[p.school];
  b.attrs.term = '2026-T3';
  const e = ev(c, 'school', 'data', `lesson.plan.${act}`, b.actor, b.attrs);
  e.target = target;
  if (act === 'update') {
    const from = c.r.range(1, 6);
    e.changes = c.r.chance(0.3)
      ? [{ field: 'status', before: 'draft', after: 'published' }]
      : [{ field: 'version', before: from, after: from + 1 }];
  }
  return e;
}

function schoolStudentEvent(c: Ctx, p: Person, act: string, category: Category = 'data'): Ev {
  const s = student(pickStudent(c.r, p.school));
  const b = staff(c, p);
  b.attrs.school = SCHOOLS[s.school];
  b.attrs.grade = s.grade;
  b.attrs.class = `${s.grade}${s.cls}`;
  const e = ev(c, 'school', category, act, b.actor, b.attrs);
  e.target = {
    type: 'student_record',
    id: `SR-${s.id.slice(2)}`,
    name: `${s.name}, grade ${s.grade}${s.cls}`,
  };
  e.subject = subjectOf(s, 'student');
  return e;
}

function gradeChange(c: Ctx, p: Person): Ev {
  const e = schoolStudentEvent(c, p, 'grade.change');
  const before = c.r.range(28, 88);
  const after = Math.min(100, before + c.r.pick([-4, -2, 2, 3, 5, 7, 10]));
  const attrs = e.attributes as Attrs;
  const grade = attrs.grade as number;
  attrs.assessment = `${SUBJECTS[p.subject][1]} term 3 ${c.r.pick(['test', 'assignment', 'project'])}`;
  attrs.course = course(p, grade, String(attrs.class).slice(-1));
  e.target = {
    type: 'assessment_result',
    id: `AR-${hex8(c.r.next()).slice(0, 7)}`,
    name: String(attrs.assessment),
  };
  e.changes = [{ field: 'mark', before, after }];
  e.reason = c.r.pick([
    'remark after moderation',
    'marking error corrected',
    'late submission accepted',
  ]);
  return e;
}

function attendance(c: Ctx, p: Person): Ev {
  const b = staff(c, p);
  const grade = c.r.range(8, 12);
  const total = c.r.range(24, 38);
  const absent = c.r.int(4);
  b.attrs.school = SCHOOLS[p.school];
  b.attrs.period = c.r.range(1, 7);
  b.attrs.present = total - absent;
  b.attrs.absent = absent;
  const cls = `${grade}${'ABCD'[c.r.int(4)]}`;
  const e = ev(c, 'school', 'data', 'attendance.record', b.actor, b.attrs);
  e.target = {
    type: 'register',
    id: `REG-${c.time.slice(0, 10)}-${cls}-${SUBJECTS[p.subject][0]}`,
    name: `Class ${cls} register`,
  };
  return e;
}

function messageParent(c: Ctx, p: Person): Ev {
  const sn = pickStudent(c.r, p.school);
  const s = student(sn);
  const parent = parentOf(sn);
  const b = staff(c, p);
  b.attrs.channel = c.r.pick(['email', 'app', 'app', 'sms']);
  b.attrs.studentId = s.id;
  b.attrs.templateId = c.r.pick([
    'progress-note',
    'absence-follow-up',
    'homework-reminder',
    'meeting-request',
  ]);
  b.attrs.messageLength = c.r.range(120, 1800);
  const e = ev(c, 'school', 'communication', 'message.parent.send', b.actor, b.attrs);
  e.target = {
    type: 'message_thread',
    id: `MT-${hex8(hash3(sn, p.num, 3)).slice(0, 8)}`,
    name: `Re: ${s.name.split(' ')[0]} (${s.grade}${s.cls})`,
  };
  e.subject = subjectOf(parent, 'parent');
  return e;
}

function invoiceEvent(
  c: Ctx,
  p: Person,
  act: 'invoice.create' | 'payment.record' | 'invoice.reminder.send',
): Ev {
  const sn = pickAnyStudent(c.r);
  const parent = parentOf(sn);
  const b = staff(c, p);
  b.attrs.invoiceId = `INV-LL-2026-${pad((hash3(sn, c.day >> 5, 9) % 90000) + 10000, 5)}`;
  b.attrs.amount = money(c.r.pick([2850, 3120, 4675, 980, 450, 1275]) + c.r.int(4) * 25);
  b.attrs.currency = 'ZAR';
  b.attrs.item = c.r.pick([
    'Term 3 tuition',
    'Sports tour levy',
    'Stationery pack',
    'Exam fees',
    'Aftercare',
  ]);
  if (act === 'payment.record') b.attrs.method = c.r.pick(['EFT', 'debit order', 'cash deposit']);
  if (act === 'invoice.reminder.send') b.attrs.channel = 'email';
  const e = ev(
    c,
    'school',
    act === 'invoice.reminder.send' ? 'communication' : 'transaction',
    act,
    b.actor,
    b.attrs,
  );
  e.target = {
    type: 'invoice',
    id: String(b.attrs.invoiceId),
    name: `${b.attrs.item} for ${student(sn).name}`,
  };
  e.subject = subjectOf(parent, 'parent');
  return e;
}

function studentUpdate(c: Ctx, p: Person): Ev {
  const e = schoolStudentEvent(c, p, 'student.record.update');
  const field = c.r.pick(['homeAddress', 'emergencyContact', 'medicalNotes', 'transportRoute']);
  e.changes = [{ field, before: '[redacted]', after: '[redacted]' }];
  e.reason = c.r.pick(['parent request', 'annual verification', 'change of address form']);
  return e;
}

/** Background student deletions always carry an approval reference (incident 6 lacks one). */
function studentDelete(c: Ctx, p: Person): Ev {
  const s = student(pickDeletableStudent(c.r, p.school));
  const b = staff(c, p);
  b.attrs.school = SCHOOLS[s.school];
  b.attrs.approvalId = `APR-2026-${pad(c.r.range(100, 999), 4)}`;
  b.attrs.approvedBy = 'principal';
  b.attrs.retention = 'archive-7y';
  const e = ev(c, 'school', 'data', 'student.delete', b.actor, b.attrs, 'medium');
  e.target = {
    type: 'student_record',
    id: `SR-${s.id.slice(2)}`,
    name: `${s.name}, grade ${s.grade}${s.cls}`,
  };
  e.subject = subjectOf(s, 'student');
  e.reason = c.r.pick([
    'learner transferred to another school',
    'duplicate record merged',
    'learner emigrated',
  ]);
  return e;
}

function schoolReportExport(c: Ctx, p: Person): Ev {
  const b = staff(c, p);
  const grade = c.r.range(8, 12);
  b.attrs.format = c.r.pick(['pdf', 'xlsx', 'csv']);
  b.attrs.recordCount = c.r.range(20, 180);
  b.attrs.school = SCHOOLS[p.school];
  const e = ev(c, 'school', 'data', 'report.export', b.actor, b.attrs);
  e.target = {
    type: 'report',
    id: `RPT-G${grade}-${c.r.pick(['attendance', 'marks', 'class-list'])}`,
    name: `Grade ${grade} term 3 report`,
  };
  return e;
}

function schoolPublic(c: Ctx, kind: 'parent' | 'student', act: string): Ev {
  const sn = pickAnyStudent(c.r);
  const s = student(sn);
  const actorPerson = kind === 'parent' ? parentOf(sn) : s;
  const b = publicActor(c, actorPerson, kind, sn + (kind === 'parent' ? PARENT_OFFSET : 0));
  b.attrs.school = SCHOOLS[s.school];
  b.attrs.app = c.r.chance(0.6) ? 'LessonLine/5.12.3 (Android)' : 'web';
  let category: Category = 'data';
  let severity: Severity = 'info';
  let outcome: Outcome = 'success';
  let target: Ev['target'];
  switch (act) {
    case 'report.card.view':
      target = {
        type: 'report_card',
        id: `RC-2026-T2-${sn}`,
        name: `Term 2 report card, ${s.name}`,
      };
      break;
    case 'timetable.view':
      target = {
        type: 'timetable',
        id: `TT-${s.grade}${s.cls}`,
        name: `Grade ${s.grade}${s.cls} timetable`,
      };
      break;
    case 'assignment.submit': {
      const [code, subjectName, topics] = SUBJECTS[c.r.int(SUBJECTS.length)];
      b.attrs.fileType = c.r.pick(['pdf', 'docx', 'jpg']);
      b.attrs.fileBytes = c.r.range(40_000, 6_000_000);
      b.attrs.late = c.r.chance(0.08);
      target = {
        type: 'assignment',
        id: `ASG-${code}-${s.grade}-${c.r.range(301, 340)}`,
        name: `${subjectName}: ${c.r.pick(topics)}`,
      };
      break;
    }
    case 'message.read':
    case 'message.reply':
      category = 'communication';
      b.attrs.channel = 'app';
      target = {
        type: 'message_thread',
        id: `MT-${hex8(hash3(sn, 7, 3)).slice(0, 8)}`,
        name: `Re: ${s.name.split(' ')[0]} (${s.grade}${s.cls})`,
      };
      break;
    case 'invoice.view':
    case 'payment.make': {
      category = 'transaction';
      const amount = money(c.r.pick([2850, 3120, 4675, 980, 450]));
      b.attrs.invoiceId = `INV-LL-2026-${pad((hash3(sn, c.day >> 5, 9) % 90000) + 10000, 5)}`;
      b.attrs.amount = amount;
      b.attrs.currency = 'ZAR';
      if (act === 'payment.make') {
        b.attrs.method = c.r.pick(['card', 'card', 'instant-eft']);
        b.attrs.pspReference = `PSP${hex8(c.r.next()).toUpperCase()}`;
        if (c.r.chance(0.03)) {
          outcome = 'failure';
          severity = 'low';
          b.attrs.declineCode = 'card_declined';
        }
      }
      target = {
        type: 'invoice',
        id: String(b.attrs.invoiceId),
        name: `School fees for ${s.name}`,
      };
      break;
    }
    default:
      category = 'privacy';
      b.attrs.noticeVersion = 'privacy-notice-2026.2';
      target = {
        type: 'privacy_notice',
        id: 'PN-2026.2',
        name: 'LessonLine privacy notice (POPIA)',
      };
  }
  const e = ev(c, 'school', category, act, b.actor, b.attrs, severity, outcome);
  e.target = target;
  e.subject = subjectOf(s, 'student');
  return e;
}

function schoolLoginPublic(c: Ctx, kind: 'parent' | 'student'): Ev {
  const sn = pickAnyStudent(c.r);
  const person = kind === 'parent' ? parentOf(sn) : student(sn);
  const failed = c.r.chance(0.025);
  const num = sn + (kind === 'parent' ? PARENT_OFFSET : 0);
  const b = publicActor(c, person, kind, num, !failed);
  const email = `${person.id}@accounts.lessonline.example`;
  return loginEvent(c, 'school', b, { id: person.id, email }, failed, 'password');
}

function schoolNotify(c: Ctx): Ev {
  const sn = pickAnyStudent(c.r);
  const parent = parentOf(sn);
  const s = student(sn);
  const kind = c.r.pick(['report-card-ready', 'absence-alert', 'fee-reminder', 'event-reminder']);
  const attrs: Attrs = {
    messageId: `<${uuid(c.r)}@notify.lessonline.example>`,
    channel: c.r.pick(['push', 'email', 'sms']),
    template: kind,
    studentId: s.id,
    school: SCHOOLS[s.school],
  };
  const e = ev(
    c,
    'school',
    'communication',
    'notification.send',
    service('school', 'svc-notify', 'LessonLine notifications'),
    attrs,
  );
  e.target = { type: 'notification', id: `NTF-${hex8(c.r.next())}`, name: kind.replace(/-/g, ' ') };
  e.subject = subjectOf(parent, 'parent');
  return e;
}

function schoolTables(): PlatformTables {
  const common = systemTemplates('school');
  const teachers = pool('school', 'teacher');
  const admins = pool('school', 'admin');
  const teachersAndAdmins = [...teachers, ...admins];
  const billing = pool('school', 'billing_clerk');
  const it = pool('school', 'it_admin');
  const everyone = pool('school', 'teacher', 'admin', 'billing_clerk', 'it_admin', 'dpo');
  const work = table([
    st(16, everyone, staffLogin),
    st(5, everyone, staffLogout),
    st(8, teachers, (c, p) => schoolLesson(c, p, 'view')),
    st(5, teachers, (c, p) => schoolLesson(c, p, 'update')),
    st(2, teachers, (c, p) => schoolLesson(c, p, 'create')),
    st(8, teachers, (c, p) => schoolStudentEvent(c, p, 'gradebook.view')),
    st(4, teachers, gradeChange),
    st(7, teachers, attendance),
    st(8, teachersAndAdmins, (c, p) => schoolStudentEvent(c, p, 'student.record.view')),
    st(1.5, admins, studentUpdate),
    st(6, teachersAndAdmins, messageParent),
    st(1.5, billing, (c, p) => invoiceEvent(c, p, 'invoice.create')),
    st(1, billing, (c, p) => invoiceEvent(c, p, 'payment.record')),
    st(0.7, billing, (c, p) => invoiceEvent(c, p, 'invoice.reminder.send')),
    st(0.6, admins, schoolReportExport),
    st(0.03, admins, studentDelete),
    st(0.4, it, (c, p) => passwordReset(c, p, teachersAndAdmins)),
    st(0.05, it, (c, p) => roleChange(c, p, teachers)),
  ]);
  const off = table([
    st(10, teachersAndAdmins, staffLogin),
    st(3, teachersAndAdmins, staffLogout),
    st(6, teachers, (c, p) => schoolLesson(c, p, 'view')),
    st(4, teachers, (c, p) => schoolLesson(c, p, 'update')),
    st(4, teachers, (c, p) => schoolStudentEvent(c, p, 'gradebook.view')),
    st(1.5, teachers, gradeChange),
    st(2, teachers, messageParent),
  ]);
  const pub = table([
    [10, (c) => schoolLoginPublic(c, 'parent')],
    [8, (c) => schoolLoginPublic(c, 'student')],
    [4, (c) => schoolPublic(c, 'parent', 'report.card.view')],
    [5, (c) => schoolPublic(c, 'parent', 'message.read')],
    [1.5, (c) => schoolPublic(c, 'parent', 'message.reply')],
    [2, (c) => schoolPublic(c, 'parent', 'invoice.view')],
    [1.2, (c) => schoolPublic(c, 'parent', 'payment.make')],
    [4, (c) => schoolPublic(c, 'student', 'assignment.submit')],
    [3, (c) => schoolPublic(c, 'student', 'timetable.view')],
    [0.3, (c) => schoolPublic(c, 'parent', 'privacy.notice.accept')],
  ]);
  const svc = table([[1, schoolNotify]]);
  const sys = table([
    [3, (c) => pickFrom(common, c.r)(c)],
    [
      1,
      (c) =>
        systemJob(c, 'school', 'sis.sync', 'system', {
          learners: c.r.range(1700, 1800),
          changed: c.r.range(0, 40),
          endpoint: 'https://sa-sams.example/api/v2',
        }),
    ],
    [
      0.5,
      (c) =>
        systemJob(c, 'school', 'reportcard.generate', 'data', {
          documents: c.r.range(30, 400),
          term: '2026-T3',
        }),
    ],
  ]);
  return { work, off, pub, svc, sys };
}

// ---------------------------------------------------------------------------------------------
// coaching.stride

const PROGRAMMES = [
  'Marathon 16-week',
  'Couch to 10K',
  'Strength Foundations',
  'Executive Leadership Coaching',
  'Nutrition Reset 8-week',
  'Triathlon Sprint',
];
const PLANS = ['Starter monthly', 'Pro monthly', 'Pro annual', 'Team quarterly'];
const PLAN_PRICE: Record<string, number> = {
  'Starter monthly': 19,
  'Pro monthly': 39,
  'Pro annual': 390,
  'Team quarterly': 249,
};
const CURRENCY: Record<string, string> = { ZA: 'ZAR', GB: 'GBP', NL: 'EUR', DE: 'EUR', IE: 'EUR' };
const FX: Record<string, number> = { ZAR: 18, GBP: 0.8, EUR: 1 };

function clientAttrs(b: { attrs: Attrs }, cl: PublicPerson, n: number): void {
  const h = mix32(n * 3 + 1);
  b.attrs.programme = PROGRAMMES[h % PROGRAMMES.length];
  b.attrs.plan = PLANS[(h >>> 8) % PLANS.length];
}

function coachingClientEvent(
  c: Ctx,
  p: Person,
  act: string,
  category: Category = 'data',
  num?: number,
): Ev {
  const n = num ?? pickClient(c.r);
  const cl = client(n);
  const b = staff(c, p);
  clientAttrs(b, cl, n);
  let target: Ev['target'] = { type: 'client_profile', id: `CP-${n}`, name: cl.name };
  if (act.startsWith('session.')) {
    const sessionId = `SES-${pad((hash3(n, c.day, 5) % 900000) + 100000, 6)}`;
    b.attrs.startsAt = new Date(c.ms + c.r.range(1, 14) * DAY).toISOString().slice(0, 16) + 'Z';
    b.attrs.durationMin = c.r.pick([30, 45, 60, 90]);
    b.attrs.mode = c.r.pick(['video', 'video', 'in-person', 'phone']);
    if (act === 'session.complete') b.attrs.notesWords = c.r.range(40, 600);
    target = {
      type: 'coaching_session',
      id: sessionId,
      name: `${b.attrs.programme} with ${cl.name}`,
    };
  }
  const e = ev(c, 'coaching', category, act, b.actor, b.attrs);
  e.target = target;
  e.subject = subjectOf(cl, 'client');
  if (act === 'session.notes.update') {
    const v = c.r.range(1, 8);
    e.changes = [{ field: 'notesVersion', before: v, after: v + 1 }];
  }
  if (act === 'plan.assign') {
    e.changes = [
      { field: 'programme', before: c.r.pick([null, ...PROGRAMMES]), after: b.attrs.programme },
    ];
  }
  return e;
}

function subscriptionChange(c: Ctx, p: Person): Ev {
  const e = coachingClientEvent(c, p, 'subscription.change', 'transaction');
  const attrs = e.attributes as Attrs;
  const to = String(attrs.plan);
  const from = c.r.pick(PLANS.filter((x) => x !== to));
  const currency = CURRENCY[client(Number(e.subject?.id.slice(2))).country];
  attrs.currency = currency;
  attrs.amount = money(PLAN_PRICE[to] * FX[currency]);
  attrs.prorated = c.r.chance(0.6);
  e.target = {
    type: 'subscription',
    id: `SUB-${e.subject?.id.slice(2)}`,
    name: `${to} subscription`,
  };
  e.changes = [{ field: 'plan', before: from, after: to }];
  return e;
}

function refund(c: Ctx, p: Person): Ev {
  const e = coachingClientEvent(c, p, 'refund.issue', 'transaction');
  const attrs = e.attributes as Attrs;
  const currency = CURRENCY[client(Number(e.subject?.id.slice(2))).country];
  attrs.currency = currency;
  attrs.amount = money(PLAN_PRICE[String(attrs.plan)] * FX[currency] * c.r.pick([0.5, 1]));
  attrs.refundId = `RF-${hex8(c.r.next()).toUpperCase()}`;
  e.target = { type: 'payment', id: `PAY-${hex8(c.r.next())}`, name: `Refund, ${attrs.plan}` };
  e.reason = c.r.pick([
    'cancelled within cooling-off period',
    'double charge',
    'coach unavailable',
  ]);
  e.severity = 'low';
  return e;
}

function softDelete(c: Ctx, p: Person, restore: boolean): Ev {
  let n: number;
  do n = CLIENT_BASE + c.r.int(CLIENTS);
  while (!isSoftDeletedClient(n));
  const e = coachingClientEvent(c, p, restore ? 'client.restore' : 'client.delete', 'data', n);
  const attrs = e.attributes as Attrs;
  attrs.softDelete = true;
  if (!restore) attrs.purgeAfter = isoDate(c.ms + 30 * DAY);
  e.changes = [
    {
      field: 'deletedAt',
      before: restore ? isoDate(c.ms - 3 * DAY) : null,
      after: restore ? null : c.time,
    },
  ];
  e.reason = restore
    ? 'client returned within 30 days'
    : c.r.pick(['account closed by client', 'duplicate account', 'inactive 24 months']);
  e.severity = 'low';
  return e;
}

function supportReply(c: Ctx, p: Person): Ev {
  const e = coachingClientEvent(c, p, 'support.ticket.reply', 'communication');
  const attrs = e.attributes as Attrs;
  attrs.channel = c.r.pick(['email', 'chat']);
  attrs.ticketId = `ST-${pad(c.r.range(10000, 99999), 5)}`;
  e.target = {
    type: 'ticket',
    id: String(attrs.ticketId),
    name: c.r.pick([
      'Billing question',
      'Cannot join session',
      'Change coach',
      'Device sync issue',
    ]),
  };
  return e;
}

function coachingPublic(c: Ctx, act: string): Ev {
  const n = pickClient(c.r);
  const cl = client(n);
  if (act === 'user.login') {
    const failed = c.r.chance(0.025);
    const b = publicActor(c, cl, 'client', n, !failed);
    const email = `${cl.id}@accounts.stride.example`;
    return loginEvent(c, 'coaching', b, { id: cl.id, email }, failed, 'password');
  }
  const b = publicActor(c, cl, 'client', n);
  clientAttrs(b, cl, n);
  b.attrs.app = c.r.chance(0.7) ? 'Stride/3.8.1 (iOS 18.5)' : 'web';
  let category: Category = 'data';
  let target: Ev['target'];
  switch (act) {
    case 'activity.log':
      b.attrs.activity = c.r.pick(['run', 'ride', 'swim', 'strength', 'walk']);
      b.attrs.durationMin = c.r.range(15, 140);
      if (b.attrs.activity !== 'strength') b.attrs.distanceKm = money(1 + c.r.float() * 25);
      b.attrs.device = c.r.pick(['Garmin Forerunner 265', 'Apple Watch', 'Polar Pacer', 'phone']);
      target = {
        type: 'activity',
        id: `ACT-${hex8(c.r.next())}`,
        name: `${b.attrs.activity} on ${c.time.slice(0, 10)}`,
      };
      break;
    case 'session.book':
    case 'session.join':
      category = act === 'session.join' ? 'access' : 'data';
      if (act === 'session.join') b.attrs.userAgent = b.userAgent;
      b.attrs.durationMin = c.r.pick([30, 45, 60]);
      target = {
        type: 'coaching_session',
        id: `SES-${pad((hash3(n, c.day, 5) % 900000) + 100000, 6)}`,
        name: `${b.attrs.programme} with ${cl.name}`,
      };
      break;
    case 'usage.summary.view':
      b.attrs.period = c.r.pick(['week', 'month', 'programme']);
      target = { type: 'usage_summary', id: `US-${n}`, name: `Usage summary, ${cl.name}` };
      break;
    case 'subscription.cancel':
      category = 'transaction';
      b.attrs.effective = isoDate(c.ms + 30 * DAY);
      target = { type: 'subscription', id: `SUB-${n}`, name: `${b.attrs.plan} subscription` };
      break;
    default:
      category = 'privacy';
      b.attrs.purposes = ['health-data-processing', 'progress-sharing-with-coach'];
      b.attrs.policyVersion = 'stride-privacy-2026-05';
      b.attrs.lawfulBasis = 'consent (GDPR art. 9(2)(a))';
      target = { type: 'consent_record', id: `CON-ST-${n}`, name: 'Health data consent' };
  }
  const e = ev(c, 'coaching', category, act, b.actor, b.attrs);
  e.target = target;
  e.subject = subjectOf(cl, 'client');
  return e;
}

function coachingCharge(c: Ctx): Ev {
  const n = pickClient(c.r);
  const cl = client(n);
  const plan = PLANS[(mix32(n * 3 + 1) >>> 8) % PLANS.length];
  const currency = CURRENCY[cl.country];
  const failed = c.r.chance(0.04);
  const attrs: Attrs = {
    invoiceId: `INV-ST-2026-${pad((hash3(n, c.day >> 5, 1) % 900000) + 100000, 6)}`,
    amount: money(PLAN_PRICE[plan] * FX[currency]),
    currency,
    plan,
    psp: 'stripe',
    pspReference: `pi_${hex8(c.r.next())}${hex8(c.r.next())}`,
    attempt: failed ? c.r.range(1, 3) : 1,
  };
  if (failed) attrs.declineCode = c.r.pick(['card_declined', 'insufficient_funds', 'expired_card']);
  const e = ev(
    c,
    'coaching',
    'transaction',
    'payment.charge',
    service('coaching', 'svc-billing', 'Stride billing'),
    attrs,
    failed ? 'low' : 'info',
    failed ? 'failure' : 'success',
  );
  e.target = { type: 'subscription', id: `SUB-${n}`, name: `${plan} subscription` };
  e.subject = subjectOf(cl, 'client');
  return e;
}

function coachingReminder(c: Ctx): Ev {
  const n = pickClient(c.r);
  const cl = client(n);
  const attrs: Attrs = {
    messageId: `<${uuid(c.r)}@mail.stride.example>`,
    channel: c.r.pick(['email', 'push']),
    template: c.r.pick(['session-reminder-24h', 'weekly-progress', 'plan-updated']),
    locale: cl.country === 'NL' ? 'nl-NL' : cl.country === 'DE' ? 'de-DE' : 'en-GB',
  };
  const e = ev(
    c,
    'coaching',
    'communication',
    'reminder.send',
    service('coaching', 'svc-notify', 'Stride notifications'),
    attrs,
  );
  e.target = { type: 'notification', id: `NTF-${hex8(c.r.next())}`, name: String(attrs.template) };
  e.subject = subjectOf(cl, 'client');
  return e;
}

function coachingTables(): PlatformTables {
  const common = systemTemplates('coaching');
  const coaches = pool('coaching', 'coach');
  const support = pool('coaching', 'support_agent');
  const billing = pool('coaching', 'billing_clerk', 'support_agent');
  const admins = pool('coaching', 'admin');
  const it = pool('coaching', 'it_admin');
  const everyone = pool(
    'coaching',
    'coach',
    'support_agent',
    'billing_clerk',
    'admin',
    'it_admin',
    'dpo',
  );
  const coachesAndSupport = [...coaches, ...support];
  const work = table([
    st(14, everyone, staffLogin),
    st(4, everyone, staffLogout),
    st(6, coaches, (c, p) => coachingClientEvent(c, p, 'session.schedule')),
    st(5, coaches, (c, p) => coachingClientEvent(c, p, 'session.complete')),
    st(4, coaches, (c, p) => coachingClientEvent(c, p, 'session.notes.update')),
    st(7, coachesAndSupport, (c, p) => coachingClientEvent(c, p, 'client.profile.view')),
    st(2, coaches, (c, p) => coachingClientEvent(c, p, 'plan.assign')),
    st(2, [...coaches, ...admins], (c, p) => coachingClientEvent(c, p, 'usage.report.view')),
    st(1.5, billing, subscriptionChange),
    st(0.5, billing, refund),
    st(0.4, support, (c, p) => softDelete(c, p, false)),
    st(0.05, support, (c, p) => softDelete(c, p, true)),
    st(3, support, supportReply),
    st(0.3, it, (c, p) => passwordReset(c, p, coachesAndSupport)),
    st(0.04, it, (c, p) => roleChange(c, p, coaches)),
  ]);
  const off = table([
    st(8, coachesAndSupport, staffLogin),
    st(2, coachesAndSupport, staffLogout),
    st(4, coaches, (c, p) => coachingClientEvent(c, p, 'session.complete')),
    st(3, coaches, (c, p) => coachingClientEvent(c, p, 'session.notes.update')),
    st(3, coaches, (c, p) => coachingClientEvent(c, p, 'client.profile.view')),
    st(2, coaches, (c, p) => coachingClientEvent(c, p, 'session.schedule')),
  ]);
  const pub = table([
    [10, (c) => coachingPublic(c, 'user.login')],
    [3, (c) => coachingPublic(c, 'session.book')],
    [4, (c) => coachingPublic(c, 'session.join')],
    [8, (c) => coachingPublic(c, 'activity.log')],
    [3, (c) => coachingPublic(c, 'usage.summary.view')],
    [0.3, (c) => coachingPublic(c, 'subscription.cancel')],
    [0.3, (c) => coachingPublic(c, 'consent.give')],
  ]);
  const svc = table([
    [3, coachingCharge],
    [2, coachingReminder],
  ]);
  const sys = table([
    [3, (c) => pickFrom(common, c.r)(c)],
    [
      1,
      (c) =>
        systemJob(c, 'coaching', 'usage.aggregate', 'system', {
          clients: c.r.range(3000, 5000),
          activities: c.r.range(2000, 9000),
        }),
    ],
    [
      0.4,
      (c) =>
        systemJob(c, 'coaching', 'retention.purge', 'privacy', {
          policy: 'soft-deleted-clients-30d',
          recordsPurged: c.r.range(0, 12),
          olderThanDays: 30,
        }),
    ],
  ]);
  return { work, off, pub, svc, sys };
}

// ---------------------------------------------------------------------------------------------
// comms.relay

const TICKET_TOPICS = [
  'Parcel not delivered',
  'Refund for damaged item',
  'Change delivery address',
  'Invoice query',
  'Cancel subscription',
  'Login problem',
  'Warranty claim',
  'Unsubscribe request',
];
const PRODUCTS: readonly (readonly [string, number])[] = [
  ['Wireless earbuds', 1299],
  ['Espresso machine', 5499],
  ['Hiking backpack 45L', 1899],
  ['Office chair', 3299],
  ['Air fryer 5.5L', 1699],
  ['27-inch 4K monitor', 6999],
  ['Running shoes', 2199],
  ['Smart kettle', 899],
];

/** Campaigns by day of the quarter: [id, name, channel, first day, last day]. */
const CAMPAIGNS: readonly (readonly [string, string, 'email' | 'sms', number, number])[] = [
  ['CMP-2026-027', 'July newsletter', 'email', 1, 3],
  ['CMP-2026-028', 'Winter clearance', 'email', 6, 12],
  ['CMP-2026-029', 'Loyalty points reminder', 'sms', 14, 17],
  ['CMP-2026-030', 'August newsletter', 'email', 31, 33],
  ['CMP-2026-031', "Women's Month specials", 'email', 41, 45],
  ['CMP-2026-032', 'Back-to-work tech', 'email', 47, 50],
  ['CMP-2026-033', 'Loyalty points reminder', 'sms', 52, 54],
  ['CMP-2026-034', 'Spring collection preview', 'email', 55, 58],
  ['CMP-2026-035', 'Spring sale starts', 'sms', 62, 63],
  ['CMP-2026-036', 'Spring sale', 'email', 69, 72],
  ['CMP-2026-037', 'Heritage Day weekend deals', 'email', 81, 84],
  ['CMP-2026-038', 'Q4 preview', 'email', 88, 91],
];

function customerEvent(c: Ctx, p: Person, act: string, category: Category, num?: number): Ev {
  const n = num ?? pickCustomer(c.r);
  const cu = customer(n);
  const b = staff(c, p);
  b.attrs.customerTier = ['standard', 'standard', 'gold', 'vip'][mix32(n) % 4];
  const e = ev(c, 'comms', category, act, b.actor, b.attrs);
  e.target = { type: 'customer', id: cu.id, name: cu.name };
  e.subject = subjectOf(cu, 'customer');
  return e;
}

function ticketEvent(c: Ctx, p: Person, act: string, category: Category): Ev {
  const e = customerEvent(c, p, act, category);
  const attrs = e.attributes as Attrs;
  const ticketId = `TCK-${pad(c.r.range(100000, 999999), 6)}`;
  attrs.queue = c.r.pick(['general', 'billing', 'returns', 'vip']);
  attrs.channel = c.r.pick(['email', 'chat', 'web-form', 'phone']);
  if (act === 'ticket.reply') attrs.messageLength = c.r.range(80, 2400);
  if (act === 'ticket.close')
    attrs.resolution = c.r.pick(['resolved', 'resolved', 'duplicate', 'no-response']);
  if (act === 'ticket.assign') e.changes = [{ field: 'assignee', before: null, after: p.id }];
  e.target = { type: 'ticket', id: ticketId, name: c.r.pick(TICKET_TOPICS) };
  return e;
}

function callLog(c: Ctx, p: Person): Ev {
  const e = customerEvent(c, p, 'call.log', 'communication');
  const attrs = e.attributes as Attrs;
  attrs.direction = c.r.chance(0.7) ? 'inbound' : 'outbound';
  attrs.durationSec = c.r.range(35, 1500);
  attrs.queue = c.r.pick(['general', 'billing', 'returns']);
  attrs.recordingId = `REC-${hex8(c.r.next())}`;
  attrs.recordingConsent = true;
  return e;
}

function customerUpdate(c: Ctx, p: Person): Ev {
  const e = customerEvent(c, p, 'customer.update', 'data');
  const field = c.r.pick(['email', 'phone', 'deliveryAddress', 'preferredLanguage']);
  e.changes = [{ field, before: '[masked]', after: '[masked]' }];
  e.reason = 'customer request by ' + c.r.pick(['phone', 'email', 'chat']);
  return e;
}

/** Background exports are small and in working hours; incident 1 is the odd one out. */
function smallExport(c: Ctx, p: Person): Ev {
  const b = staff(c, p);
  const count = c.r.range(1, 250);
  const segment = c.r.pick([
    'vip-renewals',
    'open-complaints',
    'warranty-claims-q3',
    'b2b-accounts',
  ]);
  b.attrs.format = c.r.pick(['csv', 'xlsx']);
  b.attrs.recordCount = count;
  b.attrs.fields = ['name', 'email', 'tier', 'lastOrder'];
  b.attrs.bytes = count * c.r.range(300, 700);
  b.attrs.purpose = c.r.pick(['account review', 'complaint follow-up', 'renewal calls']);
  const e = ev(c, 'comms', 'data', 'customer.export', b.actor, b.attrs);
  e.target = { type: 'customer_segment', id: `SEG-${segment}`, name: segment.replace(/-/g, ' ') };
  return e;
}

function order(c: Ctx, p: Person | null, act: 'order.create' | 'order.refund' | 'order.place'): Ev {
  const n = pickCustomer(c.r);
  const cu = customer(n);
  const b = p ? staff(c, p) : publicActor(c, cu, 'customer', n);
  const [product, price] = c.r.pick(PRODUCTS);
  const qty = c.r.chance(0.85) ? 1 : c.r.range(2, 4);
  b.attrs.orderId = `ORD-2026-${pad((hash3(n, c.day, 2) % 9000000) + 1000000, 7)}`;
  b.attrs.amount = money(price * qty);
  b.attrs.currency = 'ZAR';
  b.attrs.items = [{ sku: `SKU-${hex4(mix32(price)).toUpperCase()}`, name: product, qty }];
  if (act !== 'order.refund') b.attrs.channel = p ? 'phone' : 'web';
  const e = ev(
    c,
    'comms',
    'transaction',
    act,
    b.actor,
    b.attrs,
    act === 'order.refund' ? 'low' : 'info',
  );
  e.target = { type: 'order', id: String(b.attrs.orderId), name: `${qty} x ${product}` };
  e.subject = subjectOf(cu, 'customer');
  if (act === 'order.refund')
    e.reason = c.r.pick(['damaged in transit', 'not as described', 'changed mind within 7 days']);
  return e;
}

function agentEmail(c: Ctx, p: Person): Ev {
  const e = customerEvent(c, p, 'email.send', 'communication');
  const attrs = e.attributes as Attrs;
  attrs.messageId = `<${uuid(c.r)}@relay.example>`;
  attrs.template = c.r.pick([
    'ticket-update',
    'delivery-update',
    'refund-confirmation',
    'free-text',
  ]);
  attrs.kind = 'transactional';
  return e;
}

/** Consent withdrawal for a customer of the withdrawer pool, who then receives no messages. */
function consentWithdraw(c: Ctx, p: Person | null): Ev {
  const n = pickWithdrawer(c.r);
  const cu = customer(n);
  const b = p ? staff(c, p) : publicActor(c, cu, 'customer', n);
  b.attrs.purposes = ['marketing.email', 'marketing.sms'];
  b.attrs.via = p ? 'phone-agent' : 'preference-centre';
  b.attrs.consentRecord = `CR-${n}-2`;
  const e = ev(c, 'comms', 'privacy', 'consent.withdraw', b.actor, b.attrs);
  e.target = { type: 'consent_record', id: `CR-${n}`, name: 'Marketing consent' };
  e.subject = subjectOf(cu, 'customer');
  e.changes = [{ field: 'marketingConsent', before: true, after: false }];
  return e;
}

function consentGive(c: Ctx): Ev {
  const n = pickCustomer(c.r);
  const cu = customer(n);
  const b = publicActor(c, cu, 'customer', n);
  b.attrs.purposes = ['marketing.email', 'marketing.sms'];
  b.attrs.via = c.r.pick(['checkout', 'signup-form', 'preference-centre']);
  b.attrs.noticeVersion = 'relay-privacy-2026.1';
  const e = ev(c, 'comms', 'privacy', 'consent.give', b.actor, b.attrs);
  e.target = { type: 'consent_record', id: `CR-${n}`, name: 'Marketing consent' };
  e.subject = subjectOf(cu, 'customer');
  e.changes = [{ field: 'marketingConsent', before: false, after: true }];
  return e;
}

function commsPublic(c: Ctx, act: string): Ev {
  const n = pickCustomer(c.r);
  const cu = customer(n);
  if (act === 'user.login') {
    const failed = c.r.chance(0.025);
    const b = publicActor(c, cu, 'customer', n, !failed);
    return loginEvent(c, 'comms', b, { id: cu.id, email: cu.email }, failed, 'password');
  }
  const b = publicActor(c, cu, 'customer', n);
  let category: Category = 'communication';
  let target: Ev['target'];
  if (act === 'ticket.create') {
    b.attrs.channel = 'web-form';
    b.attrs.messageLength = c.r.range(40, 1600);
    target = {
      type: 'ticket',
      id: `TCK-${pad(c.r.range(100000, 999999), 6)}`,
      name: c.r.pick(TICKET_TOPICS),
    };
  } else {
    category = 'data';
    b.attrs.invoiceId = `INV-RL-2026-${pad((hash3(n, c.day, 4) % 900000) + 100000, 6)}`;
    b.attrs.format = 'pdf';
    target = {
      type: 'invoice',
      id: String(b.attrs.invoiceId),
      name: `Invoice ${b.attrs.invoiceId}`,
    };
  }
  const e = ev(c, 'comms', category, act, b.actor, b.attrs);
  e.target = target;
  e.subject = subjectOf(cu, 'customer');
  return e;
}

const CAMPAIGNS_BY_DAY = Array.from({ length: DAYS }, (_, day) =>
  CAMPAIGNS.filter(([, , , from, to]) => day >= from && day <= to),
);

function campaignSend(c: Ctx, n: number, campaign: (typeof CAMPAIGNS)[number], bounce = false): Ev {
  const cu = customer(n);
  const [id, name, channel] = campaign;
  const attrs: Attrs = {
    campaignId: id,
    campaign: name,
    channel,
    messageId:
      channel === 'email' ? `<${uuid(c.r)}@campaigns.relay.example>` : `SM${hex8(c.r.next())}`,
    segment: 'SEG-marketing-opted-in',
    audienceSnapshot: isoDate(DEMO_PERIOD.start + campaign[3] * DAY - DAY),
    kind: 'marketing',
  };
  if (bounce) attrs.bounce = c.r.pick(['mailbox-full', 'no-such-user', 'blocked']);
  const actor = service('comms', 'svc-campaigns', 'Relay campaigns');
  const act = channel === 'email' ? 'email.send' : 'sms.send';
  const e = ev(
    c,
    'comms',
    'communication',
    act,
    actor,
    attrs,
    bounce ? 'low' : 'info',
    bounce ? 'failure' : 'success',
  );
  e.target = {
    type: channel === 'email' ? 'email_address' : 'phone_number',
    id: channel === 'email' ? cu.email : `+27 ** *** ${pad(n % 10000, 4)}`,
    name: cu.name,
  };
  e.subject = subjectOf(cu, 'customer');
  return e;
}

function campaignOrConfirmation(c: Ctx, bounce: boolean): Ev {
  const today = CAMPAIGNS_BY_DAY[c.day];
  if (today.length === 0) return orderConfirmation(c);
  return campaignSend(c, pickCustomer(c.r), c.r.pick(today), bounce);
}

function orderConfirmation(c: Ctx): Ev {
  const n = pickCustomer(c.r);
  const cu = customer(n);
  const attrs: Attrs = {
    messageId: `<${uuid(c.r)}@orders.relay.example>`,
    channel: 'email',
    template: c.r.pick(['order-confirmation', 'shipping-notice', 'delivery-confirmation']),
    orderId: `ORD-2026-${pad((hash3(n, c.day, 2) % 9000000) + 1000000, 7)}`,
    kind: 'transactional',
  };
  const e = ev(
    c,
    'comms',
    'communication',
    'email.send',
    service('comms', 'svc-orders', 'Relay order notifications'),
    attrs,
  );
  e.target = { type: 'email_address', id: cu.email, name: cu.name };
  e.subject = subjectOf(cu, 'customer');
  return e;
}

function paymentCapture(c: Ctx): Ev {
  const n = pickCustomer(c.r);
  const cu = customer(n);
  const [product, price] = c.r.pick(PRODUCTS);
  const failed = c.r.chance(0.03);
  const attrs: Attrs = {
    orderId: `ORD-2026-${pad((hash3(n, c.day, 2) % 9000000) + 1000000, 7)}`,
    amount: price,
    currency: 'ZAR',
    method: c.r.pick(['card', 'card', 'instant-eft', 'wallet']),
    psp: 'payfast',
    pspReference: `PF${hex8(c.r.next()).toUpperCase()}${pad(c.r.int(1000), 3)}`,
    threeDSecure: true,
  };
  if (failed) attrs.declineCode = c.r.pick(['do_not_honour', 'insufficient_funds']);
  const e = ev(
    c,
    'comms',
    'transaction',
    'payment.capture',
    service('comms', 'svc-payments', 'Relay payments'),
    attrs,
    failed ? 'low' : 'info',
    failed ? 'failure' : 'success',
  );
  e.target = { type: 'order', id: String(attrs.orderId), name: product };
  e.subject = subjectOf(cu, 'customer');
  return e;
}

function breachRecord(c: Ctx, p: Person): Ev {
  const b = staff(c, p);
  const ref = `BR-2026-${pad(c.r.range(1, 40), 3)}`;
  b.attrs.breachId = ref;
  b.attrs.affectedSubjects = c.r.range(1, 30);
  b.attrs.dataCategories = c.r.pick([
    ['email'],
    ['name', 'email', 'order history'],
    ['delivery address'],
  ]);
  b.attrs.cause = c.r.pick(['misdirected email', 'lost courier manifest', 'wrong attachment']);
  b.attrs.regulatorNotified = c.r.chance(0.3);
  const e = ev(c, 'comms', 'security', 'breach.record.create', b.actor, b.attrs, 'high');
  e.target = { type: 'breach_record', id: ref, name: `Personal information compromise ${ref}` };
  e.reason = 'POPIA section 22 / GDPR art. 33 register';
  return e;
}

function commsTables(): PlatformTables {
  const common = systemTemplates('comms');
  const agents = pool('comms', 'support_agent');
  const managers = pool('comms', 'account_manager');
  const billing = pool('comms', 'billing_clerk');
  const it = pool('comms', 'it_admin');
  const dpo = pool('comms', 'dpo');
  const everyone = pool(
    'comms',
    'support_agent',
    'account_manager',
    'billing_clerk',
    'admin',
    'it_admin',
    'dpo',
  );
  const frontline = [...agents, ...managers];
  const work = table([
    st(14, everyone, staffLogin),
    st(4, everyone, staffLogout),
    st(9, frontline, (c, p) => ticketEvent(c, p, 'ticket.view', 'data')),
    st(6, agents, (c, p) => ticketEvent(c, p, 'ticket.reply', 'communication')),
    st(2, agents, (c, p) => ticketEvent(c, p, 'ticket.assign', 'data')),
    st(3, agents, (c, p) => ticketEvent(c, p, 'ticket.close', 'data')),
    st(5, agents, callLog),
    st(8, frontline, (c, p) => customerEvent(c, p, 'customer.view', 'data')),
    st(1.5, agents, customerUpdate),
    st(0.4, frontline, smallExport),
    st(2, agents, (c, p) => order(c, p, 'order.create')),
    st(0.8, billing, (c, p) => order(c, p, 'order.refund')),
    st(3, agents, agentEmail),
    st(0.4, agents, consentWithdraw),
    st(0.01, dpo, breachRecord),
    st(0.3, it, (c, p) => passwordReset(c, p, frontline)),
    st(0.05, it, (c, p) => roleChange(c, p, agents)),
    st(0.05, it, (c, p) => permissionGrant(c, p, agents)),
  ]);
  const off = table([
    st(6, frontline, staffLogin),
    st(2, frontline, staffLogout),
    st(4, agents, (c, p) => ticketEvent(c, p, 'ticket.view', 'data')),
    st(3, agents, (c, p) => ticketEvent(c, p, 'ticket.reply', 'communication')),
    st(2, agents, callLog),
    st(3, agents, (c, p) => customerEvent(c, p, 'customer.view', 'data')),
  ]);
  const pub = table([
    [8, (c) => commsPublic(c, 'user.login')],
    [3, (c) => order(c, null, 'order.place')],
    [1, consentGive],
    [0.5, (c) => consentWithdraw(c, null)],
    [2, (c) => commsPublic(c, 'ticket.create')],
    [1, (c) => commsPublic(c, 'invoice.download')],
  ]);
  const svc = table([
    [10, (c) => campaignOrConfirmation(c, false)],
    [0.4, (c) => campaignOrConfirmation(c, true)],
    [3, orderConfirmation],
    [3, paymentCapture],
  ]);
  const sys = table([[1, (c) => pickFrom(common, c.r)(c)]]);
  return { work, off, pub, svc, sys };
}

interface PlatformTables {
  /** Staff on weekdays, 07:00-19:00 UTC. */
  work: Table;
  /** Staff at other times. */
  off: Table;
  /** Parents, students, clients and customers. */
  pub: Table;
  /** Services: notifications, campaigns, payments. */
  svc: Table;
  /** Scheduled system jobs. */
  sys: Table;
}

// ---------------------------------------------------------------------------------------------
// Volumes by hour

const STAFF_CURVE = [
  0.002, 0.002, 0.001, 0.001, 0.002, 0.01, 0.08, 0.55, 0.95, 1, 1, 0.95, 0.8, 0.9, 0.95, 0.9, 0.75,
  0.5, 0.3, 0.12, 0.08, 0.05, 0.02, 0.005,
];
const PUBLIC_CURVE = [
  0.02, 0.01, 0.005, 0.005, 0.01, 0.05, 0.25, 0.5, 0.6, 0.65, 0.65, 0.65, 0.7, 0.65, 0.7, 0.75, 0.8,
  0.85, 0.9, 0.9, 0.8, 0.55, 0.25, 0.08,
];
const SERVICE_CURVE = [
  0.02, 0.02, 0.02, 0.02, 0.02, 0.05, 0.3, 0.8, 1, 1, 0.9, 0.8, 0.7, 0.7, 0.7, 0.6, 0.55, 0.5, 0.3,
  0.15, 0.15, 0.15, 0.1, 0.05,
];
const SYSTEM_CURVE = [
  0.8, 1, 1, 0.9, 0.6, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
  0.1, 0.1, 0.1, 0.3,
];
const PLATFORMS: readonly Platform[] = ['school', 'coaching', 'comms'];
/** Relative volume of staff, public, service and system activity per platform. */
const SHARES: Record<Platform, readonly [number, number, number, number]> = {
  school: [0.3, 0.22, 0.04, 0.02],
  coaching: [0.1, 0.16, 0.03, 0.015],
  comms: [0.28, 0.1, 0.14, 0.02],
};
const SCHOOL_HOLIDAY_END = 20; // South African schools reopen for term 3 on 2026-07-21

function hourWeights(hourIndex: number, noise: number, out: Float64Array): number {
  const day = Math.floor(hourIndex / 24);
  const h = hourIndex % 24;
  const off = isOffDay(day);
  const curves = [
    STAFF_CURVE[h] * (off ? 0.07 : 1),
    PUBLIC_CURVE[h] * (off ? 0.7 : 1),
    SERVICE_CURVE[h] * (off ? 0.5 : 1),
    SYSTEM_CURVE[h],
  ];
  let total = 0;
  PLATFORMS.forEach((platform, pi) => {
    const season = platform === 'school' && day <= SCHOOL_HOLIDAY_END ? 0.35 : 1;
    for (let k = 0; k < 4; k++) {
      const w = SHARES[platform][k] * curves[k] * (k < 3 ? season : 1) * noise;
      out[pi * 4 + k] = total += w;
    }
  });
  return total;
}

// ---------------------------------------------------------------------------------------------
// Event identifiers

class IdMaker {
  private counter = 0;
  constructor(
    private readonly r: Rng,
    private readonly offset: number,
    private readonly reserved: ReadonlySet<string>,
  ) {}

  /** Unique per run: the first 8 hex digits are a bijection of a counter. */
  next = (platform: Platform): string => {
    for (;;) {
      const id =
        ID_PREFIX[platform] +
        hex8(mix32((this.counter++ + this.offset) >>> 0)) +
        hex4(this.r.next());
      if (!this.reserved.has(id)) return id;
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Planted incidents

/** A planted incident: what an investigator should find and the events that make it up. */
export interface DemoIncident {
  id: string;
  title: string;
  eventIds: string[];
}

interface Timed {
  ms: number;
  event: Ev;
}

const at = (iso: string) => Date.parse(iso);

function incidentContext(): { c: Ctx; ids: string[] } {
  const ids: string[] = [];
  let k = 0;
  const c: Ctx = {
    r: new Rng(0x1c1de47),
    ms: 0,
    time: '',
    day: 0,
    hour: 0,
    working: false,
    salt: 0x1c1de47,
    nextId: (platform) => {
      const id = ID_PREFIX[platform] + hex8(mix32(0xfeed0000 + k)) + hex4(mix32(0xbeef + k));
      k++;
      ids.push(id);
      return id;
    },
  };
  return { c, ids };
}

const ATTACKER_IP = '198.51.100.247';
const ATTACKER_GEO = { country: 'BR', city: 'São Paulo' };
const SCRIPT_AGENT = 'python-requests/2.32.3';
const ATTACKER_SESSION = 'sess_7f3c9a01d2e84b56';

/** Builds the planted incidents; the same events whatever the seed and the size. */
function buildIncidents(): { incidents: DemoIncident[]; events: Timed[] } {
  const { c, ids } = incidentContext();
  const events: Timed[] = [];
  const incidents: DemoIncident[] = [];
  const emit = (iso: string, build: () => Ev) => {
    setTime(c, at(iso));
    const event = build();
    events.push({ ms: c.ms, event });
    return event.id;
  };
  const incident = (id: string, title: string, body: () => void) => {
    const first = ids.length;
    body();
    incidents.push({ id, title, eventIds: ids.slice(first) });
  };

  // 1. Night-time bulk export of customer records by a support agent.
  incident(
    'night-bulk-export',
    'Bulk export of customer records at 02:00 UTC by a support agent',
    () => {
      const p = who('u-1187');
      emit('2026-08-14T02:03:41.207Z', () =>
        loginEvent(c, 'comms', staff(c, p), p, false, 'password+totp'),
      );
      const segments: readonly (readonly [string, string, number])[] = [
        ['SEG-region-gauteng', 'All customers, Gauteng', 18342],
        ['SEG-region-western-cape', 'All customers, Western Cape', 11207],
        ['SEG-region-kwazulu-natal', 'All customers, KwaZulu-Natal', 7961],
        ['SEG-international-eu', 'All customers, EU', 5214],
        ['SEG-international-uk', 'All customers, UK', 2893],
        ['SEG-all-remaining', 'All remaining customers', 12486],
      ];
      const times = [
        '02:07:12.530',
        '02:13:48.041',
        '02:21:05.916',
        '02:29:33.402',
        '02:38:10.775',
        '02:51:27.118',
      ];
      segments.forEach(([segment, name, count], i) => {
        emit(`2026-08-14T${times[i]}Z`, () => {
          const b = staff(c, p);
          b.attrs.format = 'csv';
          b.attrs.recordCount = count;
          b.attrs.fields = [
            'name',
            'email',
            'phone',
            'deliveryAddress',
            'idNumber',
            'orderHistory',
          ];
          b.attrs.bytes = count * 1187 + 512;
          b.attrs.fileName = `customers_${segment.slice(4)}_2026-08-14.csv`;
          b.attrs.destination = 'browser-download';
          const e = ev(c, 'comms', 'data', 'customer.export', b.actor, b.attrs);
          e.target = { type: 'customer_segment', id: segment, name };
          return e;
        });
      });
      emit('2026-08-14T02:54:02.660Z', () => staffLogout(c, p));
    },
  );

  // 2. Ten failed logins, then a success from a country the account has never used.
  incident(
    'brute-force-new-country',
    'Ten failed logins then a success from a new country (BR)',
    () => {
      const p = who('u-1042');
      const attempt = (iso: string, failed: boolean, n: number) =>
        emit(iso, () => {
          const b = staff(c, p, !failed);
          b.actor.ip = ATTACKER_IP;
          b.attrs.geo = { ...ATTACKER_GEO };
          b.userAgent = failed ? SCRIPT_AGENT : USER_AGENTS[0];
          if (!failed) b.actor.session = ATTACKER_SESSION;
          const e = loginEvent(c, 'school', b, p, failed, 'password+totp');
          if (failed) (e.attributes as Attrs).attempt = n;
          else (e.attributes as Attrs).mfa = 'totp-push-approved';
          return e;
        });
      const failures = [
        '14:07.118',
        '14:19.502',
        '14:33.870',
        '14:46.204',
        '15:02.733',
        '15:15.091',
        '15:29.648',
        '15:41.377',
        '15:58.912',
        '16:12.405',
      ];
      failures.forEach((t, i) => attempt(`2026-07-22T21:${t}Z`, true, i + 1));
      attempt('2026-07-22T21:31:06.529Z', false, 11);
      const followUp = (iso: string, act: string) =>
        emit(iso, () => {
          const e =
            act === 'gradebook.export' ? schoolReportExport(c, p) : schoolStudentEvent(c, p, act);
          if (act === 'gradebook.export') {
            e.action = act;
            (e.attributes as Attrs).recordCount = 214;
            (e.attributes as Attrs).format = 'xlsx';
          }
          e.actor.ip = ATTACKER_IP;
          (e.attributes as Attrs).geo = { ...ATTACKER_GEO };
          e.actor.session = ATTACKER_SESSION;
          return e;
        });
      followUp('2026-07-22T21:33:40.118Z', 'student.record.view');
      followUp('2026-07-22T21:36:02.954Z', 'gradebook.export');
    },
  );

  // 3. Privilege escalation on a Saturday night, outside any change window, with no ticket.
  incident(
    'privilege-escalation',
    'Role raised to admin on a Saturday night without a change ticket',
    () => {
      const admin = who('u-1217');
      const target = who('u-1163');
      emit('2026-09-05T23:02:17.804Z', () =>
        loginEvent(c, 'comms', staff(c, admin), admin, false, 'password+totp'),
      );
      emit('2026-09-05T23:12:44.391Z', () => {
        const b = staff(c, admin);
        b.attrs.changeWindow = null;
        const e = ev(c, 'comms', 'security', 'user.role.change', b.actor, b.attrs, 'medium');
        e.target = { type: 'user', id: target.id, name: target.name };
        e.changes = [{ field: 'role', before: 'support_agent', after: 'admin' }];
        return e;
      });
      for (const [iso, permission] of [
        ['2026-09-05T23:14:09.227Z', 'customers.export.all'],
        ['2026-09-05T23:14:31.650Z', 'audit.settings.manage'],
      ] as const) {
        emit(iso, () => {
          const b = staff(c, admin);
          b.attrs.permission = permission;
          b.attrs.expiresAt = null;
          const e = ev(c, 'comms', 'security', 'permission.grant', b.actor, b.attrs, 'low');
          e.target = { type: 'user', id: target.id, name: target.name };
          e.changes = [{ field: 'permissions', before: null, after: permission }];
          return e;
        });
      }
    },
  );

  // 4. Marketing messages to a customer after she withdrew consent.
  incident(
    'messages-after-consent-withdrawal',
    'Marketing messages sent after consent was withdrawn',
    () => {
      const n = 204518;
      const cu = customer(n);
      emit('2026-07-06T14:03:55.310Z', () => {
        const b = publicActor(c, cu, 'customer', n);
        b.attrs.purposes = ['marketing.email', 'marketing.sms'];
        b.attrs.via = 'signup-form';
        b.attrs.noticeVersion = 'relay-privacy-2026.1';
        const e = ev(c, 'comms', 'privacy', 'consent.give', b.actor, b.attrs);
        e.target = { type: 'consent_record', id: `CR-${n}`, name: 'Marketing consent' };
        e.subject = subjectOf(cu, 'customer');
        e.changes = [{ field: 'marketingConsent', before: false, after: true }];
        return e;
      });
      emit('2026-08-03T09:41:22.086Z', () => {
        const b = publicActor(c, cu, 'customer', n);
        b.attrs.purposes = ['marketing.email', 'marketing.sms'];
        b.attrs.via = 'preference-centre';
        b.attrs.consentRecord = `CR-${n}-2`;
        const e = ev(c, 'comms', 'privacy', 'consent.withdraw', b.actor, b.attrs);
        e.target = { type: 'consent_record', id: `CR-${n}`, name: 'Marketing consent' };
        e.subject = subjectOf(cu, 'customer');
        e.changes = [{ field: 'marketingConsent', before: true, after: false }];
        return e;
      });
      // The root cause an investigator can spot: these sends used a stale July audience list.
      const send = (iso: string, id: string) =>
        emit(iso, () => {
          const campaign = CAMPAIGNS.find((x) => x[0] === id) as (typeof CAMPAIGNS)[number];
          const e = campaignSend(c, n, campaign);
          (e.attributes as Attrs).audienceSnapshot = '2026-07-31';
          return e;
        });
      send('2026-08-11T08:15:03.442Z', 'CMP-2026-031');
      send('2026-08-25T08:20:47.915Z', 'CMP-2026-034');
      send('2026-09-01T10:05:12.377Z', 'CMP-2026-035');
      send('2026-09-08T08:12:39.061Z', 'CMP-2026-036');
    },
  );

  // 5. An erasure request opened and never closed.
  incident(
    'erasure-request-overdue',
    'Erasure request DSR-2026-0147 open past its 30-day deadline',
    () => {
      const agent = who('u-1170');
      const n = 231177;
      emit('2026-07-09T10:22:18.733Z', () =>
        dsrOpen(c, agent, n, 'DSR-2026-0147', 'erasure', 'email'),
      );
      emit('2026-07-09T10:26:51.204Z', () => {
        const e = customerEvent(c, agent, 'email.send', 'communication', n);
        const attrs = e.attributes as Attrs;
        attrs.messageId = `<${uuid(c.r)}@relay.example>`;
        attrs.template = 'dsr-acknowledgement';
        attrs.kind = 'transactional';
        attrs.requestId = 'DSR-2026-0147';
        return e;
      });
    },
  );

  // 6. A student record deleted without an approval reference.
  incident(
    'student-delete-without-approval',
    'Student record deleted without an approval reference',
    () => {
      const admin = who('u-1085');
      const s = student(30457);
      const withStudent = (e: Ev) => {
        e.target = {
          type: 'student_record',
          id: 'SR-30457',
          name: `${s.name}, grade ${s.grade}${s.cls}`,
        };
        e.subject = subjectOf(s, 'student');
        const attrs = e.attributes as Attrs;
        attrs.school = SCHOOLS[s.school];
        attrs.grade = s.grade;
        attrs.class = `${s.grade}${s.cls}`;
        return e;
      };
      emit('2026-09-17T16:44:05.590Z', () => {
        const b = staff(c, admin);
        return withStudent(ev(c, 'school', 'data', 'student.record.view', b.actor, b.attrs));
      });
      emit('2026-09-17T16:48:37.122Z', () => {
        const b = staff(c, admin);
        b.attrs.retention = 'none';
        const e = withStudent(
          ev(c, 'school', 'data', 'student.delete', b.actor, b.attrs, 'medium'),
        );
        e.reason = 'record cleanup';
        return e;
      });
    },
  );

  events.sort((a, b) => a.ms - b.ms);
  return { incidents, events };
}

function dsrOpen(
  c: Ctx,
  agent: Person,
  n: number,
  requestId: string,
  type: string,
  via: string,
): Ev {
  const e = customerEvent(c, agent, 'dsr.open', 'privacy', n);
  const cu = customer(n);
  const attrs = e.attributes as Attrs;
  attrs.requestId = requestId;
  attrs.requestType = type;
  attrs.law =
    cu.country === 'ZA'
      ? 'POPIA s23-25'
      : 'GDPR art. ' + (type === 'erasure' ? '17' : type === 'access' ? '15' : '16');
  attrs.receivedVia = via;
  attrs.deadline = isoDate(c.ms + 30 * DAY);
  attrs.identityVerified = true;
  e.target = {
    type: 'data_subject_request',
    id: requestId,
    name: `${type} request from ${cu.name}`,
  };
  return e;
}

/** Background data-subject requests: opened, fulfilled and closed within their deadline. */
function planStories(size: number, r: Rng, ids: IdMaker): Timed[] {
  const out: Timed[] = [];
  const c: Ctx = {
    r,
    ms: 0,
    time: '',
    day: 0,
    hour: 0,
    working: true,
    salt: r.next(),
    nextId: ids.next,
  };
  // Requests are handled on working days, between 08:30 and 18:00 UTC.
  const workingDay = (day: number) => {
    let d = Math.min(day, DAYS - 1);
    while (isOffDay(d) && d < DAYS - 1) d++;
    return d;
  };
  const workingTime = (day: number) =>
    DEMO_PERIOD.start + day * DAY + (8 * 60 + 30 + r.int(9 * 60 + 30)) * 60_000 + r.int(60_000);
  const emit = (ms: number, build: () => Ev) => {
    setTime(c, ms);
    out.push({ ms, event: build() });
  };

  const agents = pool('comms', 'support_agent');
  const dpos = pool('comms', 'dpo');
  const comms = Math.min(2000, Math.max(3, Math.round(size / 5000)));
  const opens: { ms: number; n: number; closeDay: number; type: string }[] = [];
  // Both days are working days and the close day is later, so a request closes after it opens,
  // within 26 days plus a long weekend: always inside the 30-day deadline.
  const used = new Set<number>();
  for (let i = 0; i < comms; i++) {
    const openDay = workingDay(r.int(DAYS - 6));
    let n: number;
    do n = customerInPool(r, 11);
    while (used.has(n));
    used.add(n);
    const type = r.pick(['access', 'access', 'access', 'erasure', 'erasure', 'rectification']);
    const closeDay = workingDay(openDay + r.range(2, 26));
    opens.push({ ms: workingTime(openDay), n, closeDay, type });
  }
  opens.sort((a, b) => a.ms - b.ms);
  let number = 100;
  for (const { ms, n, closeDay, type } of opens) {
    if (number === 147) number++; // DSR-2026-0147 is incident 5
    const requestId = `DSR-2026-${pad(number++, 4)}`;
    emit(ms, () =>
      dsrOpen(c, r.pick(agents), n, requestId, type, r.pick(['email', 'web-form', 'phone'])),
    );
    const closeMs = workingTime(closeDay);
    const fulfilMs = closeMs - r.range(10, 80) * 60_000;
    const dpo = r.pick(dpos);
    emit(fulfilMs, () => {
      const act =
        type === 'access'
          ? 'customer.export'
          : type === 'erasure'
            ? 'customer.erase'
            : 'customer.update';
      const e = customerEvent(c, dpo, act, type === 'erasure' ? 'privacy' : 'data', n);
      const attrs = e.attributes as Attrs;
      attrs.requestId = requestId;
      if (type === 'access') {
        attrs.format = 'json';
        attrs.recordCount = 1;
        attrs.purpose = 'data-subject access request';
      } else if (type === 'erasure') {
        attrs.systemsErased = ['crm', 'orders-anonymised', 'mailing'];
        attrs.backupsExpireBy = isoDate(fulfilMs + 35 * DAY);
      } else {
        e.changes = [{ field: 'deliveryAddress', before: '[masked]', after: '[masked]' }];
      }
      return e;
    });
    emit(closeMs, () => {
      const e = customerEvent(c, dpo, 'dsr.close', 'privacy', n);
      const attrs = e.attributes as Attrs;
      attrs.requestId = requestId;
      attrs.requestType = type;
      attrs.resolution = 'completed';
      attrs.daysOpen = Math.ceil((closeMs - ms) / DAY);
      attrs.withinDeadline = true;
      e.target = { type: 'data_subject_request', id: requestId, name: `${type} request` };
      return e;
    });
  }

  const coachingDpo = pool('coaching', 'dpo')[0];
  const coachingSupport = pool('coaching', 'support_agent');
  const coaching = Math.min(200, Math.max(2, Math.round(size / 10000)));
  const usedClients = new Set<number>();
  for (let i = 0; i < coaching; i++) {
    const openDay = workingDay(r.int(DAYS - 6));
    let n: number;
    do n = CLIENT_BASE + r.int(CLIENTS);
    while (!isErasedClient(n) || usedClients.has(n));
    usedClients.add(n);
    const requestId = `ER-ST-2026-${pad(i + 1, 4)}`;
    const openMs = workingTime(openDay);
    const closeMs = workingTime(workingDay(openDay + r.range(1, 21)));
    const cl = client(n);
    const support = r.pick(coachingSupport);
    emit(openMs, () => {
      const b = staff(c, support);
      b.attrs.requestId = requestId;
      b.attrs.law = 'GDPR art. 17';
      b.attrs.receivedVia = r.pick(['email', 'in-app']);
      b.attrs.deadline = isoDate(openMs + 30 * DAY);
      const e = ev(c, 'coaching', 'privacy', 'gdpr.erasure.request', b.actor, b.attrs);
      e.target = {
        type: 'data_subject_request',
        id: requestId,
        name: `Erasure request from ${cl.name}`,
      };
      e.subject = subjectOf(cl, 'client');
      return e;
    });
    emit(closeMs, () => {
      const b = staff(c, coachingDpo);
      b.attrs.requestId = requestId;
      b.attrs.recordsErased = r.range(40, 2400);
      b.attrs.systemsErased = ['profiles', 'sessions', 'activities', 'billing-anonymised'];
      b.attrs.daysOpen = Math.ceil((closeMs - openMs) / DAY);
      const e = ev(c, 'coaching', 'privacy', 'client.erase', b.actor, b.attrs, 'low');
      e.target = { type: 'client_profile', id: `CP-${n}`, name: cl.name };
      e.subject = subjectOf(cl, 'client');
      e.changes = [{ field: 'profile', before: '[personal data]', after: null }];
      return e;
    });
  }
  out.sort((a, b) => a.ms - b.ms);
  return out;
}

const PLANTED = buildIncidents();
const RESERVED_IDS: ReadonlySet<string> = new Set(PLANTED.events.map((t) => t.event.id));

/** The planted incidents, each with the ids of its events (the same for every seed and size). */
export const DEMO_INCIDENTS: readonly DemoIncident[] = PLANTED.incidents;

// ---------------------------------------------------------------------------------------------
// The generator

let tables: Record<Platform, PlatformTables> | undefined;

/**
 * Events of 2026-Q3 (2026-07-01T00:00Z .. 2026-09-30T23:59:59.999Z), ascending by time, exactly
 * `size` of them. The planted incidents ({@link DEMO_INCIDENTS}) and a few data-subject-request
 * stories are always included; the rest is background activity drawn from `seed`. Streams hour
 * by hour, so memory does not grow with `size`.
 */
export function* generateDemoEvents(options: DemoOptions): Generator<CustosAuditEvent> {
  const { size, seed } = options;
  if (!Number.isSafeInteger(size) || size < DEMO_MIN_SIZE) {
    throw new RangeError(`demo size must be an integer of at least ${DEMO_MIN_SIZE}, got ${size}`);
  }
  if (!Number.isSafeInteger(seed))
    throw new RangeError(`demo seed must be an integer, got ${seed}`);
  tables ??= { school: schoolTables(), coaching: coachingTables(), comms: commsTables() };
  const word = seedWord(seed);
  const ids = new IdMaker(new Rng(word ^ 0x1d1d1d1d), mix32(word ^ 0x0ff5e7), RESERVED_IDS);
  const stories = planStories(size, new Rng(word ^ 0x57025), ids);
  // Fresh copies, so that a caller mutating an event cannot change the next run.
  const planned: Timed[] = [...buildIncidents().events, ...stories].sort((a, b) => a.ms - b.ms);
  const background = size - planned.length;

  // Per-hour counts: cumulative weights scaled to exactly `background` events.
  const scheduleRng = new Rng(word ^ 0x5c4ed);
  const weights = new Float64Array(12);
  const noise = new Float64Array(HOURS);
  const cumulative = new Float64Array(HOURS + 1);
  for (let d = 0; d < DAYS; d++) {
    const dayNoise = 0.9 + 0.2 * scheduleRng.float();
    for (let h = 0; h < 24; h++) {
      const i = d * 24 + h;
      noise[i] = dayNoise * (0.85 + 0.3 * scheduleRng.float());
      cumulative[i + 1] = cumulative[i] + hourWeights(i, noise[i], weights);
    }
  }
  const totalWeight = cumulative[HOURS];

  const r = new Rng(word);
  const c: Ctx = {
    r,
    ms: 0,
    time: '',
    day: 0,
    hour: 0,
    working: false,
    salt: word,
    nextId: ids.next,
  };
  let next = 0;
  let emitted = 0;
  for (let i = 0; i < HOURS; i++) {
    const until =
      i === HOURS - 1 ? background : Math.floor(background * (cumulative[i + 1] / totalWeight));
    const n = until - emitted;
    emitted = until;
    const hourStart = DEMO_PERIOD.start + i * HOUR;
    const prefix = setHour(c, i);
    const times = new Float64Array(n);
    for (let k = 0; k < n; k++) times[k] = hourStart + r.int(HOUR);
    times.sort();
    const total = hourWeights(i, noise[i], weights);
    for (let k = 0; k < n; k++) {
      const ms = times[k];
      while (next < planned.length && planned[next].ms <= ms) yield planned[next++].event;
      setTimeInHour(c, ms, hourStart, prefix);
      const x = r.float() * total;
      let slot = 0;
      while (weights[slot] <= x && slot < 11) slot++;
      const t = tables[PLATFORMS[slot >> 2]];
      const kind = slot & 3;
      const chosen =
        kind === 0 ? (c.working ? t.work : t.off) : kind === 1 ? t.pub : kind === 2 ? t.svc : t.sys;
      yield pickFrom(chosen, r)(c);
    }
    const hourEnd = hourStart + HOUR;
    while (next < planned.length && planned[next].ms < hourEnd) yield planned[next++].event;
  }
  while (next < planned.length) yield planned[next++].event;
}
