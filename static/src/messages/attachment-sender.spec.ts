import { describe, expect, it } from '@jest/globals';
import { MAX_FILE_NAME_LENGTH } from '@parley/protocol';
import { fileName } from './attachment-sender';

describe('the name an upload is given', () => {
  it('keeps a short name, and names a nameless file "file"', () => {
    expect(fileName('cat.jpg')).toBe('cat.jpg');
    expect(fileName('')).toBe('file');
  });

  it('cuts a long name to the server\'s limit between code points, never through a surrogate pair', () => {
    const name = `${'a'.repeat(MAX_FILE_NAME_LENGTH - 1)}😀.png`;
    const cut = fileName(name);
    expect(cut).toBe('a'.repeat(MAX_FILE_NAME_LENGTH - 1));
    expect(fileName('😀'.repeat(150))).toBe('😀'.repeat(MAX_FILE_NAME_LENGTH / 2));
    expect(fileName('日'.repeat(250))).toHaveLength(MAX_FILE_NAME_LENGTH);
  });
});
