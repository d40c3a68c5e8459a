import fs from 'node:fs';
import path from 'node:path';
import { acceptedBy, OPERATOR_SECRETS } from './app-config';
import { REPO_ROOT } from './tools';

/**
 * The README's "Run a cluster by hand" recipe, the one docs/deploy.md sends
 * operators to: it runs the compiled bundles, and every process it starts gets
 * an environment that process's own config loader accepts.
 */
describe("the README's cluster-by-hand recipe", () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Run a cluster by hand\n');
  const recipe = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const shellBlocks = [...recipe.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

  /** `KEY=value` assignments (quotes removed) in shell text, in order. */
  const assignments = (text: string) => [...text.matchAll(/(?:^|\s)(PARLEY_[A-Z0-9_]+)=('[^']*'|"[^"]*"|\S+)/g)].map((m) => [m[1] ?? '', (m[2] ?? '').replace(/^['"]|['"]$/g, '')] as const);

  /** Each `node ... dist/apps/<app>/main.js` command with the variables set on it (continuation lines joined). */
  function startCommands(): Array<{ app: string; env: Record<string, string>; line: string }> {
    return shellBlocks
      .flatMap((block) => block.replace(/\\\n/g, ' ').split('\n'))
      .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
      .filter((line) => /\bnode\b.*\bdist\/apps\/[a-z-]+\/main\.js\b/.test(line))
      .map((line) => ({ app: /dist\/apps\/([a-z-]+)\/main\.js/.exec(line)?.[1] ?? '?', env: Object.fromEntries(assignments(line)), line }));
  }

  it('is found', () => {
    expect(start).toBeGreaterThan(0);
    expect(shellBlocks.length).toBeGreaterThan(3);
  });

  it('builds the bundles and runs them, never tsx', () => {
    expect(recipe).toMatch(/node tools\/build-app\.mjs gateway/);
    expect(recipe).toMatch(/node tools\/build-app\.mjs im-service/);
    expect(shellBlocks.join('\n')).not.toMatch(/tsx|apps\/[a-z-]+\/src\/main\.ts/);
    const apps = startCommands().map((c) => c.app);
    expect(apps.filter((a) => a === 'gateway')).toHaveLength(2);
    expect(apps.filter((a) => a === 'im-service')).toHaveLength(3);
  });

  it('hands each process an environment its config loader accepts (no unknown or misspelt key)', () => {
    const shared = shellBlocks.find((block) => /^PARLEY_CLUSTER_SECRET=/m.test(block));
    expect(shared).toBeDefined();
    // The operator's secrets in place of the placeholders.
    const cluster = { ...Object.fromEntries(assignments(shared ?? '')), ...OPERATOR_SECRETS };
    for (const command of startCommands()) {
      expect(command.line).toMatch(/--env-file=\/etc\/parley\/cluster\.env/);
      const app = command.app === 'gateway' ? 'gateway' : 'im';
      expect({ line: command.line, error: errorOf(() => acceptedBy(app, { ...cluster, ...command.env })) }).toEqual({ line: command.line, error: undefined });
    }
  });
});

function errorOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
