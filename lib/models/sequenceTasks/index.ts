/**
 * Sequence tasks of notebooks 02 and 03 (`bp.sequenceTasks`): the adding problem an LSTM must
 * carry a value across, and the key–value retrieval that attention solves and mean pooling cannot.
 */
export * from './addingProblem';
export * from './keyValueRetrieval';
