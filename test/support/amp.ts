/** An amp frame (pm2-axon's wire format): a meta byte (version 1, argc), then per argument a 32-bit length and its bytes. */
export function ampFrame(args: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from([(1 << 4) | args.length])];
  for (const arg of args) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(arg.length);
    parts.push(length, arg);
  }
  return Buffer.concat(parts);
}
