import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { at } from '@parley/testing';
import { COMMAND_NAMES, COMMAND_SCHEMAS, ERROR_CODES, SERVER_EVENT_NAMES, isErrorCode, type CommandName } from './index';

const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/protocol.md'), 'utf8');

/** The page's markdown tables: header cells and rows of cells. */
function tables(markdown: string): { header: string[]; rows: string[][] }[] {
  const blocks = markdown.split(/\n(?!\|)/).map((block) => block.split('\n').filter((line) => line.startsWith('|')));
  // Cells split on pipes that are not escaped (`"user"\|"group"` is one cell).
  const cells = (line: string): string[] => line.replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim());
  return blocks.flatMap((lines) => {
    const [head, rule, ...body] = lines;
    return head !== undefined && rule !== undefined && /^\|[\s|:-]+\|$/.test(rule) ? [{ header: cells(head), rows: body.map(cells) }] : [];
  });
}

const tick = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => at(m, 1, 'ticked name'));
const firstCell = (row: string[]): string => at(row, 0, 'first cell');
const rowsOf = (first: string): string[][] => tables(doc).filter((t) => t.header[0] === first).flatMap((t) => t.rows);

/** Names in the first column of the command tables (`| command | payload | ack result | errors |`). */
const commandRows = rowsOf('command');
const documentedCommands = commandRows.flatMap((row) => tick(firstCell(row)));
const documentedEvents = rowsOf('event').flatMap((row) => tick(firstCell(row)));
const documentedCodes = rowsOf('code').map((row) => ({ code: tick(firstCell(row))[0], status: Number(row[2]) }));

describe('docs/protocol.md documents everything that exists', () => {
  it.each(COMMAND_NAMES)('documents the command %s in a command table', (name) => {
    expect(documentedCommands).toContain(name);
  });

  it.each(SERVER_EVENT_NAMES)('documents the server event %s in the event table', (name) => {
    expect(documentedEvents).toContain(name);
  });

  it.each(Object.entries(ERROR_CODES))('documents the error code %s with its HTTP status', (code, { status }) => {
    expect(documentedCodes).toContainEqual({ code, status });
  });
});

describe('everything docs/protocol.md documents exists', () => {
  it('found the command, event and error code tables', () => {
    expect(commandRows.length).toBeGreaterThanOrEqual(COMMAND_NAMES.length);
    expect(documentedEvents.length).toBeGreaterThanOrEqual(SERVER_EVENT_NAMES.length);
    expect(documentedCodes.length).toBeGreaterThanOrEqual(Object.keys(ERROR_CODES).length);
  });

  it('lists only real commands, each once', () => {
    expect(documentedCommands.filter((name) => !(COMMAND_NAMES as string[]).includes(name))).toEqual([]);
    expect(documentedCommands.length).toBe(new Set(documentedCommands).size);
  });

  it('lists only real server events, each once', () => {
    expect(documentedEvents.filter((name) => !(SERVER_EVENT_NAMES as string[]).includes(name))).toEqual([]);
    expect(documentedEvents.length).toBe(new Set(documentedEvents).size);
  });

  it('lists only real error codes, each once', () => {
    const codes = documentedCodes.map((c) => c.code);
    expect(codes.filter((code) => code === undefined || !isErrorCode(code))).toEqual([]);
    expect(codes.length).toBe(new Set(codes).size);
  });

  it('names no other command or event anywhere on the page', () => {
    const known = new Set<string>([...COMMAND_NAMES, ...SERVER_EVENT_NAMES]);
    const named = tick(doc).filter((t) => /^[a-z]+:[a-zA-Z]+$/.test(t));
    expect(named.length).toBeGreaterThan(COMMAND_NAMES.length);
    expect([...new Set(named.filter((t) => !known.has(t)))]).toEqual([]);
  });

  it('names no other error code anywhere on the page (PARLEY_* are settings)', () => {
    const named = tick(doc).filter((t) => /^[A-Z][A-Z_]+$/.test(t) && !t.startsWith('PARLEY_'));
    expect(named.length).toBeGreaterThan(Object.keys(ERROR_CODES).length);
    expect([...new Set(named.filter((t) => !isErrorCode(t)))]).toEqual([]);
  });

  it.each(COMMAND_NAMES)('gives %s the payload fields its schema takes, optional ones marked "?"', (name) => {
    const row = commandRows.find((r) => tick(firstCell(r)).includes(name));
    const documented = payloadFields(row?.[1] ?? '');
    expect(documented).toEqual(schemaFields(name));
  });
});

/** Top-level fields of the first `{…}` in a payload cell: `{groupId, name?, limit? (1–50)}` → groupId, name?, limit?. */
function payloadFields(cell: string): string[] {
  const text = cell.replace(/`/g, '');
  const start = text.indexOf('{');
  if (start < 0) return [`no {…} in "${cell}"`];
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text.slice(start + 1)) {
    if (depth === 0 && (ch === ',' || ch === '}')) {
      if (current.trim()) parts.push(current.trim());
      current = '';
      if (ch === '}') break;
      continue;
    }
    if ('{(['.includes(ch)) depth++;
    if ('})]'.includes(ch)) depth--;
    current += ch;
  }
  return parts.map((part) => /^[A-Za-z_]\w*\??/.exec(part)?.[0] ?? `unreadable "${part}"`).sort();
}

/**
 * The same from the command's zod object schema (a discriminated union: the
 * fields of all its options); a field that accepts undefined (optional,
 * defaulted) gets "?".
 */
function schemaFields(name: CommandName): string[] {
  const schema = COMMAND_SCHEMAS[name] as unknown as { shape?: Record<string, z.ZodType>; options?: { shape: Record<string, z.ZodType> }[] };
  const shapes = schema.options?.map((o) => o.shape) ?? (schema.shape ? [schema.shape] : []);
  const fields = shapes.flatMap((shape) => Object.entries(shape).map(([key, field]) => (field.safeParse(undefined).success ? `${key}?` : key)));
  return [...new Set(fields)].sort();
}
