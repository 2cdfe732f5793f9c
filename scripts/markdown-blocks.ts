// The ```ts blocks of a Markdown file, as the docs check compiles them and the README's examples
// spec runs them: one reader, so the two never disagree on where a block starts or what it holds.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One fenced TypeScript block (or a fence never closed, which swallowed the rest of the file). */
export interface MarkdownBlock {
  /** The Markdown file, relative to `root`. */
  readonly source: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The nearest heading above the block, without its `#`s ('' before the first). */
  readonly heading: string;
  readonly code: string;
  /** ```ts no-check, or unclosed: not compiled. */
  readonly skip: boolean;
  /** The file ended before the fence closed: everything after it was swallowed. */
  readonly unclosed: boolean;
  /** `file=<path>` on the fence: the file, relative to the root, that the block must equal. */
  readonly mirrors: string | undefined;
}

/** The TypeScript blocks of `file`, in order; paths are given relative to `root`. */
export function markdownBlocks(file: string, root: string): MarkdownBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: MarkdownBlock[] = [];
  let heading = '';
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index] ?? '';
    const title = /^#{1,6}\s+(.*)$/.exec(text);
    if (title) heading = (title[1] ?? '').trim();
    const start = /^\s*(`{3,}|~{3,})\s*(.*)$/.exec(text);
    if (!start) continue;
    const fence = start[1] ?? '```';
    const info = (start[2] ?? '').trim().split(/\s+/);
    const opening = index;
    const body: string[] = [];
    // A fence closes on a line of at least as many of the same characters and nothing else.
    while (++index < lines.length && !isClosingFence(lines[index] ?? '', fence)) body.push(lines[index] ?? '');
    const language = info[0]?.toLowerCase();
    const unclosed = index >= lines.length;
    if (language === 'ts' || language === 'typescript' || unclosed) {
      blocks.push({
        source: path.relative(root, file),
        line: opening + 1,
        heading,
        code: body.join('\n'),
        skip: info.includes('no-check') || unclosed,
        unclosed,
        mirrors: info.find((part) => part.startsWith('file='))?.slice('file='.length),
      });
    }
  }
  return blocks;
}

function isClosingFence(text: string, fence: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith(fence) && trimmed.split('').every((char) => char === fence[0]);
}
