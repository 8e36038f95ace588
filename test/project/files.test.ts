/**
 * The files every project has, kept true: the license agrees with package.json, the changelog's
 * newest version is the package's, links between the documents land on a heading that exists,
 * and the editor's debug configurations name tasks and scripts that exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import packageJson from '../../package.json';

const ROOT = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const readJson = <T>(file: string) => JSON.parse(read(file)) as T;

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchor(match[1]!.trim())));
}

/** Markdown links to a document of this repository, with their anchor: `[text](README.md#x)`, `[text](#x)`. */
function localLinks(markdown: string): { file: string | undefined; anchor: string | undefined }[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  return [...withoutCode.matchAll(/\]\((?!https?:|mailto:)([^)#\s]*)(?:#([^)\s]+))?\)/g)].map((match) => ({
    file: match[1] || undefined,
    anchor: match[2],
  }));
}

describe('project files', () => {
  it('license the code under MIT, in LICENSE and package.json alike', () => {
    expect(packageJson.license).toBe('MIT');
    const license = read('LICENSE');
    expect(license.split('\n')[0]).toBe('MIT License');
    expect(license).toMatch(/^Copyright \(c\) \d{4} \S/m);
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  });

  it('describe the package version as the newest entry of the changelog', () => {
    const versions = [...read('CHANGELOG.md').matchAll(/^## \[([^\]]+)\]/gm)].map((match) => match[1]);
    expect(versions[0]).toBe(packageJson.version);
  });

  it.each(['README.md', 'SECURITY.md', 'CHANGELOG.md'])('%s links only to files and headings that exist', (file) => {
    const broken = localLinks(read(file)).filter((link) => {
      const target = link.file ?? file;
      let text: string;
      try {
        text = read(target);
      } catch {
        return true;
      }
      return link.anchor !== undefined && target.endsWith('.md') && !anchorsOf(text).has(link.anchor);
    });
    expect(broken).toEqual([]);
  });
});

describe('the Visual Studio Code debug setup', () => {
  interface Task {
    label: string;
    type: string;
    command: string;
    dependsOn?: string | string[];
  }
  interface LaunchConfiguration {
    name: string;
    request: string;
    port?: number;
    preLaunchTask?: string;
    runtimeExecutable?: string;
    runtimeArgs?: string[];
  }
  const { tasks } = readJson<{ tasks: Task[] }>('.vscode/tasks.json');
  const { configurations } = readJson<{ configurations: LaunchConfiguration[] }>('.vscode/launch.json');
  const labels = new Set(tasks.map((task) => task.label));
  const scripts = packageJson.scripts as Record<string, string>;

  it('attaches to the Node worker on 9229 after the func host start task, as the Functions quickstart does', () => {
    const attach = configurations.find((configuration) => configuration.request === 'attach');
    expect(attach).toMatchObject({ port: 9229, preLaunchTask: 'func: host start' });
    expect(tasks.find((task) => task.label === 'func: host start')).toMatchObject({ type: 'func', command: 'host start' });
  });

  it('names only tasks and npm scripts that exist', () => {
    for (const configuration of configurations) {
      if (configuration.preLaunchTask) expect(labels).toContain(configuration.preLaunchTask);
      if (configuration.runtimeExecutable === 'npm') expect(Object.keys(scripts)).toContain(configuration.runtimeArgs![1]);
    }
    for (const task of tasks) {
      for (const dependency of [task.dependsOn ?? []].flat()) expect(labels).toContain(dependency);
      const script = /^npm run (\S+)/.exec(task.command)?.[1];
      if (script) expect(Object.keys(scripts)).toContain(script);
    }
  });

  it("deploys from the editor exactly what azd deploys: dist/app, built first, never the project folder", () => {
    // The project folder holds local.settings.json (secrets) and .dev/ (the local CA's private key).
    const settings = readJson<Record<string, string>>('.vscode/settings.json');
    const azure = parseYaml(read('azure.yaml')) as { services: { api: { dist: string } } };
    expect(settings['azureFunctions.deploySubpath']).toBe(azure.services.api.dist);
    expect(azure.services.api.dist).toBe('dist/app');
    const preDeploy = tasks.find((task) => task.label === settings['azureFunctions.preDeployTask']);
    expect(preDeploy?.command).toBe('npm run build');
    expect(scripts.build).toContain('scripts/bundle.ts');
  });

  it('debugs the functions without Core Tools too: npm run dev, following its child processes', () => {
    expect(configurations.find((configuration) => configuration.runtimeArgs?.join(' ') === 'run dev')).toMatchObject({
      request: 'launch',
      autoAttachChildProcesses: true,
    });
  });
});
