import type { Clock } from '../../clock.js';
import { KirimError } from '../../errors.js';
import { GooglePlacesLeadSource } from './google-places-lead-source.js';
import type { LeadSource } from './lead-source.js';
import { OpenStreetMapLeadSource } from './openstreetmap-lead-source.js';
import { ScraperLeadSource } from './scraper-lead-source.js';

/** The lead source kinds an operator chooses between. */
export const LEAD_SOURCE_KINDS = ['osm', 'google', 'scraper'] as const;
/** One of {@link LEAD_SOURCE_KINDS}. */
export type LeadSourceKind = (typeof LEAD_SOURCE_KINDS)[number];

/** Options of {@link createLeadSource}: every field optional; each URL defaults to the public service. */
export interface LeadSourceOptions {
  /** Which source; default `scraper` when `scraperUrl` is set, else `google` when `googlePlacesApiKey` is, else `osm`. */
  kind?: LeadSourceKind;
  /** Default `https://nominatim.openstreetmap.org`. */
  nominatimUrl?: string;
  /** Default `https://overpass-api.de`. */
  overpassUrl?: string;
  /** Default `https://maps.googleapis.com`. */
  googlePlacesUrl?: string;
  googlePlacesApiKey?: string;
  scraperUrl?: string;
  /** An email or URL where the operators of public services can reach you; goes into the User-Agent. */
  contact?: string;
  clock?: Clock;
}

/** The User-Agent lead sources send: the application, and the operator's contact when given. */
export function leadSourceUserAgent(contact?: string): string {
  return `Kirim/0.1 (WhatsApp gateway lead search${contact ? `; contact: ${contact}` : ''})`;
}

/** Builds the configured lead source; with no options, OpenStreetMap on its public instances. */
export function createLeadSource(options: LeadSourceOptions = {}): LeadSource {
  const kind = options.kind ?? (options.scraperUrl ? 'scraper' : options.googlePlacesApiKey ? 'google' : 'osm');
  const userAgent = leadSourceUserAgent(options.contact);
  switch (kind) {
    case 'scraper':
      if (!options.scraperUrl)
        throw new KirimError('validation', 'The scraper lead source needs a URL (KIRIM_LEAD_SCRAPER_URL)');
      return new ScraperLeadSource({ baseUrl: options.scraperUrl, userAgent, clock: options.clock });
    case 'google':
      if (!options.googlePlacesApiKey)
        throw new KirimError('validation', 'The Google Places lead source needs an API key (GOOGLE_PLACES_API_KEY)');
      return new GooglePlacesLeadSource({
        apiKey: options.googlePlacesApiKey,
        baseUrl: options.googlePlacesUrl,
        userAgent,
        clock: options.clock,
      });
    case 'osm':
      return new OpenStreetMapLeadSource({
        nominatimUrl: options.nominatimUrl,
        overpassUrl: options.overpassUrl,
        userAgent,
        clock: options.clock,
      });
  }
}
