// A deterministic English-like corpus: Zipf-distributed words (common English words
// first, then made-up ones), sentences, commas, paragraphs, a few accented words. The
// same (seed, size, files) always gives the same bytes, so benchmarks and tests on a
// machine without the course texts are repeatable.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rand } from "../../runtime/rand.js";
import { runsDir } from "./paths.js";

const COMMON = (
  "the of and to a in that he was it his i with is for as had you not be her on at by which have " +
  "or from this him but all she they were my are me one their so an said them we who would been will " +
  "no when there if more out up into do any your what has man could other than our some very time upon " +
  "about may its only now like little then can should made did us such great before must two these see " +
  "know over much down after first good men own never most old shall day where those came come himself " +
  "way work life without go make well through being long say might how am too even under here " +
  "again many back while last house thought eyes hand away nothing every place night head yet once " +
  "found still tell face mind whom father mother door room heart world light things asked called"
).split(" ");

const ACCENTED = ["café", "naïve", "façade", "rôle", "élan", "Zoë", "über", "señor", "jalapeño", "crème"];

const ONSETS = ["b", "br", "c", "ch", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pr", "qu", "r", "s", "sh", "sl", "st", "t", "th", "tr", "v", "w", "wh", "y", "z", ""];
const VOWELS = ["a", "e", "i", "o", "u", "ea", "ou", "ai", "oo", "ie"];
const CODAS = ["", "", "", "n", "r", "s", "t", "l", "d", "ng", "st", "ck", "m", "rd", "nt"];

export interface CorpusSpec {
  /** Total size, approximately (each file is cut at a line end past its share). */
  bytes: number;
  files: number;
  seed: number;
  /** File names; default part-00.txt, part-01.txt, ... */
  names?: string[];
}

/** The course's eight titles, so that generated stand-ins keep their "sherlock" and "tom". */
export const COURSE_TITLES = [
  "being_ernest", "dorian_gray", "frankenstein", "grimm",
  "huckleberry_finn", "metamorphosis", "sherlock_holmes", "tom_sawyer",
];

const VOCAB_SIZE = 30_000;

// Syllable soup can spell words nobody wants in a demo corpus; those are skipped.
const UNWANTED = /fuck|shit|cunt|dick|cock|nig|fag|slut|whor|rape|bitch|twat|piss|tit|cum|ass|sex|porn|kill|die|dead/;

class Vocabulary {
  readonly words: string[];
  private readonly cumulative: Float64Array;

  constructor(seed: number) {
    const rand = new Rand(seed, "corpus/vocabulary");
    const pick = (xs: string[]): string => xs[rand.randInt(xs.length)]!;
    const seen = new Set<string>(COMMON);
    const words = [...seen];
    while (words.length < VOCAB_SIZE - ACCENTED.length) {
      let w = "";
      const syllables = 1 + rand.randInt(2) + (rand.randInt(5) === 0 ? 1 : 0);
      for (let i = 0; i < syllables; i++) w += pick(ONSETS) + pick(VOWELS) + pick(CODAS);
      if (w.length > 1 && !seen.has(w) && !UNWANTED.test(w)) {
        seen.add(w);
        words.push(w);
      }
    }
    // Accented words sit in the middle of the ranking: rare, but present in every file.
    words.splice(400, 0, ...ACCENTED);
    this.words = words;
    this.cumulative = new Float64Array(words.length);
    let sum = 0;
    for (let r = 0; r < words.length; r++) {
      sum += 1 / (r + 2.7);
      this.cumulative[r] = sum;
    }
    for (let r = 0; r < words.length; r++) this.cumulative[r]! /= sum;
  }

  sample(rand: Rand): string {
    const u = rand.random();
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return this.words[lo]!;
  }
}

function capitalize(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** About `bytes` bytes of text (whole lines), from its own random stream. */
function generateText(vocab: Vocabulary, rand: Rand, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  let line = "";
  let sentencesLeft = 3 + rand.randInt(6);
  const emit = (l: string): void => {
    lines.push(l);
    size += Buffer.byteLength(l) + 1;
  };
  while (size < bytes) {
    const n = 4 + rand.randInt(18);
    for (let i = 0; i < n; i++) {
      let w = vocab.sample(rand);
      if (i === 0 || rand.randInt(40) === 0) w = capitalize(w);
      if (i === n - 1) {
        const p = rand.randInt(100);
        w += p < 85 ? "." : p < 93 ? "?" : "!";
      } else if (rand.randInt(14) === 0) w += ",";
      if (line.length + 1 + w.length > 72) {
        emit(line);
        line = w;
      } else line = line === "" ? w : `${line} ${w}`;
    }
    if (--sentencesLeft === 0) {
      emit(line);
      emit("");
      line = "";
      sentencesLeft = 3 + rand.randInt(6);
    }
  }
  if (line !== "") emit(line);
  return lines.join("\n") + "\n";
}

function fileNames(spec: CorpusSpec): string[] {
  const names = spec.names ?? Array.from({ length: spec.files }, (_, i) => `part-${String(i).padStart(2, "0")}.txt`);
  if (names.length !== spec.files) throw new Error(`corpus: ${spec.files} files but ${names.length} names`);
  return names;
}

/** Writes the corpus into dir (created if needed); returns the file paths. */
export function writeCorpus(dir: string, spec: CorpusSpec): string[] {
  if (!(spec.bytes > 0) || !Number.isInteger(spec.files) || spec.files < 1) {
    throw new Error(`corpus: want bytes > 0 and files >= 1, got ${spec.bytes} bytes in ${spec.files} files`);
  }
  mkdirSync(dir, { recursive: true });
  const vocab = new Vocabulary(spec.seed);
  return fileNames(spec).map((name, i) => {
    const text = generateText(vocab, new Rand(spec.seed, `corpus/file/${i}`), Math.ceil(spec.bytes / spec.files));
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}

/**
 * The corpus for spec, generated once into .labs-runs/corpus/ and reused after. A
 * half-written one is never seen: it is built in a temp folder and renamed into place.
 */
export function cachedCorpus(spec: CorpusSpec, label = "corpus"): string[] {
  const dir = join(runsDir, "corpus", `${label}-${spec.bytes}b-${spec.files}f-s${spec.seed}`);
  const names = fileNames(spec);
  if (existsSync(dir) && names.every((n) => existsSync(join(dir, n)))) return names.map((n) => join(dir, n));
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  writeCorpus(tmp, spec);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    // Another process finished the same corpus first; theirs is identical.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dir)) throw e;
  }
  return names.map((n) => join(dir, n));
}

/** Stand-ins for the course's eight texts (about 3.3 MB, named pg-gen-<title>.txt). */
export function courseLikeCorpus(): string[] {
  return cachedCorpus(
    { bytes: 3_300_000, files: COURSE_TITLES.length, seed: 6824, names: COURSE_TITLES.map((t) => `pg-gen-${t}.txt`) },
    "course-like",
  );
}
