/** Output formats of `pycontain lint`: text, json, sarif (2.1.0), github (workflow commands), checkstyle. */
import { VERSION } from '../version.js';
import type { Finding, Rule, Severity } from './types.js';

export const FORMATS = ['text', 'json', 'sarif', 'github', 'checkstyle'] as const;
export type Format = (typeof FORMATS)[number];

export interface FileReport {
  file: string;
  findings: Finding[];
  notes: string[];
  /** Fixes applied by --fix. */
  fixed?: number;
}

export interface Colors {
  red(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  gray(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const plain: Colors = {
  red: (s) => s,
  yellow: (s) => s,
  blue: (s) => s,
  gray: (s) => s,
  bold: (s) => s,
  dim: (s) => s,
};

export function formatText(reports: FileReport[], colors: Colors = plain): string {
  const c = colors;
  const paint: Record<Severity, (s: string) => string> = {
    error: c.red,
    warning: c.yellow,
    info: c.blue,
    style: c.gray,
  };
  let out = '';
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, style: 0 };
  let fixable = 0;
  for (const r of reports) {
    for (const f of r.findings) {
      counts[f.severity]++;
      if (f.fix) fixable++;
      out += `${c.bold(`${f.file}:${f.line}:${f.column}`)} ${paint[f.severity](f.severity)} ${f.message} ${c.dim(`${f.ruleId} ${f.ruleName}`)}\n`;
    }
    if (r.fixed) out += `${r.file}: ${r.fixed} fix${r.fixed === 1 ? '' : 'es'} applied\n`;
  }
  const total = counts.error + counts.warning + counts.info + counts.style;
  if (total === 0)
    out += `${reports.length === 1 ? reports[0]!.file : `${reports.length} files`}: no problems\n`;
  else {
    const parts = (['error', 'warning', 'info', 'style'] as const)
      .filter((s) => counts[s] > 0)
      .map((s) => `${counts[s]} ${s}${counts[s] === 1 || s === 'info' || s === 'style' ? '' : 's'}`);
    out += `\n${total} problem${total === 1 ? '' : 's'} (${parts.join(', ')})${fixable > 0 ? `, ${fixable} fixable with --fix` : ''}\n`;
  }
  return out;
}

export function formatJson(reports: FileReport[]): string {
  const findings = reports.flatMap((r) =>
    r.findings.map((f) => ({
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      ruleId: f.ruleId,
      ruleName: f.ruleName,
      severity: f.severity,
      message: f.message,
      fixable: f.fix !== undefined,
    })),
  );
  return `${JSON.stringify({ version: 1, tool: 'pycontain', findings, notes: reports.flatMap((r) => r.notes) }, null, 2)}\n`;
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
  style: 'note',
};

function toUri(file: string): string {
  return encodeURI(file.replace(/\\/g, '/')).replace(/[?#]/g, (ch) => encodeURIComponent(ch));
}

export function formatSarif(reports: FileReport[], rules: readonly Rule[]): string {
  const index = new Map(rules.map((r, k) => [r.id, k]));
  const results = reports.flatMap((r) =>
    r.findings.map((f) => ({
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId) ?? 0,
      level: SARIF_LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: toUri(f.file) },
            region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
          },
        },
      ],
      partialFingerprints: { primaryLocationLineHash: `${f.ruleId}:${f.line}:${f.column}` },
    })),
  );
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pycontain',
            version: VERSION,
            informationUri: 'https://github.com/pycontain/pycontain',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.summary },
              fullDescription: { text: r.rationale },
              help: { text: r.fix, markdown: r.fix },
              defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
              properties: { tags: r.project ? ['python', 'project'] : ['python', 'dockerfile'] },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: reports
              .flatMap((r) => r.notes)
              .map((n) => ({ level: 'note', message: { text: n } })),
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function ghData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function ghProp(s: string): string {
  return ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const GH_LEVEL: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  info: 'notice',
  style: 'notice',
};

export function formatGithub(reports: FileReport[]): string {
  let out = '';
  for (const r of reports) {
    for (const f of r.findings) {
      const props = [
        `file=${ghProp(f.file)}`,
        `line=${f.line}`,
        `col=${f.column}`,
        `endLine=${f.endLine}`,
        `endColumn=${f.endColumn}`,
        `title=${ghProp(`${f.ruleId} ${f.ruleName}`)}`,
      ];
      out += `::${GH_LEVEL[f.severity]} ${props.join(',')}::${ghData(f.message)}\n`;
    }
    for (const n of r.notes) out += `::notice::${ghData(n)}\n`;
  }
  return out;
}

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const CS_LEVEL: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  info: 'info',
  style: 'info',
};

export function formatCheckstyle(reports: FileReport[]): string {
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n<checkstyle version="4.3">\n';
  for (const r of reports) {
    out += `  <file name="${xml(r.file)}">\n`;
    for (const f of r.findings) {
      out += `    <error line="${f.line}" column="${f.column}" severity="${CS_LEVEL[f.severity]}" message="${xml(f.message)}" source="pycontain.${f.ruleId}.${f.ruleName}"/>\n`;
    }
    out += '  </file>\n';
  }
  return `${out}</checkstyle>\n`;
}

export function formatReports(
  format: Format,
  reports: FileReport[],
  rules: readonly Rule[],
  colors?: Colors,
): string {
  switch (format) {
    case 'text':
      return formatText(reports, colors);
    case 'json':
      return formatJson(reports);
    case 'sarif':
      return formatSarif(reports, rules);
    case 'github':
      return formatGithub(reports);
    case 'checkstyle':
      return formatCheckstyle(reports);
  }
}
