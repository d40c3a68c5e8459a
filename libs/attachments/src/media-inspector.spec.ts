import sharp from 'sharp';
import { jpegWithExif } from './testing/sample-images';
import { SharpMediaInspector } from './media-inspector';

const inspector = new SharpMediaInspector();

describe('SharpMediaInspector', () => {
  it('strips EXIF and GPS from a JPEG, applies its orientation, and thumbnails it within 320 px', async () => {
    const original = await jpegWithExif(800, 400);
    const before = await sharp(original).metadata();
    expect(before).toMatchObject({ width: 800, height: 400, orientation: 6 });
    expect(before.exif).toBeDefined();
    expect(original.includes(Buffer.from('ParleyCam'))).toBe(true);

    const result = await inspector.inspect(original);
    expect(result.mime).toBe('image/jpeg');
    const image = result.image;
    if (!image) throw new Error('a JPEG is an image');
    // Stored sideways with orientation 6: upright it is 400 wide and 800 high.
    expect({ width: image.width, height: image.height, strippedMime: image.strippedMime }).toEqual({ width: 400, height: 800, strippedMime: 'image/jpeg' });
    const after = await sharp(image.stripped).metadata();
    expect(after).toMatchObject({ width: 400, height: 800 });
    expect(after.exif).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(image.stripped.includes(Buffer.from('ParleyCam'))).toBe(false);
    expect(image.stripped.includes(Buffer.from('secret-owner'))).toBe(false);
    // The red half (left when stored) is on top once upright (rotated 90° clockwise).
    const top = await sharp(image.stripped).extract({ left: 200, top: 100, width: 1, height: 1 }).raw().toBuffer();
    expect(top[0]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(60);

    const thumb = await sharp(image.thumbnail).metadata();
    expect(image.thumbnailMime).toBe('image/webp');
    expect(thumb.format).toBe('webp');
    expect(Math.max(thumb.width ?? 0, thumb.height ?? 0)).toBe(320);
    expect(thumb).toMatchObject({ width: 160, height: 320 });
    expect(thumb.exif).toBeUndefined();
  });

  it('knows a PNG by its bytes whatever its name, and keeps small images small', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 4, background: '#00ff0080' } }).png().toBuffer();
    const result = await inspector.inspect(png);
    expect(result.mime).toBe('image/png');
    expect(result.image).toMatchObject({ width: 40, height: 30, strippedMime: 'image/png' });
    expect(await sharp(result.image?.thumbnail).metadata()).toMatchObject({ width: 40, height: 30 });
  });

  it('keeps an animated GIF animated (every frame), measured by one frame, with a still thumbnail', async () => {
    // Three frames of different shades (the encoder merges identical ones).
    const frames = Buffer.concat([250, 100, 10].map((shade) => Buffer.alloc(30 * 20 * 3, shade)));
    const gif = await sharp(frames, { raw: { width: 30, height: 60, channels: 3, pageHeight: 20 } }).gif({ delay: [100, 100, 100] }).toBuffer();
    const result = await inspector.inspect(gif);
    expect(result.image).toMatchObject({ width: 30, height: 20, strippedMime: 'image/gif' });
    expect(await sharp(result.image?.stripped, { animated: true }).metadata()).toMatchObject({ pages: 3, pageHeight: 20 });
    expect(await sharp(result.image?.thumbnail).metadata()).toMatchObject({ format: 'webp', width: 30 });
  });

  it('does not take text for an image, whatever it is called', async () => {
    for (const text of ['hello, this is not a picture', '\xff\xd8 but only two bytes of a JPEG header', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>']) {
      const result = await inspector.inspect(Buffer.from(text, 'latin1'));
      expect({ text, image: result.image, mime: result.mime }).toEqual({ text, image: undefined, mime: expect.not.stringMatching(/^image\//) });
    }
  });

  it('refuses bytes that look like an image but cannot be decoded (INVALID_ARGUMENT): never kept with their EXIF as a file', async () => {
    const jpeg = await jpegWithExif(200, 100);
    expect(jpeg.subarray(0, 300).includes(Buffer.from('ParleyCam'))).toBe(true);
    await expect(inspector.inspect(jpeg.subarray(0, 300))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('decodes leniently an image the strict decoder refuses (a JPEG cut short), and strips it like any other', async () => {
    const jpeg = await jpegWithExif(800, 400);
    const cut = jpeg.subarray(0, jpeg.length - 200);
    await expect(sharp(cut, { failOn: 'error' }).toBuffer()).rejects.toThrow();
    const result = await inspector.inspect(cut);
    expect(result.image).toMatchObject({ width: 400, height: 800, strippedMime: 'image/jpeg' });
    expect(result.image?.stripped.includes(Buffer.from('ParleyCam'))).toBe(false);
    expect((await sharp(result.image?.stripped).metadata()).exif).toBeUndefined();
  });

  it('recognises other files (a PDF) and calls unknown bytes application/octet-stream', async () => {
    expect((await inspector.inspect(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n', 'latin1'))).mime).toBe('application/pdf');
    expect((await inspector.inspect(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]))).mime).toBe('application/octet-stream');
  });

  it('refuses a canvas beyond its pixel limit (a small file claiming a huge image) with INVALID_ARGUMENT, keeping nothing', async () => {
    const small = new SharpMediaInspector({ maxPixels: 100 * 100 });
    const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#000' } }).png().toBuffer();
    await expect(small.inspect(png)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
