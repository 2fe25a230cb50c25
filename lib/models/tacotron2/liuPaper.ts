/**
 * Liu et al., "Teacher-student training for robust Tacotron-based TTS" (ICASSP 2020): Table 1
 * as printed (MOS and "WER %" of Tacotron2-SS and Tacotron2-KD, English and Chinese), with the
 * numbers its text adds — Tacotron2-FR's MOS (1.33 English, 2.32 Chinese; excluded from the
 * preference test) and the skips and repeats behind each WER — and what follows from them:
 *
 *   implied denominator = (skips + repeats) / (WER / 100)
 *
 * The text says the WER is "the sum of repeats (insertions) and skips (deletions) over the total
 * number of characters in the listening tests". Its English rows imply ≈ 1,105 units for 80
 * utterances, 30 of which average 128 characters (≥ 3,840 characters): the arithmetic fits words,
 * not characters, so the unit is ambiguous and notebook 06 says so.
 */
import { checkArgs } from '../../core/validate';

export const LIU_SOURCE = 'Liu et al., ICASSP 2020, Table 1 and Section 4.2';

export type LiuLanguage = 'en' | 'cn';

/** One row of Table 1 with the counts the text reports (null: not reported). */
export interface LiuRow {
  system: 'Tacotron2-SS' | 'Tacotron2-KD' | 'Tacotron2-FR';
  language: LiuLanguage;
  mos: number;
  werPercent: number | null;
  skips: number | null;
  repeats: number | null;
}

export const LIU_TABLE1: readonly LiuRow[] = [
  { system: 'Tacotron2-SS', language: 'en', mos: 3.21, werPercent: 23.82, skips: 251, repeats: 12 },
  { system: 'Tacotron2-SS', language: 'cn', mos: 3.18, werPercent: 9.44, skips: 528, repeats: 9 },
  { system: 'Tacotron2-KD', language: 'en', mos: 3.93, werPercent: 2.17, skips: 24, repeats: 0 },
  { system: 'Tacotron2-KD', language: 'cn', mos: 3.94, werPercent: 0.67, skips: 38, repeats: 0 },
  // Section 4.2.1: FR's MOS only; it was left out of the robustness counts.
  { system: 'Tacotron2-FR', language: 'en', mos: 1.33, werPercent: null, skips: null, repeats: null },
  { system: 'Tacotron2-FR', language: 'cn', mos: 2.32, werPercent: null, skips: null, repeats: null },
];

/** The number of units a row's WER divides by, from its own skips, repeats and WER (null if not reported). */
export function liuImpliedDenominator(row: LiuRow): number | null {
  if (row.werPercent === null || row.skips === null || row.repeats === null) return null;
  return (row.skips + row.repeats) / (row.werPercent / 100);
}

/** Table 1 with the text's numbers, one row per system and language, for printing. */
export function liuTableRows(): Record<string, string | number>[] {
  return LIU_TABLE1.map((r) => {
    const units = liuImpliedDenominator(r);
    return {
      system: r.system,
      language: r.language === 'en' ? 'English' : 'Chinese',
      MOS: r.mos,
      'WER %': r.werPercent ?? '—',
      skips: r.skips ?? '—',
      repeats: r.repeats ?? '—',
      'implied denominator': units === null ? '—' : Math.round(units),
    };
  });
}

/** One of our systems in the layout of {@link table1BesideLiu} (intervals already as text). */
export interface OurTable1Row {
  system: string;
  /** The listener's CER on in-domain test sentences (our stand-in for MOS), e.g. "12.3 [10.1, 14.6]". */
  inDomainCer: string;
  /** DTW mel error on the same sentences. */
  melError: string;
  /** Hard set, by the listener: skips and repeats (mean over seeds) and the pooled error rate. */
  skips: number;
  repeats: number;
  errorRate: string;
}

/**
 * Liu et al.'s Table 1 with our measurements beside it: one row per system of ours, then the
 * paper's English and Chinese MOS, WER, skips and repeats for the system of the same name ("—"
 * where the paper has none: FR's robustness, and our Teacher and Teacher+TF rows).
 */
export function table1BesideLiu(ours: readonly OurTable1Row[]): Record<string, string | number>[] {
  checkArgs('table1BesideLiu').require(
    Array.isArray(ours) && ours.length > 0 && ours.every((r) => typeof r?.system === 'string'),
    "argument 'ours' expected at least one row { system, inDomainCer, melError, skips, repeats, errorRate }",
  );
  const paper = (system: string, language: LiuLanguage) =>
    LIU_TABLE1.find((r) => r.system === system && r.language === language);
  const cell = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v);
  const counts = (row: LiuRow | undefined) => (row?.skips == null ? '—' : `${row.skips}/${row.repeats}`);
  return ours.map((r) => {
    const [en, cn] = [paper(r.system, 'en'), paper(r.system, 'cn')];
    return {
      system: r.system,
      'ours: in-domain CER %': r.inDomainCer,
      'ours: DTW mel error': r.melError,
      'ours: skips': r.skips,
      'ours: repeats': r.repeats,
      'ours: error rate %': r.errorRate,
      'paper MOS en': cell(en?.mos),
      'paper MOS cn': cell(cn?.mos),
      'paper WER % en': cell(en?.werPercent),
      'paper WER % cn': cell(cn?.werPercent),
      'paper skips/repeats en': counts(en),
      'paper skips/repeats cn': counts(cn),
    };
  });
}
