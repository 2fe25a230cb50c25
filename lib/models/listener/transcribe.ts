/**
 * The automatic listener as a tool: transcripts of listener features or of log-mel
 * spectrograms. Scored against reference texts with `characterErrorRate` (references in the
 * `'characters'` alphabet: `stripPunctuation`), its deletions count skipped and its insertions
 * repeated characters — the measurement the Tacotron notebook makes.
 */
import { AudioMatrix } from '../../audio/matrix';
import { checkArgs } from '../../core/validate';
import { SpeechFeatureSpec } from '../../data/speechCorpus';
import { SpeechRecognizerConfig, SpeechRecognizerParams } from './recognizer';
import { CtcDecoder, greedyDecoder, recognizeEach } from './training';
import { LogMelConfig, listenerFeaturesFromLogMel } from './features';

/** A recognizer with its config and output alphabet (e.g. from `loadListener`). */
export interface Listener {
  params: SpeechRecognizerParams;
  manifest: { config: SpeechRecognizerConfig; alphabet: string[] };
}

/**
 * Transcripts of listener features (per-utterance normalised LFBE [T, 40] each) by each named
 * decoder, from one forward pass: `{ greedy: …, 'beam + LM': … }` → the same keys, one
 * transcript per utterance.
 */
export function transcribeEach<K extends string>(
  listener: Listener,
  features: readonly AudioMatrix[],
  decoders: Record<K, CtcDecoder>,
): Record<K, string[]> {
  return decodeChecked('transcribeEach', listener, features, decoders);
}

/** Greedy transcripts of listener features (per-utterance normalised LFBE [T, 40] each). */
export function transcribe(listener: Listener, features: readonly AudioMatrix[]): string[] {
  return decodeChecked('transcribe', listener, features, { greedy: greedyDecoder }).greedy;
}

function decodeChecked<K extends string>(
  fn: string,
  listener: Listener,
  features: readonly AudioMatrix[],
  decoders: Record<K, CtcDecoder>,
): Record<K, string[]> {
  const { config, alphabet } = listener.manifest;
  const c = checkArgs(fn).require(Array.isArray(features), "argument 'features' expected an array of [T, F] matrices");
  features.forEach((f, i) => {
    c.require(
      f?.cols === config.featureDim && f.rows >= 1,
      `features[${i}] expected [T, ${config.featureDim}] but got [${f?.rows}, ${f?.cols}]`,
    );
    // A NaN frame would decode to an empty transcript, indistinguishable from silence.
    const bad = f.data.findIndex((x) => !Number.isFinite(x));
    c.require(bad < 0, `features[${i}] holds ${f.data[bad]} at element ${bad} (row ${Math.floor(bad / f.cols)})`);
  });
  const names = Object.keys(decoders ?? {}) as K[];
  const ids = recognizeEach(
    listener.params,
    config,
    features.map((f) => ({ features: f.data, frames: f.rows })),
    names.map((name) => decoders[name]),
  );
  return Object.fromEntries(
    names.map((name, d) => [name, ids[d].map((seq) => seq.map((k) => alphabet[k]).join(''))]),
  ) as Record<K, string[]>;
}

/** Greedy transcripts of log-mel spectrograms computed with `cfg` (converted as in ./listenerFeatures). */
export function transcribeLogMel(listener: Listener, mels: readonly AudioMatrix[], cfg: LogMelConfig): string[] {
  return transcribe(
    listener,
    mels.map((m) => listenerFeaturesFromLogMel(m, cfg)),
  );
}

/**
 * The log-mel configuration of a speech corpus (its manifest's feature spec: the options
 * `logMel` was called with), for {@link transcribeLogMel}.
 */
export function logMelConfigOf(spec: SpeechFeatureSpec): LogMelConfig {
  const o = spec?.options ?? {};
  checkArgs('logMelConfigOf')
    .require(
      spec?.kind === 'log-mel',
      `argument 'spec' expected a log-mel feature spec but got kind ${String(spec?.kind)}`,
    )
    .number('options.nFft', o.nFft, { integer: true, min: 2 });
  return {
    sampleRate: spec.sampleRate,
    nFft: o.nFft as number,
    hop: spec.hop,
    nMels: spec.dims,
    fMin: o.fMin as number | undefined,
    fMax: o.fMax as number | undefined,
    scale: o.scale as LogMelConfig['scale'],
    norm: o.norm as LogMelConfig['norm'],
    power: o.power as LogMelConfig['power'],
  };
}
