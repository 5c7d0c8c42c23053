// The calls that read what the registry sends back, for the viewer: a report, an ACK file, a consent
// file, and the scores the data quality reports carry. Contents are read into memory only.
import { failure, type CallHandlers } from '../../../shared/contract';
import type { Engine } from '../engine';

type ReportCalls = Pick<CallHandlers, 'openReport' | 'listScores'>;

export function reportHandlers(_engine: Engine): ReportCalls {
  return {
    // Being built (issue 14, items 2-4).
    openReport: async () => failure('internal', 'The report viewer is not available in this version yet.'),
    listScores: async () => failure('internal', 'Scores over time are not available in this version yet.'),
  };
}
