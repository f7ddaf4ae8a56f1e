/**
 * `locker inspect --data-dir DIR`: what a data directory holds. It reads the instance without
 * changing it; like every command, it first finishes a restore a crash interrupted and removes a
 * crashed run's work files (open-work-dirs.ts), so what it shows is what the next start will see.
 */
import { inspectDataDir } from '@evidence-locker/core';
import { createOutput, printJson } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { openWorkDirs } from '../open-work-dirs.ts';
import { formatBytes } from '../progress-bar.ts';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Show the files, configuration state, schema version and row counts of a data directory.',
  usage: '--data-dir DIR [--json]',
  async run(args) {
    const { values } = parseCommandArgs(args, { 'data-dir': { type: 'string' } });
    const dataDir = requireOption(values['data-dir'], 'data-dir');
    await openWorkDirs({ dataDir });
    const report = await inspectDataDir(dataDir);
    if (values.json) {
      printJson({ ok: true, ...report });
      return 0;
    }
    const out = createOutput(false);
    out.line(`Data directory ${report.dataDir}${report.exists ? '' : ' (does not exist)'}`);
    out.line();
    out.line('Files');
    out.table(
      report.files.length === 0
        ? [['(none)', '']]
        : report.files.map((file) => [file.name, `${formatBytes(file.size).padStart(10)}  mode ${file.mode}`]),
    );
    out.line();
    out.table(
      [
        ['Configured', report.configured ? `yes${report.modemType ? ` (modem: ${report.modemType})` : ''}` : 'no'],
        ['Demo mode', report.demoMode ? 'yes' : 'no'],
        ['Scheduled backups', report.backupConfigured ? 'enabled' : 'disabled'],
        ...(report.configProblem ? ([['Config problem', report.configProblem.message]] as const) : []),
      ],
      0,
    );
    for (const database of report.databases) {
      out.line();
      out.line(`${database.name}  schema version ${database.schemaVersion ?? 'none'}, ${database.migrationIds.length} migrations recorded`);
      const rows = Object.entries(database.tables).map(
        ([table, count]) =>
          [table, `${String(count.rows).padStart(9)}${count.isDemo === null ? '' : `   (is_demo=1: ${count.isDemo})`}`] as const,
      );
      out.table(rows);
    }
    return 0;
  },
};
