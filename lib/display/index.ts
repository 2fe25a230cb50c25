/**
 * Display beyond the everyday calls (`bp.display`): audio figures and bundles, attention overlays,
 * side-by-side figures, the figure pages and MIME bundles the runner and the book write, and the
 * kernel's display channel. The calls every notebook uses (`show`, `showTable`, `lineChart`,
 * `heatmap`, `barChart`, `imageGrid`, `progress`, `showAudio`, …) are flat on `bp`.
 */
export * from './attentionOverlay';
export { AUDIO_MIME, AudioDisplayOptions, audioSummary, audioBundle } from './audio';
export * from './audioCharts';
export { GridImage } from './charts';
export * from './figurePage';
export * from './kernel';
export { Progress } from './progress';
export { PLOTLY_MIME, figureSummary, figureBundle } from './show';
export * from './sideBySide';
export { TableRow, tableRows, renderTable } from './table';
