/** The upload progress text and its plain-line reporter (cli/progress.ts). */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { etaSeconds, formatBytes, formatDuration, PlainReporter, progressLine, progressText, RateMeter, renderBar } from '../../../cli/progress';

describe('progress text', () => {
  it('formats bytes in IEC units with 3 significant figures', () => {
    expect([0, 999, 1023, 1024, 1536, 10 * 1024 + 512, 1024 ** 2 * 123.4, 1024 ** 4 * 2].map(formatBytes)).toEqual(['0 B', '999 B', '1023 B', '1.00 KiB', '1.50 KiB', '10.5 KiB', '123 MiB', '2.00 TiB']);
  });

  it('formats durations, -- when unknown', () => {
    expect([0, 45, 185, 7620, undefined, Infinity, -1].map(formatDuration)).toEqual(['0s', '45s', '3m05s', '2h07m', '--', '--', '--']);
  });

  it('gives the ETA from the rate and what remains', () => {
    const snapshot = { filesDone: 1, filesTotal: 4, bytesDone: 1000, bytesTotal: 5000 };
    expect(etaSeconds(snapshot, 100)).toBe(40);
    expect(etaSeconds(snapshot, 0)).toBeUndefined();
    expect(etaSeconds({ ...snapshot, bytesDone: 5000 }, 0)).toBe(0);
  });

  it('draws the bar clamped to its width', () => {
    expect(renderBar(0.5, 10)).toBe('█████░░░░░');
    expect(renderBar(2, 4)).toBe('████');
    expect(renderBar(Number.NaN, 4)).toBe('░░░░');
  });

  it('says files, bytes, rate, ETA, resumed files and retries', () => {
    // act
    const text = progressText({ filesDone: 123, filesTotal: 500, bytesDone: 12.3 * 1024 ** 2, bytesTotal: 40 * 1024 ** 2, filesSkipped: 100, retries: 2 }, 2.1 * 1024 ** 2);
    const line = progressLine({ filesDone: 1, filesTotal: 2, bytesDone: 50, bytesTotal: 100 }, 0, 10);

    // assess
    expect(text).toBe('123/500 files (100 already stored) · 12.3 MiB/40.0 MiB · 2.10 MiB/s · ETA 13s · 2 retries');
    expect(line).toBe('█████░░░░░  50% 1/2 files · 50 B/100 B · 0 B/s · ETA --');
  });
});

describe('RateMeter', () => {
  it('measures bytes per second over its window, with a bounded number of samples', () => {
    // prepare
    const meter = new RateMeter(10_000, 250);

    // act: 1 MB/s for 60 s, sampled every 10 ms
    for (let at = 0; at <= 60_000; at += 10) meter.record(at * 1000, at);

    // assess
    expect(meter.rate()).toBeCloseTo(1_000_000, -3);
    expect((meter as unknown as { samples: unknown[] }).samples.length).toBeLessThanOrEqual(10_000 / 250 + 5);
  });

  it('answers 0 before it has two samples', () => {
    const meter = new RateMeter();
    meter.record(100, 0);
    expect(meter.rate()).toBe(0);
  });
});

describe('PlainReporter', () => {
  it('writes a plain line at most every interval and one at the end, no control characters', () => {
    // prepare
    let output = '';
    const sink = new Writable({ write: (chunk, _encoding, done) => ((output += String(chunk)), done()) });
    let now = 0;
    const reporter = new PlainReporter(sink, 5_000, () => now);
    const at = (filesDone: number) => ({ filesDone, filesTotal: 10, bytesDone: filesDone * 100, bytesTotal: 1000 });

    // act
    for (let files = 1; files <= 10; files++) {
      now = files * 1_000;
      reporter.update(at(files));
    }
    reporter.log('retrying a.txt in 0.5s (HTTP 503)');
    reporter.stop(at(10));

    // assess
    const lines = output.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^upload: 1\/10 files · 100 B\/1000 B/),
      expect.stringMatching(/^upload: 6\/10 files/),
      'retrying a.txt in 0.5s (HTTP 503)',
      expect.stringMatching(/^upload: 10\/10 files · 1000 B\/1000 B · 100 B\/s · ETA 0s$/),
    ]);
    expect(output).not.toMatch(/[\r\u001b]/);
  });
});
