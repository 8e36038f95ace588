/**
 * A QR code for the terminal, two modules per character cell (half blocks),
 * drawn black on white with explicit colours so it scans on dark and light
 * terminal themes alike, with a quiet zone around it.
 *
 * @example
 * ```ts
 * out.write(renderQr('https://contoso.ciamlogin.com/common/oauth2/deviceauth'));
 * ```
 */
import { encode } from 'uqr';

const BLACK_ON_WHITE = '\u001b[30;107m';
const RESET = '\u001b[0m';

export function renderQr(text: string): string {
  const { data, size } = encode(text, { ecc: 'L', border: 2 });
  const dark = (x: number, y: number) => data[y]?.[x] === true;
  const lines: string[] = [];
  for (let y = 0; y < size; y += 2) {
    let line = '';
    for (let x = 0; x < size; x += 1) {
      const top = dark(x, y);
      const bottom = dark(x, y + 1);
      line += top && bottom ? '\u2588' : top ? '\u2580' : bottom ? '\u2584' : ' ';
    }
    lines.push(`${BLACK_ON_WHITE}${line}${RESET}`);
  }
  return `${lines.join('\n')}\n`;
}
