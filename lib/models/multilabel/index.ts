/**
 * Multi-label heads on one backbone, Odetola et al. (notebook 07, `bp.multilabel`): the backbone,
 * the head arrangements (proposed, joint, separate), the sigmoid head, the comparison over seeds, the
 * cost ratios and the paper's own numbers.
 */
export * from './backbone';
export * from './comparison';
export * from './costRatio';
export * from './heads';
export * from './odetolaPaper';
export * from './sigmoidHead';
export * from './tables';
export * from './pairedAccuracy';
