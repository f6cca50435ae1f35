import * as path from 'node:path';
import { reportData } from '../core/report/reportData';
import { writeReport } from '../core/report/reportPage';
import { program, session } from './program';

/** depthlab report: one self-contained HTML page of a run, a model analysis or a comparison. */
export function addReportCommand(): void {
  program
    .command('report')
    .description('one self-contained HTML page (charts, tables with standard errors, the choice and its fairseq/Hugging Face settings) of a run, an analysed model or a comparison')
    .argument('<source>', 'a run folder (.depthlab/runs/<id>), a Hugging Face model folder measured by analyze, or a compare file (.depthlab/compare/<stamp>.json)')
    .option('--out <file>', "where to write it (default: report.html in the run's folder or the model's .depthlab folder; beside a compare file)")
    .action((source: string, options: { out?: string }) => {
      const data = reportData(source);
      const file = writeReport(data, options.out && path.resolve(options.out));
      session().out.result({ file, kind: data.kind, ...(data.missing && { missing: data.missing }) }, [`wrote ${file}`, ...(data.missing ? [data.missing] : [])].join('\n'));
    });
}
