import type { Action } from './actions';
import type { Upload, UploadsState } from './types';

/**
 * Files on their way, in the order they were picked: uploading (with
 * progress), then sending as a message, or failed with a reason. A sent one
 * leaves: its message arrives like any other.
 */
export function uploadsReducer(state: UploadsState, action: Action): UploadsState {
  switch (action.type) {
    case 'upload/started':
      return { uploads: [...state.uploads, action.upload] };
    case 'upload/progress':
      return patch(state, action.id, (u) => (u.status === 'uploading' && action.progress > u.progress ? { ...u, progress: Math.min(1, action.progress) } : u));
    case 'upload/sending':
      return patch(state, action.id, (u) => ({ ...u, status: 'sending', progress: 1 }));
    case 'upload/failed':
      return patch(state, action.id, (u) => ({ ...u, status: 'failed', error: action.error }));
    case 'upload/finished': {
      const uploads = state.uploads.filter((u) => u.id !== action.id);
      return uploads.length === state.uploads.length ? state : { uploads };
    }
    default:
      return state;
  }
}

function patch(state: UploadsState, id: string, change: (u: Upload) => Upload): UploadsState {
  let changed = false;
  const uploads = state.uploads.map((u) => {
    if (u.id !== id) return u;
    const next = change(u);
    changed ||= next !== u;
    return next;
  });
  return changed ? { uploads } : state;
}
