/**
 * Metrics (`bp.metrics`): BLEU, classification and multi-label reports with threshold tuning,
 * edit-distance error rates, rank correlation, and a model's cost profile (parameters, MACCs,
 * serialized size, latency).
 */
export * from './bleu';
export * from './classification';
export * from './confusions';
export * from './editDistance';
export * from './modelProfile';
export * from './rankCorrelation';
