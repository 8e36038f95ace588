/**
 * A command run as in a terminal, and that terminal drawn as a picture.
 *
 * {@link runInTerminal} gives the command a pseudo-terminal through
 * `script` (util-linux on Linux, BSD `script` on macOS), so it sees what a
 * person's shell gives it: `isTTY`, colour, stdout and stderr interleaved in
 * the order they were written. Where there is no `script` it runs on pipes,
 * as in a CI log. {@link terminalPage} replays the transcript on a small
 * screen model (text, carriage return, erase line, SGR colours; nothing
 * else that the CLI writes) and lays it out as an HTML page that looks like
 * a terminal window, for Chromium to screenshot.
 *
 * @example
 * ```ts
 * const run = await runInTerminal(process.execPath, ['cli.js', 'login'], { env, onOutput: (text) => … });
 * await page.setContent(terminalPage({ command: 'fnauth login', transcript: run.transcript }));
 * ```
 */
import { spawn, spawnSync } from 'node:child_process';
import { escapeHtml } from '../../src/lib/pages/html';

export interface TerminalRun {
  code: number | null;
  /** Everything the command wrote, as the terminal received it (escape sequences included). */
  transcript: string;
  /** Whether the command ran on a pseudo-terminal. */
  tty: boolean;
}

function scriptCommand(command: string, args: string[]): { file: string; args: string[] } | undefined {
  if (spawnSync('script', ['--version'], { stdio: 'ignore' }).error) return undefined;
  if (process.platform === 'linux') {
    const quoted = [command, ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
    return { file: 'script', args: ['-qec', quoted, '/dev/null'] };
  }
  if (process.platform === 'darwin') return { file: 'script', args: ['-q', '/dev/null', command, ...args] };
  return undefined;
}

export function runInTerminal(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; onOutput?: (transcriptSoFar: string) => void },
): Promise<TerminalRun> {
  const viaScript = scriptCommand(command, args);
  const child = spawn(viaScript?.file ?? command, viaScript?.args ?? args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let transcript = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      transcript += chunk;
      options.onOutput?.(transcript);
    });
  }
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, transcript, tty: viaScript !== undefined }));
  });
}

interface Style {
  fg?: string;
  bg?: string;
  bold?: boolean;
}

interface Cell {
  char: string;
  style: Style;
}

/** xterm's default colours, normal then bright. */
const PALETTE = ['#000000', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5'];
const BRIGHT = ['#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff'];

function applySgr(style: Style, codes: number[]): Style {
  let next = { ...style };
  for (const code of codes.length > 0 ? codes : [0]) {
    if (code === 0) next = {};
    else if (code === 1) next.bold = true;
    else if (code === 22) next.bold = false;
    else if (code >= 30 && code <= 37) next.fg = PALETTE[code - 30];
    else if (code >= 90 && code <= 97) next.fg = BRIGHT[code - 90];
    else if (code === 39) delete next.fg;
    else if (code >= 40 && code <= 47) next.bg = PALETTE[code - 40];
    else if (code >= 100 && code <= 107) next.bg = BRIGHT[code - 100];
    else if (code === 49) delete next.bg;
  }
  return next;
}

/** The screen the transcript leaves behind, line by line. */
function replay(transcript: string): Cell[][] {
  const lines: Cell[][] = [[]];
  let row = 0;
  let column = 0;
  let style: Style = {};
  // eslint-disable-next-line no-control-regex
  const tokens = transcript.match(/\u001b\[[0-9;?]*[A-Za-z]|\r|\n|[^\u001b\r\n]/gu) ?? [];
  for (const token of tokens) {
    const line = lines[row]!;
    if (token === '\n') {
      row += 1;
      column = 0;
      lines[row] ??= [];
    } else if (token === '\r') {
      column = 0;
    } else if (token.startsWith('\u001b[')) {
      const final = token.at(-1);
      const params = token.slice(2, -1);
      if (final === 'm') style = applySgr(style, params === '' ? [] : params.split(';').map(Number));
      // Erase in line: 0 (or none) to the end, 2 the whole line. The cursor stays where it is.
      else if (final === 'K') lines[row] = params === '2' ? [] : line.slice(0, column);
    } else {
      while (line.length < column) line.push({ char: ' ', style: {} });
      line[column] = { char: token, style };
      column += 1;
    }
  }
  while (lines.length > 1 && lines.at(-1)!.length === 0) lines.pop();
  return lines;
}

/** The text the transcript leaves on the screen, as a person would read it off. */
export function screenText(transcript: string): string {
  return replay(transcript)
    .map((cells) => cells.map((cell) => cell.char).join('').trimEnd())
    .join('\n');
}

const FOREGROUND = '#d4d4d4';
const BACKGROUND = '#1e1e1e';

/** Block elements as a terminal draws them: geometry filling the cell, so rows of them meet without gaps. */
const BLOCKS: Record<string, [top: boolean, bottom: boolean]> = { '\u2588': [true, true], '\u2580': [true, false], '\u2584': [false, true] };

function styleAttribute(style: Style): string {
  const rules = [style.fg && `color:${style.fg}`, style.bg && `background:${style.bg}`, style.bold && 'font-weight:bold'].filter(Boolean);
  return rules.length > 0 ? ` style="${rules.join(';')}"` : '';
}

function blockCell(cell: Cell, [top, bottom]: [boolean, boolean]): string {
  const fg = cell.style.fg ?? FOREGROUND;
  const bg = cell.style.bg ?? BACKGROUND;
  return `<span class="cell" style="background:linear-gradient(${top ? fg : bg} 50%, ${bottom ? fg : bg} 50%)"> </span>`;
}

function lineHtml(cells: Cell[]): string {
  let out = '';
  let run = '';
  let runStyle = '';
  const flush = () => {
    if (run) out += runStyle ? `<span class="cell"${runStyle}>${escapeHtml(run)}</span>` : escapeHtml(run);
    run = '';
  };
  for (const cell of cells) {
    const block = BLOCKS[cell.char];
    if (block) {
      flush();
      out += blockCell(cell, block);
      continue;
    }
    const style = styleAttribute(cell.style);
    if (style !== runStyle) flush();
    runStyle = style;
    run += cell.char;
  }
  flush();
  return `<div class="line">${out}</div>`;
}

/**
 * A page showing a terminal window: a title bar, the prompt with `command`, and the screen the
 * transcript left. Its styles are inline: it is a picture made in the test, never served.
 */
export function terminalPage(input: { command: string; transcript: string; title?: string }): string {
  const screen = replay(input.transcript).map(lineHtml).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title ?? input.command)}</title>
<style>
  body { margin: 0; padding: 24px; background: #e9ebee; display: inline-block; }
  .window { border-radius: 8px; overflow: hidden; box-shadow: 0 6px 24px rgba(0,0,0,.25); background: ${BACKGROUND}; }
  .bar { background: #323233; padding: 8px 12px; display: flex; align-items: center; gap: 8px; font: 13px system-ui, sans-serif; color: #ccc; }
  .dot { width: 12px; height: 12px; border-radius: 50%; display: inline-block; }
  .title { flex: 1; text-align: center; margin-right: 60px; }
  pre { margin: 0; padding: 14px 18px 18px; color: ${FOREGROUND}; font: 14px/18px "DejaVu Sans Mono", Menlo, Consolas, monospace; white-space: pre; }
  .line { height: 18px; }
  .cell { display: inline-block; height: 18px; vertical-align: top; }
  .prompt { color: #23d18b; }
</style></head>
<body><div class="window" id="terminal">
<div class="bar"><span class="dot" style="background:#ff5f57"></span><span class="dot" style="background:#febc2e"></span><span class="dot" style="background:#28c840"></span><span class="title">${escapeHtml(input.title ?? 'Terminal')}</span></div>
<pre><div class="line"><span class="prompt">$</span> ${escapeHtml(input.command)}</div>${screen}</pre>
</div></body></html>`;
}
