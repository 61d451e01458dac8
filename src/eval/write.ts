// Node-only: writes the report files. Kept apart so the rest of src/eval stays importable anywhere.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EvalReport } from './harness.js';
import type { EvalReportV2 } from './harness-v2.js';
import { svgPlot } from './plot.js';
import { markdownReport } from './report.js';
import { markdownReportV2, svgPlotV2 } from './report-v2.js';

/** Writes `<out>.json` plus the Markdown table and SVG plot beside it; returns the three paths. */
export async function writeReportFiles(report: EvalReport | EvalReportV2, jsonPath: string): Promise<{ json: string; markdown: string; svg: string }> {
  const base = jsonPath.endsWith('.json') ? jsonPath.slice(0, -'.json'.length) : jsonPath;
  const paths = { json: jsonPath, markdown: `${base}.md`, svg: `${base}.svg` };
  await mkdir(dirname(jsonPath), { recursive: true });
  await writeFile(paths.json, JSON.stringify(report, null, 2) + '\n');
  await writeFile(paths.markdown, report.protocol === 'v2' ? markdownReportV2(report) : markdownReport(report));
  await writeFile(paths.svg, report.protocol === 'v2' ? svgPlotV2(report) : svgPlot(report));
  return paths;
}
