// Scores over time (issue 14, item 3): completeness, quality and timeliness of each data quality
// report that states them, oldest first, drawn by Chart.js (only the parts a line chart needs are
// registered, so the rest is left out of the bundle). The canvas says the latest scores in words, and
// the same numbers are a table beneath it for a screen reader or a printout.
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';
import type { ScorePoint } from '../../../shared/contract';
import { formatDateTime } from '../format';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

const SERIES = [
  { key: 'completeness', label: 'Completeness', color: '#1b5eb8' },
  { key: 'quality', label: 'Quality', color: '#1f7a3a' },
  { key: 'timeliness', label: 'Timeliness', color: '#a56f00' },
] as const;

/** "Latest report, Dec 4: completeness 75, quality 100, timeliness 70." */
export function latestScoresWords(points: readonly ScorePoint[]): string {
  const last = points[points.length - 1];
  if (!last) return 'No report states scores yet.';
  const stated = SERIES.filter((s) => last.scores[s.key] !== null).map((s) => `${s.label.toLowerCase()} ${last.scores[s.key]}`);
  const when = last.at === null ? '' : `, ${formatDateTime(last.at)}`;
  return `Scores of ${points.length} ${points.length === 1 ? 'report' : 'reports'} from 0 to 100. Latest (${last.name}${when}): ${stated.join(', ') || 'none stated'}.`;
}

export function ScoresChart({ points }: { points: ScorePoint[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    if (!canvas.current || points.length === 0) return;
    const chart = new Chart(canvas.current, {
      type: 'line',
      data: {
        labels: points.map((p) => (p.at === null ? p.name : formatDateTime(p.at))),
        datasets: SERIES.map((s) => ({
          label: s.label,
          data: points.map((p) => p.scores[s.key]),
          borderColor: s.color,
          backgroundColor: s.color,
          spanGaps: true,
          tension: 0.2,
          pointRadius: 4,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        // The window asks for calm: no drawing animation.
        animation: false,
        scales: { y: { min: 0, max: 100, ticks: { stepSize: 20 } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    return () => chart.destroy();
  }, [points]);

  if (points.length === 0) {
    return <p className="muted">None of the reports in DQA-Report states scores, so there is nothing to chart yet.</p>;
  }
  return (
    <div className="scores">
      <div className="scores-canvas">
        <canvas ref={canvas} role="img" aria-label={latestScoresWords(points)} />
      </div>
      <details className="scores-table">
        <summary>The scores as a table</summary>
        <table className="report-table">
          <thead>
            <tr>
              <th scope="col">Report</th>
              <th scope="col">Date</th>
              {SERIES.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.name}>
                <td>{p.name}</td>
                <td>{formatDateTime(p.at)}</td>
                {SERIES.map((s) => (
                  <td key={s.key}>{p.scores[s.key] ?? '—'}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
