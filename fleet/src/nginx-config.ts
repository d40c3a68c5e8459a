/**
 * nginx configuration for the fleet's one public entry, made from the same
 * template the deployment uses (docker/nginx/parley.conf.template), so the
 * proof exercises the routing operators run: only the ENTRY_* values differ.
 */

/** Replaces `${ENTRY_X}` (envsubst's syntax, only our prefix: nginx's own `$variables` stay); an unknown one throws. */
export function renderEntryTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\$\{(ENTRY_[A-Z0-9_]+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`the entry template wants ${key}, which the fleet does not set`);
    return value;
  });
}

export interface EntryMainConfig {
  /** Folder for the pid file and nginx's temp files. */
  runDir: string;
  /** The rendered server block (the template's output). */
  serverConfigFile: string;
  errorLog: string;
  accessLog: string;
}

/**
 * The main file around the template's server block: in the foreground, one
 * worker, every path under the run's own folders (nothing in /etc or /var).
 */
export function entryMainConfig(c: EntryMainConfig): string {
  return `# Written by the fleet test; see fleet/src/nginx-config.ts.
daemon off;
user root;
worker_processes 1;
pid ${c.runDir}/nginx.pid;
error_log ${c.errorLog} notice;
events { worker_connections 2048; }
http {
  access_log ${c.accessLog};
  client_body_temp_path ${c.runDir}/client_body;
  proxy_temp_path ${c.runDir}/proxy;
  fastcgi_temp_path ${c.runDir}/fastcgi;
  uwsgi_temp_path ${c.runDir}/uwsgi;
  scgi_temp_path ${c.runDir}/scgi;
  include ${c.serverConfigFile};
}
`;
}
