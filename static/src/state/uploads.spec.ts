import { describe, expect, it } from '@jest/globals';
import type { Action } from './actions';
import type { Upload, UploadsState } from './types';
import { uploadsReducer } from './uploads';

const upload: Upload = { id: 'u1', conversationId: 'd:alice', name: 'cat.png', size: 2048, progress: 0, status: 'uploading' };
const run = (...actions: Action[]): UploadsState => actions.reduce(uploadsReducer, { uploads: [] });

describe('uploads', () => {
  it('shows progress that only moves forward, then "sending" at full', () => {
    const s = run({ type: 'upload/started', upload }, { type: 'upload/progress', id: 'u1', progress: 0.6 }, { type: 'upload/progress', id: 'u1', progress: 0.4 });
    expect(s.uploads[0]?.progress).toBe(0.6);
    expect(uploadsReducer(s, { type: 'upload/sending', id: 'u1' }).uploads[0]).toMatchObject({ status: 'sending', progress: 1 });
  });

  it('keeps a failure with its reason until dismissed, and removes a sent one', () => {
    const failed = run({ type: 'upload/started', upload }, { type: 'upload/failed', id: 'u1', error: 'The file is too large.' });
    expect(failed.uploads[0]).toMatchObject({ status: 'failed', error: 'The file is too large.' });
    expect(uploadsReducer(failed, { type: 'upload/finished', id: 'u1' }).uploads).toEqual([]);
  });

  it('leaves the state alone for unknown uploads', () => {
    const s = run({ type: 'upload/started', upload });
    expect(uploadsReducer(s, { type: 'upload/progress', id: 'other', progress: 0.5 })).toBe(s);
    expect(uploadsReducer(s, { type: 'upload/finished', id: 'other' })).toBe(s);
  });
});
