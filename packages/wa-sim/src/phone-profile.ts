/** A business account's public profile, as WhatsApp's `w:biz` answers it. */
export interface SimBusinessProfile {
  description?: string;
  category?: string;
  email?: string;
  website?: string;
  address?: string;
}

/** What {@link PhoneProfile.configure} sets; each one given replaces the current value. */
export interface PhoneProfileSettings {
  /** The about text; default none. */
  about?: string | null;
  /** The profile picture's URL, as WhatsApp's picture hosts serve it; default none. */
  picture?: string | null;
  /** The business profile; default none (not a business). */
  business?: SimBusinessProfile | null;
}

/** An account's profile as others see it, what its linked devices set, and whom it blocks. */
export class PhoneProfile {
  about: string | null = null;
  picture: string | null = null;
  business: SimBusinessProfile | null = null;
  /** The picture a linked device last set (the JPEG it uploaded). */
  pictureJpeg: Buffer | null = null;
  /** The numbers this account blocks: their 1:1 messages no longer reach its linked devices. */
  readonly blocked = new Set<string>();
  private pictureVersion = 0;

  constructor(private readonly number: string) {}

  /** Changes what others see. */
  configure(settings: PhoneProfileSettings): this {
    if (settings.about !== undefined) this.about = settings.about;
    if (settings.picture !== undefined) this.picture = settings.picture;
    if (settings.business !== undefined) this.business = settings.business;
    return this;
  }

  /** A linked device set the account's picture: others are shown it at a new URL. */
  setPicture(jpeg: Buffer): void {
    this.pictureJpeg = jpeg;
    this.picture = `https://pps.whatsapp.net/v/wa-sim/${this.number}-${++this.pictureVersion}.jpg`;
  }
}
