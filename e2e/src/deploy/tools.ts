import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** The absolute path of `name` on PATH (or in the sbin folders where Debian puts nginx), or undefined. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * `describe` when `tool` is installed. Otherwise skipped with a message saying
 * so, unless `requiredInCi` and this is CI (.ci/run installs it): there a
 * missing tool fails the run instead of hiding the check.
 */
export function describeWithTool(tool: string, requiredInCi: boolean): jest.Describe {
  if (findTool(tool)) return describe;
  if (requiredInCi && process.env.CI) {
    return ((name: string) =>
      describe(name, () => {
        it(`needs ${tool}, which .ci/run installs`, () => {
          throw new Error(`${tool} is not installed`);
        });
      })) as unknown as jest.Describe;
  }
  console.warn(`skipping the ${tool} checks: ${tool} is not installed`);
  return describe.skip;
}

/** Runs a tool and returns its stdout; a failure throws with its stderr. */
export function run(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync(file, args, { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${path.basename(file)} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}
