import { randomBytes } from 'node:crypto';
import { getBinaryNodeChild, getBinaryNodeChildren, S_WHATSAPP_NET } from 'baileys';
import type { BinaryNode } from 'baileys';

/** The server's own address, as WhatsApp writes it in `from` attributes (`s.whatsapp.net`). */
export const SERVER_JID = S_WHATSAPP_NET.slice(1);

/** Unix time in seconds, as a decimal string: the format of every `t` attribute. */
export function unixTime(): string {
  return Math.floor(Date.now() / 1000).toString();
}

/** A fresh message id in the style WhatsApp phones use (`3A` + 18 upper-case hex digits). */
export function newMessageId(): string {
  return `3A${randomBytes(9).toString('hex').toUpperCase()}`;
}

/** A successful answer to an `iq`, echoing its id (Baileys matches answers by id only). */
export function iqResult(iq: BinaryNode, content?: BinaryNode[]): BinaryNode {
  return {
    tag: 'iq',
    attrs: { id: iq.attrs.id ?? '', type: 'result', from: iq.attrs.to ?? SERVER_JID },
    ...(content ? { content } : {}),
  };
}

/** An error answer to an `iq`; Baileys turns the `<error>` child into a rejected query. */
export function iqError(iq: BinaryNode, code: number, text: string): BinaryNode {
  return {
    tag: 'iq',
    attrs: { id: iq.attrs.id ?? '', type: 'error', from: iq.attrs.to ?? SERVER_JID },
    content: [{ tag: 'error', attrs: { code: String(code), text } }],
  };
}

/** A child node by tag, or undefined. */
export function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return getBinaryNodeChild(node, tag);
}

/** All children with a tag. */
export function children(node: BinaryNode | undefined, tag: string): BinaryNode[] {
  return getBinaryNodeChildren(node, tag);
}

/** All element children, whatever their tag. */
export function elementChildren(node: BinaryNode | undefined): BinaryNode[] {
  return Array.isArray(node?.content) ? node.content : [];
}

/** A node's content as bytes (the decoder yields strings for token-encoded content). */
export function contentBytes(node: BinaryNode | undefined): Buffer | undefined {
  const content = node?.content;
  if (content instanceof Uint8Array) return Buffer.from(content);
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return undefined;
}

/** A node's content as text. */
export function contentText(node: BinaryNode | undefined): string | undefined {
  return contentBytes(node)?.toString('utf8');
}

/** Reads a big-endian unsigned integer from a child's content (key ids are 3 bytes, registration ids 4). */
export function childUInt(node: BinaryNode | undefined, tag: string): number | undefined {
  const bytes = contentBytes(child(node, tag));
  if (!bytes || bytes.length === 0 || bytes.length > 6) return undefined;
  return bytes.readUIntBE(0, bytes.length);
}

/** Encodes an unsigned integer big-endian on `length` bytes. */
export function uintBytes(value: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  out.writeUIntBE(value, 0, length);
  return out;
}
