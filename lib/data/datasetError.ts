/** A dataset file that cannot be used: missing, checksum mismatch, truncated or in the wrong format. */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetError';
  }
}
