/**
 * Audio (`bp.audio`): WAV files, STFT and its inverse, mel and Kaldi filterbank features, frame
 * stacking, normalisation, Griffin-Lim, and the descriptors of a note (pitch, loudness, attack,
 * spectral shape).
 */
export * from './attack';
export * from './fbank';
export * from './fft';
export * from './frame';
export * from './griffinLim';
export * from './logMel';
export * from './loudness';
export * from './matrix';
export * from './mel';
export * from './melInverse';
export * from './normalizeUtterance';
export * from './noteDescriptors';
export * from './pitch';
export * from './specAugment';
export * from './spectralShape';
export * from './stackFrames';
export * from './stft';
export * from './wav';
export * from './window';
