/**
 * The headless block `npm run dev` prints: pasted into a shell it must give
 * the CLI every setting it needs. The values themselves are proven by the
 * device-code end-to-end test, which runs the CLI with `cliEnvironment`.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, CLI_COMMANDS, cliEnvironment, cliInstructions, type CliStack } from '../../dev/cli-instructions';
import { loadSettings } from '../../src/cli/settings';

const stack: CliStack = {
  urls: {
    home: 'http://localhost:7071/api/home',
    login: 'http://localhost:7071/api/login',
    functions: 'http://localhost:7071/api',
    provider: 'https://localhost:8443',
    cosmos: 'http://localhost:8091',
    authority: 'https://localhost:8443/aaaabbbb-0000-4ccc-8111-dddd2222eeee/',
  },
  deviceClientId: '55556666-bbbb-4ccc-8ddd-777788889999',
  settings: { CLIENT_ID: '00001111-aaaa-4bbb-8ccc-222233334444' },
  // A folder name a shell would split or end a quote at.
  provider: { caCertPath: "/home/o'brien/my projects/app/.dev/localhost-ca.pem" },
};

describe('the CLI block of npm run dev', () => {
  it('sets every setting the CLI needs once, pasted into sh as printed', () => {
    const block = cliInstructions(stack, 'linux');
    const exports = block
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('export '));
    expect(exports).toHaveLength(5);
    const printed = execFileSync('sh', ['-c', `${exports.join('\n')}\nenv`], { env: {}, encoding: 'utf8' });
    const env = Object.fromEntries(printed.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    expect(env).toMatchObject(cliEnvironment(stack));
    expect(env.NODE_EXTRA_CA_CERTS).toBe(stack.provider.caCertPath);
    expect(env.API_BASE_URL).toBe('http://localhost:7071');

    // Enough for every command: the CLI accepts these settings without a flag.
    for (const command of ['login', 'whoami', 'call', 'logout'] as const) {
      expect(loadSettings(command, {}, env)).toMatchObject({ authority: stack.urls.authority, clientId: stack.deviceClientId });
    }
  });

  it('then lists every command, ready to paste', () => {
    const lines = cliInstructions(stack, 'linux').split('\n');
    const commands = lines.filter((line) => line.trim().startsWith(CLI)).map((line) => line.trim());
    expect(commands).toEqual(['login', 'whoami', 'call', 'call /api/me', 'logout'].map((args) => `${CLI} ${args}`));
    expect(CLI_COMMANDS).toHaveLength(commands.length);
  });

  it('uses PowerShell assignments on Windows', () => {
    const block = cliInstructions(stack, 'win32');
    expect(block).toContain("$env:NODE_EXTRA_CA_CERTS = '/home/o''brien/my projects/app/.dev/localhost-ca.pem'");
    expect(block).toContain(`$env:AUTHORITY = '${stack.urls.authority}'`);
    expect(block).not.toContain('export ');
  });
});
