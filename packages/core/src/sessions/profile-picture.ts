import sharp from 'sharp';
import { validationError } from '../validation.js';

/** WhatsApp's profile pictures are square JPEGs this many pixels a side. */
export const PROFILE_PICTURE_SIZE = 640;

/** A profile picture from any image sharp reads: cropped square to its centre, as a 640×640 JPEG; else `validation` naming picture_url. */
export async function profilePicture(data: Buffer): Promise<Buffer> {
  try {
    return await sharp(data).resize(PROFILE_PICTURE_SIZE, PROFILE_PICTURE_SIZE, { fit: 'cover' }).jpeg().toBuffer();
  } catch {
    throw validationError({ picture_url: ['is not an image sharp can read'] });
  }
}
