/** A lower-cased LIKE pattern matching `text` anywhere, with LIKE's wildcards in it taken literally (`escape '\'`). */
export function containing(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
