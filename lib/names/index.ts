/**
 * docker's container name generator (moby internal/namesgenerator, formerly
 * pkg/namesgenerator): `adjective_surname`, never "boring_wozniak", and a
 * random decimal digit appended on every retry after the first.
 *
 * The lists are moby's, in moby's order (the package is frozen upstream).
 */

/** Adjectives (moby's `left`). */
export const LEFT: readonly string[] = Object.freeze([
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful',
  'blissful', 'bold', 'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate',
  'competent', 'condescending', 'confident', 'cool', 'cranky', 'crazy', 'dazzling', 'determined',
  'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated', 'elegant', 'eloquent', 'epic',
  'exciting', 'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty', 'funny',
  'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful',
  'hungry', 'infallible', 'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen',
  'kind', 'laughing', 'loving', 'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty',
  'nervous', 'nice', 'nifty', 'nostalgic', 'objective', 'optimistic', 'peaceful', 'pedantic',
  'pensive', 'practical', 'priceless', 'quirky', 'quizzical', 'recursing', 'relaxed', 'reverent',
  'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange', 'stupefied',
  'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant',
  'vigilant', 'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen',
]);

/** Surnames of notable scientists and hackers (moby's `right`). */
export const RIGHT: readonly string[] = Object.freeze([
  'agnesi', 'albattani', 'allen', 'almeida', 'antonelli', 'archimedes', 'ardinghelli', 'aryabhata',
  'austin', 'babbage', 'banach', 'banzai', 'bardeen', 'bartik', 'bassi', 'beaver', 'bell', 'benz',
  'bhabha', 'bhaskara', 'black', 'blackburn', 'blackwell', 'bohr', 'booth', 'borg', 'bose',
  'bouman', 'boyd', 'brahmagupta', 'brattain', 'brown', 'buck', 'burnell', 'cannon', 'carson',
  'cartwright', 'carver', 'cerf', 'chandrasekhar', 'chaplygin', 'chatelet', 'chatterjee', 'chaum',
  'chebyshev', 'clarke', 'cohen', 'colden', 'cori', 'cray', 'curie', 'curran', 'darwin', 'davinci',
  'dewdney', 'dhawan', 'diffie', 'dijkstra', 'dirac', 'driscoll', 'dubinsky', 'easley', 'edison',
  'einstein', 'elbakyan', 'elgamal', 'elion', 'ellis', 'engelbart', 'euclid', 'euler', 'faraday',
  'feistel', 'fermat', 'fermi', 'feynman', 'franklin', 'gagarin', 'galileo', 'galois', 'ganguly',
  'gates', 'gauss', 'germain', 'goldberg', 'goldstine', 'goldwasser', 'golick', 'goodall', 'gould',
  'greider', 'grothendieck', 'haibt', 'hamilton', 'haslett', 'hawking', 'heisenberg', 'hellman',
  'hermann', 'herschel', 'hertz', 'heyrovsky', 'hodgkin', 'hofstadter', 'hoover', 'hopper',
  'hugle', 'hypatia', 'ishizaka', 'jackson', 'jang', 'jemison', 'jennings', 'jepsen', 'johnson',
  'joliot', 'jones', 'kalam', 'kapitsa', 'kare', 'keldysh', 'keller', 'kepler', 'khayyam',
  'khorana', 'kilby', 'kirch', 'knuth', 'kowalevski', 'lalande', 'lamarr', 'lamport', 'leakey',
  'leavitt', 'lederberg', 'lehmann', 'lewin', 'lichterman', 'liskov', 'lovelace', 'lumiere',
  'mahavira', 'margulis', 'matsumoto', 'maxwell', 'mayer', 'mccarthy', 'mcclintock', 'mclaren',
  'mclean', 'mcnulty', 'meitner', 'mendel', 'mendeleev', 'meninsky', 'merkle', 'mestorf',
  'mirzakhani', 'montalcini', 'moore', 'morse', 'moser', 'murdock', 'napier', 'nash', 'neumann',
  'newton', 'nightingale', 'nobel', 'noether', 'northcutt', 'noyce', 'panini', 'pare', 'pascal',
  'pasteur', 'payne', 'perlman', 'pike', 'poincare', 'poitras', 'proskuriakova', 'ptolemy',
  'raman', 'ramanujan', 'rhodes', 'ride', 'ritchie', 'robinson', 'roentgen', 'rosalind', 'rubin',
  'saha', 'sammet', 'sanderson', 'satoshi', 'shamir', 'shannon', 'shaw', 'shirley', 'shockley',
  'shtern', 'sinoussi', 'snyder', 'solomon', 'spence', 'stonebraker', 'sutherland', 'swanson',
  'swartz', 'swirles', 'taussig', 'tesla', 'tharp', 'thompson', 'torvalds', 'tu', 'turing',
  'varahamihira', 'vaughan', 'villani', 'visvesvaraya', 'volhard', 'wescoff', 'wilbur', 'wiles',
  'williams', 'williamson', 'wilson', 'wing', 'wozniak', 'wright', 'wu', 'yalow', 'yonath',
  'zhukovsky',
]);

/** How many names docker tries before giving up (daemon/names.go generateNewName). */
export const MAX_NAME_ATTEMPTS = 6;

/** A source of uniform floats in [0, 1), like Math.random. */
export type RandomSource = () => number;

function pick(n: number, random: RandomSource): number {
  const i = Math.floor(random() * n);
  // Guard against sources that return exactly 1 (or garbage).
  return Number.isFinite(i) ? Math.min(Math.max(i, 0), n - 1) : 0;
}

/**
 * moby's GetRandomName(retry): one candidate name. For `retry > 0` a random
 * digit 0-9 is appended, e.g. `focused_turing3`.
 */
export function getRandomName(retry = 0, random: RandomSource = Math.random): string {
  for (;;) {
    const name = `${LEFT[pick(LEFT.length, random)]}_${RIGHT[pick(RIGHT.length, random)]}`;
    if (name === 'boring_wozniak' /* Steve Wozniak is not boring */) continue;
    return retry > 0 ? name + String(pick(10, random)) : name;
  }
}

/**
 * Generate a container name that `taken` does not report as in use.
 *
 * Like docker: attempt 0 is a bare `adjective_surname`; attempts 1-5 append a
 * random digit. docker then falls back to the 12-character truncated container
 * ID; pass `fallbackId` to get that behaviour. Without it we keep drawing
 * (digit-suffixed) names for a while longer, and throw if every draw collides.
 */
export function generateName(
  taken: (name: string) => boolean,
  random: RandomSource = Math.random,
  fallbackId?: string,
): string {
  const attempts = fallbackId === undefined ? 1000 : MAX_NAME_ATTEMPTS;
  for (let i = 0; i < attempts; i++) {
    const name = getRandomName(i, random);
    if (!taken(name)) return name;
  }
  if (fallbackId !== undefined) return fallbackId.slice(0, 12);
  throw new Error(`could not generate a unique container name after ${attempts} attempts`);
}
