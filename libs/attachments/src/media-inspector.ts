import { fileTypeFromBuffer } from 'file-type/core';
import sharp, { type Sharp } from 'sharp';
import type { MediaInspection, MediaInspector } from '@parley/domain';

/** Raster images the server decodes, strips and thumbnails; anything else is a plain file. */
const IMAGE_MIMES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif']);

export interface SharpMediaInspectorOptions {
  /** The thumbnail fits inside this square. @default 320 */
  thumbnailSize?: number;
  /** Decoding stops beyond this many pixels (a small file can claim a huge canvas). @default 40 megapixels */
  maxPixels?: number;
}

/**
 * What bytes are, from the bytes: `file-type` reads their magic numbers
 * (never the name or the client's type); images are decoded by `sharp`,
 * turned upright (EXIF orientation applied), re-encoded without any
 * metadata (EXIF, GPS, XMP, ICC comments) and thumbnailed.
 *
 * `file-type` is ESM-only. This file imports it statically, which CommonJS
 * output turns into `require('file-type/core')`: Node 20.19+ loads ES
 * modules with require() (it has no top-level await), so the apps and the
 * esbuild bundles work as they are; jest, whose module registry cannot
 * require() ESM, compiles it and its ESM dependencies to CommonJS instead
 * (jest.config.js transformIgnorePatterns). A dynamic import() would not
 * help jest, which refuses import() without --experimental-vm-modules.
 * `file-type/core` (buffers only) is enough: the node entry adds file and
 * stream readers the server does not use.
 */
export class SharpMediaInspector implements MediaInspector {
  private readonly thumbnailSize: number;
  private readonly maxPixels: number;

  constructor(options: SharpMediaInspectorOptions = {}) {
    this.thumbnailSize = options.thumbnailSize ?? 320;
    this.maxPixels = options.maxPixels ?? 40_000_000;
  }

  async inspect(bytes: Buffer): Promise<MediaInspection> {
    const mime = (await fileTypeFromBuffer(bytes))?.mime ?? 'application/octet-stream';
    if (!IMAGE_MIMES.has(mime)) return { mime };
    const image = await this.processImage(bytes, mime).catch(() => undefined);
    // Bytes that start like an image but do not decode are kept as a file, not shown as one.
    return image ? { mime, image } : { mime };
  }

  private async processImage(bytes: Buffer, mime: string): Promise<MediaInspection['image']> {
    const animated = mime === 'image/gif' || mime === 'image/webp';
    const input = (): Sharp => sharp(bytes, { limitInputPixels: this.maxPixels, animated, failOn: 'error' });
    // rotate() with no angle applies the EXIF orientation; without withMetadata() sharp writes none.
    const upright = input().rotate();
    const strippedMime = mime === 'image/gif' ? 'image/gif' : mime;
    const { data: stripped, info } = await reencode(upright, strippedMime).toBuffer({ resolveWithObject: true });
    const height = info.pageHeight ?? info.height;
    const thumbnail = await input()
      .rotate()
      .resize({ width: this.thumbnailSize, height: this.thumbnailSize, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
    return { width: info.width, height, stripped, strippedMime, thumbnail, thumbnailMime: 'image/webp' };
  }
}

function reencode(image: Sharp, mime: string): Sharp {
  switch (mime) {
    case 'image/jpeg':
      return image.jpeg({ quality: 90, mozjpeg: true });
    case 'image/png':
      return image.png();
    case 'image/webp':
      return image.webp({ quality: 90 });
    case 'image/gif':
      return image.gif();
    default:
      return image.avif();
  }
}
