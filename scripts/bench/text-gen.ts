import { Prng } from './prng.ts';

/**
 * Log-like and prose-like text: the kind of data a directory sync tool sees
 * most, and compressible roughly as well as real logs (repeated vocabulary,
 * structured prefixes, varying numbers).
 */
const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they ' +
  'you were her all she there would their we him been has when who will more no if out so said what up its about ' +
  'into than them can only other new some could time these two may then do first any my now such like our over man ' +
  'me even most made after also did many before must through back years where much your way well down should ' +
  'because each just those people how too little state good very make world still own see men work long get here ' +
  'between both life being under never day same another know while last might us great old year off come since ' +
  'against go came right used take three sync directory hub client chunk manifest peer stream file block index'
).split(' ');

const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARN', 'ERROR'];
const COMPONENTS = ['net.dial', 'net.accept', 'store.put', 'store.get', 'index.scan', 'sync.pull', 'sync.push', 'http.req'];
const VERBS = ['completed', 'started', 'retrying', 'queued', 'skipped', 'failed', 'accepted', 'closed'];

function sentence(rng: Prng): string {
  const n = rng.int(6, 18);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(rng.pick(WORDS));
  const first = words[0] ?? 'the';
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return `${words.join(' ')}.`;
}

export function logLines(rng: Prng, targetBytes: number): string {
  const out: string[] = [];
  let size = 0;
  // Fixed epoch so the output depends on the seed only.
  let ts = Date.UTC(2025, 0, 1);
  while (size < targetBytes) {
    ts += rng.int(0, 900);
    const line =
      `${new Date(ts).toISOString()} ${rng.pick(LEVELS).padEnd(5)} [${rng.pick(COMPONENTS)}] ` +
      `req=${rng.nextU32().toString(16).padStart(8, '0')} ${rng.pick(VERBS)} in ${rng.int(0, 5000)}ms ` +
      `bytes=${rng.int(0, 1 << 20)} peer=12D3KooW${rng.nextU32().toString(36)}: ${sentence(rng)}\n`;
    out.push(line);
    size += line.length;
  }
  return out.join('').slice(0, targetBytes);
}

export function prose(rng: Prng, targetBytes: number): string {
  const out: string[] = [];
  let size = 0;
  while (size < targetBytes) {
    const sentences: string[] = [];
    for (let i = rng.int(3, 8); i > 0; i--) sentences.push(sentence(rng));
    const paragraph = `${sentences.join(' ')}\n\n`;
    out.push(paragraph);
    size += paragraph.length;
  }
  return out.join('').slice(0, targetBytes);
}
