import { SettingsService } from '@parley/domain';
import { createSocialWorld, type SocialWorld } from './support/social-world';

const DEFAULTS = { dmPolicy: 'friends', groupInvites: 'friends', previews: false, dnd: null } as const;
const NIGHTS = { start: '22:00', end: '07:30', timeZone: 'Asia/Shanghai' };

/** `settings:get` and `settings:update` over the real SQLite engine. */
describe('SettingsService', () => {
  let w: SocialWorld;
  let settings: SettingsService;

  beforeEach(async () => {
    w = await createSocialWorld();
    await w.addUsers('alice', 'bob');
    settings = new SettingsService({ store: w.store, notifier: w.notifier });
  });

  afterEach(() => w.close());

  it('starts with direct messages from friends only, invitations asked of strangers only, no previews, no DND', async () => {
    expect(await settings.get('alice')).toEqual(DEFAULTS);
  });

  it('changes the caller\'s own settings and no one else\'s', async () => {
    expect(await settings.update('alice', { dmPolicy: 'anyone' })).toEqual({ ...DEFAULTS, dmPolicy: 'anyone' });
    expect(await settings.update('alice', { groupInvites: 'ask' })).toEqual({ ...DEFAULTS, dmPolicy: 'anyone', groupInvites: 'ask' });
    expect(await settings.get('alice')).toEqual({ ...DEFAULTS, dmPolicy: 'anyone', groupInvites: 'ask' });
    expect(await settings.get('bob')).toEqual(DEFAULTS);
    expect((await w.store.getUser('alice'))?.displayName).toBe('ALICE');
  });

  it('saves previews and do-not-disturb hours, and turns DND off with null', async () => {
    expect(await settings.update('alice', { previews: true, dnd: NIGHTS })).toEqual({ ...DEFAULTS, previews: true, dnd: NIGHTS });
    expect(await settings.get('alice')).toEqual({ ...DEFAULTS, previews: true, dnd: NIGHTS });
    expect(await settings.update('alice', { dnd: null })).toEqual({ ...DEFAULTS, previews: true });
    expect(await settings.get('bob')).toEqual(DEFAULTS);
  });

  it('tells the user\'s other sessions, never the calling one, and nobody else', async () => {
    const updated = await settings.update('alice', { previews: true }, 'sock-1');
    expect(w.notifier.published('settings:update')).toEqual([
      expect.objectContaining({ rooms: ['user:alice'], payload: { settings: updated }, options: { exceptSession: 'sock-1' } }),
    ]);
  });

  it('keeps the settings as they are on an empty update', async () => {
    await settings.update('alice', { dmPolicy: 'anyone' });
    expect(await settings.update('alice', {})).toEqual({ ...DEFAULTS, dmPolicy: 'anyone' });
  });

  it('answers NOT_FOUND for a user who does not exist, and tells no one', async () => {
    await expect(settings.get('nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(settings.update('nobody', { dmPolicy: 'anyone' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(w.notifier.published('settings:update')).toEqual([]);
  });
});
