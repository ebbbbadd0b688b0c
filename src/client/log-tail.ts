/** Reads the last lines of a log file from its end, without loading the whole file. */
import { promises as fsPromises } from 'node:fs';

export async function readLastLines(file: string, count: number): Promise<string[]> {
  if (count <= 0) return [];
  let handle: fsPromises.FileHandle;
  try {
    handle = await fsPromises.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const chunkSize = 64 * 1024;
    let position = size;
    let newlines = 0;
    const chunks: Buffer[] = [];
    // Read backwards until we have count+1 newlines (the last one ends the final line) or the start.
    while (position > 0 && newlines <= count) {
      const length = Math.min(chunkSize, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position);
      chunks.unshift(buffer);
      for (let i = 0; i < length; i++) if (buffer[i] === 10) newlines++;
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-count);
  } finally {
    await handle.close();
  }
}
