/** Plain-text tables for the terminal and the README: `|`-separated, so they paste as Markdown. */

/** `align` has one letter per column, `l` or `r`; by default the first column is left-aligned, the rest right. */
export function table(header: string[], rows: Array<Array<string | number>>, align = `l${'r'.repeat(header.length - 1)}`): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const left = (column: number) => align[column] === 'l';
  const line = (row: string[]) => `| ${row.map((cell, column) => (left(column) ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (left(column) ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

export const fixed = (value: number | undefined, digits = 1) => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));
export const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}×` : '–');
