import { SettingsService } from '@parley/domain';
import { createSocialWorld, type SocialWorld } from './support/social-world';

/** `settings:get` and `settings:update` over the real SQLite engine. */
describe('SettingsService', () => {
  let w: SocialWorld;
  let settings: SettingsService;

  beforeEach(async () => {
    w = await createSocialWorld();
    await w.addUsers('alice', 'bob');
    settings = new SettingsService({ store: w.store });
  });

  afterEach(() => w.close());

  it('starts with direct messages from friends only, and group invitations asked of strangers only', async () => {
    expect(await settings.get('alice')).toEqual({ dmPolicy: 'friends', groupInvites: 'friends' });
  });

  it('changes the caller\'s own settings and no one else\'s', async () => {
    expect(await settings.update('alice', { dmPolicy: 'anyone' })).toEqual({ dmPolicy: 'anyone', groupInvites: 'friends' });
    expect(await settings.update('alice', { groupInvites: 'ask' })).toEqual({ dmPolicy: 'anyone', groupInvites: 'ask' });
    expect(await settings.get('alice')).toEqual({ dmPolicy: 'anyone', groupInvites: 'ask' });
    expect(await settings.get('bob')).toEqual({ dmPolicy: 'friends', groupInvites: 'friends' });
    expect((await w.store.getUser('alice'))?.displayName).toBe('ALICE');
  });

  it('keeps the settings as they are on an empty update', async () => {
    await settings.update('alice', { dmPolicy: 'anyone' });
    expect(await settings.update('alice', {})).toEqual({ dmPolicy: 'anyone', groupInvites: 'friends' });
  });

  it('answers NOT_FOUND for a user who does not exist', async () => {
    await expect(settings.get('nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(settings.update('nobody', { dmPolicy: 'anyone' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
