/** Where npm start and npm run dev look for Azure Functions Core Tools. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findFunc } from '../../dev/core-tools';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'core-tools-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function executable(path: string, mode = 0o755): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, mode);
  return path;
}

describe.skipIf(process.platform === 'win32')('findFunc', () => {
  it('prefers the project’s node_modules/.bin, where the optional dependency puts func', () => {
    const local = executable(join(root, 'project', 'node_modules', '.bin', 'func'));
    executable(join(root, 'global', 'func'));
    expect(findFunc(join(root, 'project'), join(root, 'global'))).toBe(local);
  });

  it('falls back to PATH, in order', () => {
    const first = executable(join(root, 'first', 'func'));
    executable(join(root, 'second', 'func'));
    expect(findFunc(join(root, 'project'), [join(root, 'empty'), join(root, 'first'), join(root, 'second')].join(delimiter))).toBe(first);
  });

  it('finds nothing when there is no executable func file', () => {
    executable(join(root, 'not-executable', 'func'), 0o644);
    mkdirSync(join(root, 'a-folder', 'func'), { recursive: true });
    expect(findFunc(join(root, 'project'), [join(root, 'not-executable'), join(root, 'a-folder')].join(delimiter))).toBeUndefined();
    expect(findFunc(join(root, 'project'), '')).toBeUndefined();
  });
});
