/**
 * The one message-template language, shared by previews and bulk sends so a preview shows exactly
 * what a recipient gets.
 *
 * Syntax:
 * - `{name}` / `{{name}}`: a placeholder filled from the recipient's fields. Names are identifiers
 *   (letters, digits, `_`; spaces inside the braces are ignored). A name matches a field exactly or
 *   loosely: `{Nomor_WA}` finds the extra column "Nomor WA" (see {@link fieldKey}).
 * - `{{name|Customer}}`: a placeholder with a fallback used when the value is missing or blank. The
 *   fallback may hold placeholders and spintax; a `|` inside it is literal; its outer spaces are trimmed.
 * - `{Hi|Hello|Hey}`: spintax, one alternative chosen per recipient; alternatives nest:
 *   `{Hi {there|friend}|Hello}`. `{name|Customer}` with SINGLE braces is spintax (the literal word
 *   "name" or "Customer"), never a fallback: only the double-brace form has a fallback.
 * - `\{`, `\}`, `\|`, `\\` write a literal `{`, `}`, `|`, `\`; a backslash before anything else is itself.
 * - Outside braces `|` is plain text.
 *
 * Malformed text (an unclosed `{`, a stray `}`, braces holding neither a name nor alternatives such as
 * `{hello world}` or `{}`, braces nested deeper than {@link MAX_TEMPLATE_NESTING}) renders literally, so a
 * send never fails on an old template; {@link templateProblems} refuses such text wherever a template is
 * given: saved, previewed or sent.
 */
import { hash } from 'node:crypto';
import type { FieldErrors } from '../errors.js';
import { validationError } from '../validation.js';

/** Values a template can draw on: a contact's fields plus any extra columns; missing is `null`/`undefined`. */
export type TemplateFields = Record<string, string | null | undefined>;

/** The contact fields every template may use (extra columns are allowed on top). */
export const CONTACT_PLACEHOLDER_FIELDS = [
  'name',
  'phone',
  'email',
  'company',
  'position',
  'address',
  'city',
  'country',
  'notes',
] as const;

/**
 * How deep braces may nest (`{{name}}` is two levels). Deeper ones are refused by validation and rendered as
 * written, so no input chooses how deep parsing and rendering recurse.
 */
export const MAX_TEMPLATE_NESTING = 32;

/** A parsed template: a sequence of nodes. */
export type TemplateNode =
  | { type: 'text'; value: string }
  | { type: 'placeholder'; name: string; fallback: TemplateNode[] | null; position: number }
  | { type: 'spin'; alternatives: TemplateNode[][]; position: number }
  // Braces that are neither a placeholder nor spintax: rendered as written, refused by validation.
  | { type: 'braces'; content: TemplateNode[]; position: number };

/** A problem found while parsing: what, and the 0-based character position in the template. */
export interface TemplateSyntaxIssue {
  message: string;
  position: number;
}

/**
 * Renders `template` for one recipient. Spintax choices come from a PRNG seeded by `seed`
 * (for example `${jobId}:${recipientPhone}`): the same template, fields and seed give the same text.
 */
export function renderTemplate(template: string, fields: TemplateFields, seed: string): string {
  return compileTemplate(template)(fields, seed);
}

/** `template` parsed once, to render for many recipients (a bulk job's): `render(fields, seed)`. */
export function compileTemplate(template: string): (fields: TemplateFields, seed: string) => string {
  const { nodes } = parseTemplate(template);
  return (fields, seed) => renderNodes(nodes, fieldLookup(fields), seededRandom(seed));
}

/** Every placeholder name the template uses (as written, first occurrence order, all spintax branches). */
export function templatePlaceholders(template: string): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  walk(parseTemplate(template).nodes, (node) => {
    if (node.type === 'placeholder' && !seen.has(node.name)) {
      seen.add(node.name);
      names.push(node.name);
    }
  });
  return names;
}

/**
 * The one verdict on a template, wherever it is given (saved, previewed, sent in bulk): every syntax
 * problem with its position, then each placeholder not among `knownFields` (compared loosely, see
 * {@link fieldKey}). Empty when the template is fine.
 */
export function templateProblems(template: string, knownFields: readonly string[]): string[] {
  const { nodes, issues } = parseTemplate(template);
  const problems = issues.map((issue) => `${issue.message} at position ${issue.position}`);
  const known = new Set(knownFields.map(fieldKey));
  const unknown = new Set<string>();
  walk(nodes, (node) => {
    if (node.type === 'placeholder' && !known.has(fieldKey(node.name))) unknown.add(node.name);
  });
  for (const name of unknown) problems.push(`unknown placeholder {${name}}; known: ${knownFields.join(', ')}`);
  return problems;
}

/** {@link templateProblems} of each given text, by field name; empty when every text is fine. */
export function templateErrors(
  texts: Record<string, string | null | undefined>,
  knownFields: readonly string[],
): FieldErrors {
  const errors: FieldErrors = {};
  for (const [field, text] of Object.entries(texts)) {
    const problems = text ? templateProblems(text, knownFields) : [];
    if (problems.length > 0) errors[field] = problems;
  }
  return errors;
}

/** Throws a `validation` KirimError naming each text of `texts` that has {@link templateProblems}. */
export function validateTemplate(
  texts: Record<string, string | null | undefined>,
  knownFields: readonly string[],
): void {
  const errors = templateErrors(texts, knownFields);
  if (Object.keys(errors).length > 0) throw validationError(errors);
}

/**
 * The loose form under which placeholders and fields are matched: lower case, accents dropped, every run
 * of other characters one `_`: "Nomor WA" → `nomor_wa`, `{{Company}}` → `company`.
 */
export function fieldKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * A deterministic PRNG for `seed`: numbers in [0, 1), each call the next. sfc32 keyed by the first
 * 128 bits of SHA-256(seed), so any string is a good seed and runs are reproducible across platforms.
 */
export function seededRandom(seed: string): () => number {
  const digest = hash('sha256', seed, 'buffer');
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Warm-up rounds mix the key so seeds differing in one bit diverge from the first draw.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/**
 * Parses a template into nodes, collecting syntax issues instead of throwing; malformed parts become
 * text or `braces` nodes (see the module comment), so `nodes` is always renderable.
 */
export function parseTemplate(template: string): { nodes: TemplateNode[]; issues: TemplateSyntaxIssue[] } {
  return new Parser(tokenize(template)).parse();
}

// ---------------------------------------------------------------------------------------------------
// Tokenizer

type Token = { type: 'text'; value: string; position: number } | { type: 'open' | 'close' | 'pipe'; position: number };

const ESCAPABLE = new Set(['{', '}', '|', '\\']);

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  let textStart = 0;
  const flush = () => {
    if (text !== '') tokens.push({ type: 'text', value: text, position: textStart });
    text = '';
  };
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === '\\' && i + 1 < template.length && ESCAPABLE.has(template[i + 1])) {
      if (text === '') textStart = i;
      text += template[++i];
    } else if (ch === '{' || ch === '}' || ch === '|') {
      flush();
      tokens.push({ type: ch === '{' ? 'open' : ch === '}' ? 'close' : 'pipe', position: i });
    } else {
      if (text === '') textStart = i;
      text += ch;
    }
  }
  flush();
  return tokens;
}

// ---------------------------------------------------------------------------------------------------
// Parser: braces are paired first with a stack (linear, so unbalanced input cannot cause backtracking),
// then a recursive descent over the paired ranges (at most MAX_TEMPLATE_NESTING deep) builds the nodes.

const IDENTIFIER = /^\s*([\p{L}_][\p{L}\p{N}_]*)\s*$/u;

// `match` of a brace nested too deep: written as text, reported once.
const TOO_DEEP = -2;

class Parser {
  private readonly match: number[];
  readonly issues: TemplateSyntaxIssue[] = [];

  constructor(private readonly tokens: Token[]) {
    this.match = new Array<number>(tokens.length).fill(-1);
    const stack: number[] = [];
    tokens.forEach((token, index) => {
      if (token.type === 'open') stack.push(index);
      else if (token.type === 'close' && stack.length > 0) {
        const open = stack.pop()!;
        this.match[open] = index;
        this.match[index] = open;
      }
    });
    this.limitNesting();
  }

  /**
   * Pairs nested deeper than {@link MAX_TEMPLATE_NESTING} become text, so the descent below and rendering
   * recurse a bounded depth whatever the input (5,000 nested braces fit in a template's length).
   * Depth counts paired braces only: an unclosed `{` encloses nothing.
   */
  private limitNesting(): void {
    let depth = 0;
    const tooDeep: number[] = [];
    this.tokens.forEach((token, index) => {
      if (this.match[index] === -1) return;
      if (token.type === 'open' && ++depth > MAX_TEMPLATE_NESTING) tooDeep.push(index);
      else if (token.type === 'close') depth--;
    });
    if (tooDeep.length === 0) return;
    this.issues.push({
      message: `braces nested deeper than ${MAX_TEMPLATE_NESTING} levels`,
      position: this.tokens[tooDeep[0]].position,
    });
    for (const open of tooDeep) {
      this.match[this.match[open]] = TOO_DEEP;
      this.match[open] = TOO_DEEP;
    }
  }

  parse(): { nodes: TemplateNode[]; issues: TemplateSyntaxIssue[] } {
    const [[nodes]] = this.sequence(0, this.tokens.length, false);
    this.issues.sort((x, y) => x.position - y.position);
    return { nodes, issues: this.issues };
  }

  /**
   * Parses tokens [from, to) into alternatives split at top-level pipes (when `splitPipes`),
   * returning them with the count of pipes seen.
   */
  private sequence(from: number, to: number, splitPipes: boolean): [TemplateNode[][], number] {
    const alternatives: TemplateNode[][] = [[]];
    let current = alternatives[0];
    for (let i = from; i < to; i++) {
      const token = this.tokens[i];
      if (token.type === 'text') {
        pushText(current, token.value);
      } else if (token.type === 'pipe') {
        if (splitPipes) alternatives.push((current = []));
        else pushText(current, '|');
      } else if (this.match[i] === TOO_DEEP) {
        pushText(current, token.type === 'open' ? '{' : '}');
      } else if (token.type === 'open' && this.match[i] !== -1) {
        const close = this.match[i];
        current.push(this.group(i, close));
        i = close;
      } else if (token.type === 'open') {
        this.issues.push({ message: 'unclosed "{"', position: token.position });
        pushText(current, '{');
      } else {
        this.issues.push({ message: 'unmatched "}"', position: token.position });
        pushText(current, '}');
      }
    }
    return [alternatives, alternatives.length - 1];
  }

  /** Parses the paired braces at tokens `open`..`close`. */
  private group(open: number, close: number): TemplateNode {
    const position = this.tokens[open].position;
    const double = this.doublePlaceholder(open, close);
    if (double) return double;

    const [alternatives, pipes] = this.sequence(open + 1, close, true);
    if (pipes > 0) return { type: 'spin', alternatives, position };
    const only = alternatives[0];
    const name = only.length === 1 && only[0].type === 'text' ? IDENTIFIER.exec(only[0].value)?.[1] : undefined;
    if (name !== undefined) return { type: 'placeholder', name, fallback: null, position };
    this.issues.push({
      message:
        only.length === 0
          ? 'empty "{}" (write \\{\\} for literal braces)'
          : 'braces must hold a placeholder name or alternatives separated by "|" (write \\{ and \\} for literal braces)',
      position,
    });
    return { type: 'braces', content: only, position };
  }

  /** `{{name}}` or `{{name|fallback}}`: two adjacent opens closed by two adjacent closes around an identifier. */
  private doublePlaceholder(open: number, close: number): TemplateNode | null {
    const tokens = this.tokens;
    const inner = open + 1;
    const innerClose = close - 1;
    if (
      tokens[inner]?.type !== 'open' ||
      tokens[inner].position !== tokens[open].position + 1 ||
      this.match[inner] !== innerClose ||
      tokens[innerClose].position !== tokens[close].position - 1
    ) {
      return null;
    }
    const nameToken = tokens[inner + 1];
    const name = nameToken?.type === 'text' ? IDENTIFIER.exec(nameToken.value)?.[1] : undefined;
    if (name === undefined) return null;
    const position = tokens[open].position;
    if (inner + 2 === innerClose) return { type: 'placeholder', name, fallback: null, position };
    if (tokens[inner + 2].type !== 'pipe') return null;
    // Everything after the first pipe up to `}}` is the fallback; further pipes in it are literal.
    const [[fallback]] = this.sequence(inner + 3, innerClose, false);
    trimEnds(fallback);
    return { type: 'placeholder', name, fallback, position };
  }
}

/** Trims the fallback's outer whitespace, so `{{ name | Customer }}` falls back to "Customer". */
function trimEnds(nodes: TemplateNode[]): void {
  const first = nodes[0];
  if (first?.type === 'text') {
    first.value = first.value.trimStart();
    if (first.value === '') nodes.shift();
  }
  const last = nodes[nodes.length - 1];
  if (last?.type === 'text') {
    last.value = last.value.trimEnd();
    if (last.value === '') nodes.pop();
  }
}

function pushText(nodes: TemplateNode[], value: string): void {
  const last = nodes[nodes.length - 1];
  if (last?.type === 'text') last.value += value;
  else nodes.push({ type: 'text', value });
}

// ---------------------------------------------------------------------------------------------------
// Rendering

type Lookup = (name: string) => string | null;

function fieldLookup(fields: TemplateFields): Lookup {
  let loose: Map<string, string | null | undefined> | undefined;
  return (name) => {
    let value = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
    if (value === undefined) {
      if (!loose) {
        loose = new Map();
        for (const [key, v] of Object.entries(fields)) {
          const k = fieldKey(key);
          // The first field wins when two keys look alike, matching object key order.
          if (!loose.has(k)) loose.set(k, v);
        }
      }
      value = loose.get(fieldKey(name));
    }
    return value === null || value === undefined || String(value).trim() === '' ? null : String(value);
  };
}

function renderNodes(nodes: TemplateNode[], lookup: Lookup, random: () => number): string {
  let out = '';
  for (const node of nodes) {
    switch (node.type) {
      case 'text':
        out += node.value;
        break;
      case 'placeholder': {
        const value = lookup(node.name);
        out += value ?? (node.fallback ? renderNodes(node.fallback, lookup, random) : '');
        break;
      }
      case 'spin': {
        // Each spin rendered consumes exactly one number, in reading order, so the choice sequence is
        // a pure function of (template, fields, seed).
        const index = Math.min(Math.floor(random() * node.alternatives.length), node.alternatives.length - 1);
        out += renderNodes(node.alternatives[index], lookup, random);
        break;
      }
      case 'braces':
        out += `{${renderNodes(node.content, lookup, random)}}`;
        break;
    }
  }
  return out;
}

function walk(nodes: TemplateNode[], visit: (node: TemplateNode) => void): void {
  for (const node of nodes) {
    visit(node);
    if (node.type === 'placeholder' && node.fallback) walk(node.fallback, visit);
    else if (node.type === 'spin') node.alternatives.forEach((alternative) => walk(alternative, visit));
    else if (node.type === 'braces') walk(node.content, visit);
  }
}
