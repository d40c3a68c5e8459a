import { encodeAdminPayload, type SystemNotice } from '@parley/protocol';
import { silentLogger } from '@parley/util';
import type { ImServer } from '../socket/socket-types';
import { AdminCommands } from './admin-commands';

function setup() {
  const emitted: [string, unknown][] = [];
  const io = { emit: (event: string, payload: unknown) => void emitted.push([event, payload]), of: () => ({ sockets: new Map() }) } as unknown as ImServer;
  const drains: string[] = [];
  const drops: string[] = [];
  const commands = new AdminCommands(io, (by) => void drains.push(by), silentLogger, (reason) => void drops.push(reason));
  return { commands, emitted, drains, drops };
}

const notice: SystemNotice = { id: 'n1', text: 'maintenance at ten', level: 'warning', at: 5 };
const raw = (kind: string, payload: unknown, id = 'c1') => ({ id, kind, payload: Buffer.from(JSON.stringify(payload)) });

describe('AdminCommands (operators commands from the gateways)', () => {
  it('emits a notice to every local socket once, however many times it arrives', () => {
    const { commands, emitted } = setup();
    const frame = { id: 'n1', kind: 'notice', payload: encodeAdminPayload({ id: 'n1', kind: 'notice', payload: notice }) };
    commands.receive(frame, 'gw-1');
    commands.receive(frame, 'gw-2');
    expect(emitted).toEqual([['system:notice', notice]]);
  });

  it('calls the drain hook once, naming who asked', () => {
    const { commands, drains } = setup();
    commands.receive(raw('drain', { by: 'root' }), 'gw-1');
    commands.receive(raw('drain', { by: 'root' }, 'c2'), 'gw-2');
    expect(drains).toEqual(['root']);
  });

  it('drops and counts what does not validate: unknown kinds, bad JSON, extra fields, oversized or control-laden text', () => {
    const { commands, emitted, drains, drops } = setup();
    commands.receive(raw('shutdown', {}), 'gw-1');
    commands.receive({ id: 'c', kind: 'notice', payload: Buffer.from('{not json') }, 'gw-1');
    commands.receive(raw('drain', { by: 'root', also: 'exit' }), 'gw-1');
    commands.receive(raw('notice', { ...notice, text: 'x'.repeat(501) }), 'gw-1');
    commands.receive(raw('notice', { ...notice, text: 'evil\u202e' }), 'gw-1');
    commands.receive(raw('notice', notice, ''), 'gw-1');
    commands.receive({ id: 'c', kind: 'notice', payload: Buffer.alloc(5_000, 32) }, 'gw-1');
    expect(emitted).toEqual([]);
    expect(drains).toEqual([]);
    expect(commands.dropped).toBe(7);
    expect(drops).toEqual(['admin_unknown-kind', 'admin_bad-json', 'admin_bad-payload', 'admin_bad-payload', 'admin_bad-payload', 'admin_bad-id', 'admin_payload-too-large']);
  });
});
