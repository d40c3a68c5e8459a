import sharp from 'sharp';

/**
 * A JPEG as a phone writes it: stored sideways with EXIF orientation 6
 * (rotate 90° to view), a camera make and GPS coordinates. `width` and
 * `height` are the stored pixels; viewed upright they swap.
 */
export async function jpegWithExif(width = 800, height = 400): Promise<Buffer> {
  // Left half red, right half blue: after rotation the colours say which way it turned.
  const left = await sharp({ create: { width: width / 2, height, channels: 3, background: '#ff0000' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#0000ff' } })
    .composite([{ input: left, left: 0, top: 0 }])
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'ParleyCam', Model: 'Test 1', Copyright: 'secret-owner' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2964/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 4000/100' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}
