import { fileTypeFromBuffer } from 'file-type/core';
import pLimit from 'p-limit';
import sharp, { type Sharp } from 'sharp';
import type { MediaInspection, MediaInspector } from '@parley/domain';
import { ParleyError } from '@parley/protocol';

/** Raster images the server decodes, strips and thumbnails; anything else is a plain file. */
const IMAGE_MIMES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif']);

export interface SharpMediaInspectorOptions {
  /** The thumbnail fits inside this square. @default 320 */
  thumbnailSize?: number;
  /** Decoding stops beyond this many pixels (a small file can claim a huge canvas). @default 40 megapixels */
  maxPixels?: number;
  /** Images decoded at once by this inspector (one per process): each may hold a full canvas in memory. @default 2 */
  concurrency?: number;
}

type Strictness = 'error' | 'none';

/**
 * What bytes are, from the bytes: `file-type` reads their magic numbers
 * (never the name or the client's type); images are decoded by `sharp`,
 * turned upright (EXIF orientation applied), re-encoded without any
 * metadata (EXIF, GPS, XMP, ICC comments) and thumbnailed.
 *
 * Bytes sniffed as an image are always re-encoded or refused, never kept as
 * they came: an image sharp refuses strictly is decoded again leniently
 * (`failOn: 'none'`, e.g. a truncated scan), and one it still cannot decode
 * (or larger than maxPixels) is INVALID_ARGUMENT, so no EXIF/GPS survives
 * as a downloadable file.
 *
 * Cost: a still image is decoded once (to raw pixels, upright) and both the
 * stripped copy and the thumbnail are encoded from those pixels; animated
 * GIF/WebP keep two pipelines (raw pixels lose frame delays). Decodes run
 * at most `concurrency` at a time per inspector. The bytes arrive as one
 * buffer (read whole from the blob store, at most PARLEY_UPLOAD_MAX_BYTES);
 * streaming them is not done.
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
  private readonly limit: pLimit.Limit;

  constructor(options: SharpMediaInspectorOptions = {}) {
    this.thumbnailSize = options.thumbnailSize ?? 320;
    this.maxPixels = options.maxPixels ?? 40_000_000;
    this.limit = pLimit(options.concurrency ?? 2);
  }

  async inspect(bytes: Buffer): Promise<MediaInspection> {
    const mime = (await fileTypeFromBuffer(bytes))?.mime ?? 'application/octet-stream';
    if (!IMAGE_MIMES.has(mime)) return { mime };
    return this.limit(async () => {
      const image = await this.processImage(bytes, mime, 'error').catch(() => this.processImage(bytes, mime, 'none')).catch((err: unknown) => {
        throw new ParleyError('INVALID_ARGUMENT', `file: the bytes are ${mime} but cannot be decoded (damaged, or over ${this.maxPixels} pixels)`, { cause: err });
      });
      return { mime, image };
    });
  }

  private async processImage(bytes: Buffer, mime: string, failOn: Strictness): Promise<NonNullable<MediaInspection['image']>> {
    const animated = mime === 'image/gif' || mime === 'image/webp';
    // rotate() with no angle applies the EXIF orientation; without withMetadata() sharp writes none.
    const upright = sharp(bytes, { limitInputPixels: this.maxPixels, animated, failOn }).rotate();
    if (animated && ((await upright.metadata()).pages ?? 1) > 1) {
      const { data: stripped, info } = await reencode(upright.clone(), mime).toBuffer({ resolveWithObject: true });
      const thumbnail = await this.thumbnail(upright.clone());
      return { width: info.width, height: info.pageHeight ?? info.height, stripped, strippedMime: mime, thumbnail, thumbnailMime: 'image/webp' };
    }
    const { data, info } = await upright.raw().toBuffer({ resolveWithObject: true });
    const pixels = (): Sharp => sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
    const [stripped, thumbnail] = await Promise.all([reencode(pixels(), mime).toBuffer(), this.thumbnail(pixels())]);
    return { width: info.width, height: info.height, stripped, strippedMime: mime, thumbnail, thumbnailMime: 'image/webp' };
  }

  private thumbnail(image: Sharp): Promise<Buffer> {
    return image.resize({ width: this.thumbnailSize, height: this.thumbnailSize, fit: 'inside', withoutEnlargement: true }).webp({ quality: 75 }).toBuffer();
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
