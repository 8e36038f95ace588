/**
 * A short, human description of the device a session was created on, from
 * its `User-Agent`: "Chrome on Windows", "Safari on iPhone". Only names from
 * the lists below are ever returned, never a piece of the header, so the
 * description is safe to store and show and cannot fingerprint anyone.
 *
 * @example
 * ```ts
 * describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) … Chrome/131.0.0.0 Safari/537.36'); // 'Chrome on Windows'
 * describeDevice(null); // 'Unknown browser on an unknown device'
 * ```
 */

/** First match wins: Edge, Opera and Samsung Internet also claim to be Chrome, Chrome also claims Safari. */
const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\b(Headless)?Chrome\/|\bCriOS\/|\bChromium\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/^fnauth\//, 'fnauth'],
  [/^curl\//, 'curl'],
];

const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** Long enough for any real browser's header; an oversized one is not worth reading further. */
const MAX_READ = 512;

export function describeDevice(userAgent: string | null | undefined): string {
  const text = (userAgent ?? '').slice(0, MAX_READ);
  const browser = BROWSERS.find(([pattern]) => pattern.test(text))?.[1] ?? 'Unknown browser';
  const system = SYSTEMS.find(([pattern]) => pattern.test(text))?.[1];
  return system ? `${browser} on ${system}` : `${browser} on an unknown device`;
}
