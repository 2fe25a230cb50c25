/**
 * Generates datasets/fluid-notes: a small NSynth-like set of single musical notes rendered
 * with Debian's FluidSynth from the FluidR3_GM SoundFont (package fluid-soundfont-gm, MIT) —
 * ten General MIDI instruments from ten families, 25 consecutive pitches each, five
 * velocities, 1 s at 16 kHz — stored as 64-bin log-mel frames (uint8) with the known pitch,
 * velocity and program and the descriptors measured on each rendered note.
 *
 * Needs `fluidsynth`, `fluid-soundfont-gm` and `sox` (users never do: the result is committed).
 * Deterministic: FluidSynth renders without reverb, chorus or dither, sox mixes to mono
 * without dither, and every choice comes from fixed tables or a seeded Rng.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeMidi, MidiData } from 'midi-file';
import { Rng } from '../../lib';
import { logMel } from '../../lib/audio/logMel';
import { noteDescriptors } from '../../lib/audio/noteDescriptors';
import { readWav, writeWav } from '../../lib/audio/wav';
import { DatasetManifest, writeDataset, gzipJson, gzipIdx } from '../../lib/data/datasetFiles';
import { FLUID_NOTES_FEATURES, FLUID_NOTES_INSTRUMENTS, FluidNote } from '../../lib/data/fluidNotes';
import { filesSection, readmeHead } from './readme';

const SOUNDFONT = process.env.FLUID_SOUNDFONT ?? '/usr/share/sounds/sf2/FluidR3_GM.sf2';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SEED = 20261130;
const VELOCITIES = [32, 56, 80, 104, 127];
const PITCHES_PER_INSTRUMENT = 25;
/** Seconds between note onsets in the rendered stream; each note is held 0.75 s and cut to 1 s. */
const SPACING = 2;
const HOLD = 0.75;
const TICKS_PER_SECOND = 960; // 480 ticks per beat at 120 bpm

function need(tool: string, hint: string): void {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
  } catch {
    throw new Error(`${tool} not found: apt-get install ${hint}`);
  }
}

/** One MIDI file playing `notes` on channel 0 with `program`, one onset every SPACING seconds. */
function midiFor(program: number, notes: { pitch: number; velocity: number }[]): Buffer {
  const events: MidiData['tracks'][number] = [
    { deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: 500000 },
    { deltaTime: 0, channel: 0, type: 'programChange', programNumber: program },
  ];
  const hold = Math.round(HOLD * TICKS_PER_SECOND),
    rest = Math.round((SPACING - HOLD) * TICKS_PER_SECOND);
  notes.forEach((n, i) => {
    events.push({
      deltaTime: i === 0 ? 0 : rest,
      channel: 0,
      type: 'noteOn',
      noteNumber: n.pitch,
      velocity: n.velocity,
    });
    events.push({ deltaTime: hold, channel: 0, type: 'noteOff', noteNumber: n.pitch, velocity: 0 });
  });
  events.push({ deltaTime: rest, meta: true, type: 'endOfTrack' });
  return Buffer.from(writeMidi({ header: { format: 0, numTracks: 1, ticksPerBeat: 480 }, tracks: [events] }));
}

/** Renders a MIDI file to mono 16 kHz samples (FluidSynth, then sox to one channel). */
function render(midi: Buffer, dir: string, name: string): Float32Array {
  const mid = path.join(dir, `${name}.mid`),
    stereo = path.join(dir, `${name}.stereo.wav`),
    mono = path.join(dir, `${name}.wav`);
  fs.writeFileSync(mid, midi);
  execFileSync('fluidsynth', [
    '-ni',
    '-q',
    '-R',
    '0',
    '-C',
    '0',
    '-g',
    '1.0',
    '-r',
    '16000',
    '-O',
    's16',
    '-T',
    'wav',
    '-F',
    stereo,
    SOUNDFONT,
    mid,
  ]);
  execFileSync('sox', ['-D', stereo, '-c', '1', mono]);
  return readWav(mono).samples;
}

function quantize(values: Float32Array, lo: number, hi: number): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++)
    out[i] = Math.round((255 * (Math.min(Math.max(values[i], lo), hi) - lo)) / (hi - lo));
  return out;
}

function main(): void {
  need('fluidsynth', 'fluidsynth fluid-soundfont-gm');
  need('sox', 'sox');
  if (!fs.existsSync(SOUNDFONT))
    throw new Error(`${SOUNDFONT} not found: apt-get install fluid-soundfont-gm (or set FLUID_SOUNDFONT)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fluid-notes-'));
  const rng = new Rng(SEED);
  const records: FluidNote[] = [];
  const frames: Uint8Array[] = [];
  const listen: { name: string; bytes: Buffer; format: 'wav'; description: string }[] = [];
  const f = FLUID_NOTES_FEATURES;
  for (const inst of FLUID_NOTES_INSTRUMENTS) {
    const notes = [];
    for (let p = 0; p < PITCHES_PER_INSTRUMENT; p++)
      for (const velocity of VELOCITIES) notes.push({ pitch: inst.lowPitch + p, velocity });
    const samples = render(midiFor(inst.program, notes), tmp, inst.name.replace(/\W+/g, '-'));
    // Held-out notes: a seeded fifth of the (pitch, velocity) pairs of every instrument.
    const testIdx = new Set(rng.shuffle(notes.map((_, i) => i)).slice(0, Math.round(notes.length / 5)));
    notes.forEach((n, i) => {
      const start = Math.round(i * SPACING * f.sampleRate);
      const clip = samples.slice(start, start + f.sampleRate);
      if (clip.length !== f.sampleRate) throw new Error(`${inst.name}: the render ended before note ${i}`);
      const mel = logMel(clip, {
        sampleRate: f.sampleRate,
        nFft: f.nFft,
        hop: f.hop,
        nMels: f.nMels,
        fMin: 0,
        fMax: f.sampleRate / 2,
      });
      if (mel.rows !== f.frames) throw new Error(`expected ${f.frames} frames per note but logMel gave ${mel.rows}`);
      frames.push(quantize(mel.data, f.logMelMin, f.logMelMax));
      records.push({
        id: records.length,
        instrument: inst.name,
        family: inst.family,
        program: inst.program,
        pitch: n.pitch,
        velocity: n.velocity,
        split: testIdx.has(i) ? 'test' : 'train',
        ...noteDescriptors(clip, f.sampleRate, { heldSeconds: HOLD }),
      });
      if (n.pitch === inst.lowPitch + 12 && n.velocity === 104) {
        listen.push({
          name: `listen-${inst.family}.wav`,
          bytes: writeWav(clip, f.sampleRate),
          format: 'wav',
          description:
            `${inst.name}, MIDI pitch ${n.pitch}, velocity ${n.velocity}: ` + 'the rendered 1 s note (16 kHz PCM16)',
        });
      }
    });
    process.stdout.write(`\r${inst.name.padEnd(28)} ${records.length} notes`);
  }
  process.stdout.write('\n');
  fs.rmSync(tmp, { recursive: true, force: true });
  const melData = new Uint8Array(frames.length * f.frames * f.nMels);
  frames.forEach((fr, i) => melData.set(fr, i * f.frames * f.nMels));
  const dir = path.join(REPO_ROOT, 'datasets', 'fluid-notes');
  const counts = {
    notes: records.length,
    train: records.filter((r) => r.split === 'train').length,
    test: records.filter((r) => r.split === 'test').length,
  };
  const manifest = writeDataset(
    dir,
    {
      name: 'fluid-notes',
      source:
        `FluidR3_GM SoundFont (Frank Wen, MIT licence) from Debian package ` +
        `fluid-soundfont-gm (${SOUNDFONT}), rendered with FluidSynth`,
      licence: 'MIT — see LICENSE',
      description:
        'Single notes of ten General MIDI instruments (25 pitches × 5 velocities each, ' +
        '1 s at 16 kHz) as 64-bin log-mel frames with known pitch/velocity/program ' +
        'and measured loudness, centroid, flatness, f0 and attack time.',
      generator: 'scripts/datasets/fluidNotes.ts',
      seed: SEED,
      counts,
    },
    [
      {
        name: 'logmel.idx3-ubyte.gz',
        bytes: gzipIdx({ data: melData, shape: [records.length, f.frames, f.nMels] }),
        format: 'idx-gz',
        description:
          `uint8 [notes, ${f.frames}, ${f.nMels}] log-mel, ` + `value = logMelMin + q/255·(logMelMax − logMelMin)`,
      },
      {
        name: 'notes.json.gz',
        bytes: gzipJson({ features: f, instruments: FLUID_NOTES_INSTRUMENTS, notes: records }),
        format: 'json-gz',
        description:
          'feature settings, instruments, and per note: instrument, ' +
          'family, program, pitch, velocity, split, descriptors',
      },
      ...listen,
    ],
  );
  fs.copyFileSync('/usr/share/doc/fluid-soundfont-gm/copyright', path.join(dir, 'LICENSE'));
  fs.writeFileSync(path.join(dir, 'README.md'), readme(manifest, records));
  console.log(
    `wrote ${dir}: ${manifest.files.length} files, ` +
      `${(manifest.files.reduce((t, x) => t + x.bytes, 0) / 1e6).toFixed(2)} MB`,
  );
}

/** Median of measured f0 / nominal MIDI frequency per family (a pitch check, printed in the README). */
function f0Ratios(notes: FluidNote[]): Map<string, number> {
  const ratios = new Map<string, number[]>();
  for (const n of notes) {
    const list = ratios.get(n.family) ?? [];
    list.push(n.f0Hz / (440 * 2 ** ((n.pitch - 69) / 12)));
    ratios.set(n.family, list);
  }
  return new Map([...ratios].map(([k, v]) => [k, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]]));
}

function readme(m: DatasetManifest, notes: FluidNote[]): string {
  const ratio = f0Ratios(notes);
  const rows = FLUID_NOTES_INSTRUMENTS.map(
    (i) =>
      `| ${i.family} | ${i.name} | ${i.program} | ` +
      `${i.lowPitch}–${i.lowPitch + PITCHES_PER_INSTRUMENT - 1} | ${ratio.get(i.family)!.toFixed(3)} |`,
  );
  return [
    ...readmeHead(
      'fluid-notes',
      m.description,
      [
        'A laptop-sized stand-in for NSynth (Engel et al. 2017) for the latent-control notebook: every note is one',
        'General MIDI instrument from FluidR3_GM (real sampled instruments) at one pitch and one velocity, rendered by',
        `FluidSynth without reverb or chorus, held ${HOLD} s and cut to 1 s at 16 kHz mono.`,
      ].join('\n'),
    ),
    '| family | instrument | GM program (0-based) | MIDI pitches | median measured f0 / nominal |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'The last column checks the measured f0 against the MIDI pitch. ' +
      'A ratio of 0.25 means YIN finds a period two octaves',
    'below the nominal note; the dataset keeps the measured value.',
    '',
    `Velocities ${VELOCITIES.join(', ')}. Splits: a seeded fifth of ` +
      `every instrument's pitch × velocity grid is held out (\`test\`).`,
    `Features: ${JSON.stringify(FLUID_NOTES_FEATURES)} (log of magnitude ` +
      `mel energies, quantised to uint8 between logMelMin and logMelMax).`,
    'Descriptors per note, measured on the rendered waveform ' +
      'with lib/audio: RMS loudness (dB), spectral centroid (Hz),',
    'spectral flatness, f0 (Hz) and attack time (s). Load with `bp.data.loadFluidNotes({ split })`.',
    '',
    ...filesSection(
      m,
      "`manifest.json` lists each file's size and sha256; the loader checks both and the format before using a byte.",
    ),
    '## How it was made',
    '',
    `\`npm run build && node dist/scripts/datasets/fluidNotes.js\` (seed ${m.seed}) ` +
      `with Debian's fluidsynth, fluid-soundfont-gm and sox.`,
    'The script is deterministic: running it again writes byte-identical files.',
    '',
    '## Licence',
    '',
    "FluidR3_GM is MIT-licensed (Frank Wen); see LICENSE (Debian's copyright file " +
      'of fluid-soundfont-gm). The derived files here are under the same licence.',
    '',
  ].join('\n');
}

main();
