import { describe, expect, it } from '@jest/globals';
import type { ParleyClient } from '@parley/client';
import type { AttachmentLink } from '@parley/protocol';
import { AttachmentLinks } from './attachment-links';

function links(expiresIn: number) {
  let now = 1_000_000;
  const asked: string[] = [];
  const client = {
    attachmentLink: (id: string, variant: string): Promise<AttachmentLink> => {
      asked.push(`${id}/${variant}`);
      return Promise.resolve({ url: `u${asked.length}`, expiresAt: now + expiresIn } as AttachmentLink);
    },
  } as unknown as ParleyClient;
  return { links: new AttachmentLinks(client, () => now), asked, advance: (ms: number) => void (now += ms) };
}

describe('AttachmentLinks', () => {
  it('asks once per attachment and variant while the link is in the first half of its life', async () => {
    const l = links(300_000);
    expect((await l.links.get('a')).url).toBe('u1');
    l.advance(149_000);
    expect((await l.links.get('a')).url).toBe('u1');
    expect((await l.links.get('a', 'thumbnail')).url).toBe('u2');
    l.advance(2_000); // past half the life of u1
    expect((await l.links.get('a')).url).toBe('u3');
  });

  it('never trusts a link that says it lives long (this clock behind the server) past the cap', async () => {
    const l = links(3_600_000);
    await l.links.get('a');
    l.advance(151_000);
    expect((await l.links.get('a')).url).toBe('u2');
  });

  it('asks again at once when the link is already expired by this clock (this clock ahead)', async () => {
    const l = links(-10_000);
    await l.links.get('a');
    expect((await l.links.get('a')).url).toBe('u2');
  });

  it('refresh asks for a new link whatever is cached, and later gets share it', async () => {
    const l = links(300_000);
    await l.links.get('a');
    expect((await l.links.refresh('a')).url).toBe('u2');
    expect((await l.links.get('a')).url).toBe('u2');
    expect(l.asked).toEqual(['a/original', 'a/original']);
  });

  it('forgets a refused request, so the next get asks again', async () => {
    let fail = true;
    const client = {
      attachmentLink: () => (fail ? Promise.reject(new Error('no')) : Promise.resolve({ url: 'ok', expiresAt: Date.now() + 300_000 } as AttachmentLink)),
    } as unknown as ParleyClient;
    const l = new AttachmentLinks(client);
    await expect(l.get('a')).rejects.toThrow('no');
    fail = false;
    expect((await l.get('a')).url).toBe('ok');
  });
});
