// The calls that read what the registry sends back, for the viewer: a report, an ACK file, a consent
// file, and the scores the data quality reports carry. Contents are read into memory only. The work
// is the application layer's (replies/open-report.ts), which the command line's `report` uses too.
import type { CallHandlers, FolderRole } from '../../../shared/contract';
import type { Engine } from '../engine';
import { listScores, openReport } from '../replies/open-report';
import { answering } from './call-failure';

type ReportCalls = Pick<CallHandlers, 'openReport' | 'listScores'>;

export function reportHandlers(engine: Engine): ReportCalls {
  return {
    openReport: ({ role, name }) => answering(async () => ({ ok: true as const, report: await openReport(engine.session(), role as FolderRole, name) })),
    listScores: () => answering(async () => ({ ok: true as const, points: await listScores(engine.session()) })),
  };
}
