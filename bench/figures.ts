/** What every benchmark prints with: a line on stdout, and the median of its samples. */

/** Writes `line` and a newline to stdout. */
export const say = (line = ''): void => void process.stdout.write(`${line}\n`);

/** The median of `values` (the upper one of an even count); NaN when there are none. */
export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
