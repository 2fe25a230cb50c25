/**
 * Progress for long work. In a notebook: one display entry updated in place (step, bar,
 * metrics, elapsed, ETA). On a terminal: a `cli-progress` bar on stderr. In a log (no TTY,
 * e.g. CI): a plain line on stdout every ~10% of the work.
 */
import { SingleBar } from 'cli-progress';
import { checkArgs } from '../core/validate';
import { escapeHtml } from './figurePage';
import { inKernel, newDisplayId, sendDisplay } from './kernel';

export interface Progress {
  /** Records that `step` (1-based, ≤ total) is done, with metrics such as `{ loss }`. */
  update(step: number, metrics?: Record<string, number>): void;
  /** Marks the work finished (shows the final state once more). */
  done(summary?: string): void;
}

const THROTTLE_MS = 200;

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

function formatMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(
      ([k, v]) => `${k} ${Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(4)}`,
    )
    .join('  ');
}

/**
 * Creates a progress display for `total` steps. `first` is the step the work starts (or resumes)
 * from (default 0): the speed and the time left count only the steps done since.
 */
export function progress(opts: { total: number; label?: string; first?: number }): Progress {
  checkArgs('progress')
    .number('total', opts?.total, { integer: true, min: 1 })
    .number('first', opts.first ?? 0, { integer: true, min: 0, max: opts.total });
  const total = opts.total;
  const label = opts.label ?? 'progress';
  const first = opts.first ?? 0;
  const start = Date.now();
  let step = first;
  let metrics: Record<string, number> = {};
  /** Steps per second since `first` (NaN before the first step). */
  const speed = (): number => (step > first ? (step - first) / Math.max((Date.now() - start) / 1000, 1e-3) : NaN);
  const speedText = (): string => {
    const r = speed();
    return Number.isFinite(r) ? `${r < 1 ? r.toFixed(2) : r.toFixed(1)} steps/s` : '';
  };
  const status = (): { line: string; fraction: number } => {
    const elapsed = (Date.now() - start) / 1000;
    const fraction = step / total;
    const eta = (total - step) / speed();
    return {
      fraction,
      line: (
        `${label}: ${step}/${total}  ${formatMetrics(metrics)}  ${speedText()}  ` +
        `elapsed ${formatSeconds(elapsed)}  eta ${formatSeconds(eta)}`
      ).replace(/ {3,}/g, '  '),
    };
  };

  if (inKernel()) {
    const displayId = newDisplayId();
    let lastSent = 0;
    let sentOnce = false;
    const send = (summary?: string): void => {
      const { line, fraction } = status();
      const text = summary ? `${line}\n${summary}` : line;
      const html =
        `<div style="font-family:monospace;font-size:12px">` +
        `<div style="width:320px;height:10px;background:#e5e7eb;border-radius:3px;display:inline-block;` +
        `vertical-align:middle">` +
        `<div style="width:${(100 * fraction).toFixed(1)}%;height:10px;background:#2563eb;border-radius:3px">` +
        `</div></div> ${escapeHtml(text).replace(/\n/g, '<br>')}</div>`;
      sendDisplay({ 'text/html': html, 'text/plain': text }, { displayId, update: sentOnce });
      sentOnce = true;
      lastSent = Date.now();
    };
    send();
    return {
      update(s, m = {}) {
        step = s;
        metrics = m;
        if (Date.now() - lastSent >= THROTTLE_MS || s >= total) send();
      },
      done(summary) {
        send(summary);
      },
    };
  }

  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {value}/{total} {metrics} | {speed} | {duration_formatted} eta {eta_formatted}`,
      hideCursor: true,
      stream: process.stderr,
    });
    bar.start(total, first, { metrics: '', speed: '' });
    return {
      update(s, m = {}) {
        step = s;
        bar.update(s, { metrics: formatMetrics(m), speed: speedText() });
      },
      done(summary) {
        bar.stop();
        if (summary) console.log(summary);
      },
    };
  }

  let reportedTenths = Math.floor((10 * first) / total);
  return {
    update(s, m = {}) {
      step = s;
      metrics = m;
      const tenths = Math.floor((10 * step) / total);
      if (tenths > reportedTenths) {
        console.log(status().line);
        reportedTenths = tenths;
      }
    },
    done(summary) {
      if (summary) console.log(summary);
    },
  };
}
