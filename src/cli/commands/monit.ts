/** `monit`: the live CPU and memory table. */
import type { CommandEntry } from '../command';
import { connect, type Context } from '../context';
import { renderMonit } from '../format';

/** A live table of CPU and memory from the daemon's metrics ticks; q or Ctrl-C quits. */
async function monitCommand(ctx: Context): Promise<void> {
  const client = await connect();
  const subscription = await client.subscribe();
  const history = new Map<number, number[]>();
  for (const description of await client.call('describe', { targets: ['all'] }).catch(() => [])) {
    history.set(
      description.id,
      description.samples.map((sample) => sample.memory),
    );
  }
  const tty = process.stdout.isTTY === true;
  const draw = async (): Promise<void> => {
    const list = await client.call('list', {});
    const screen = renderMonit(list, history, ctx.style, new Date());
    process.stdout.write(tty ? `\u001b[H\u001b[2J${screen}\n` : `${screen}\n\n`);
  };
  if (tty) process.stdout.write('\u001b[?1049h\u001b[?25l'); // alternate screen, hidden cursor
  await draw();
  subscription.on('metrics', (event) => {
    for (const sample of event.processes) {
      const values = history.get(sample.id) ?? [];
      values.push(sample.memory);
      if (values.length > 60) values.shift();
      history.set(sample.id, values);
    }
    void draw().catch(() => undefined);
  });
  subscription.on('process:event', () => void draw().catch(() => undefined));
  await new Promise<void>((resolve) => {
    if (process.stdin.isTTY) {
      process.stdin.setRawMode(true);
      process.stdin.resume();
      process.stdin.on('data', (key: Buffer) => {
        const text = key.toString();
        if (text === 'q' || text === 'Q' || text === '\u0003' || text === '\u001b') resolve();
      });
    }
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    client.onDisconnect(() => resolve());
    subscription.on('daemon:exit', () => resolve());
  });
  if (tty) process.stdout.write('\u001b[?25h\u001b[?1049l');
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  subscription.dispose();
  client.close();
}

export const monitCommands: CommandEntry[] = [
  { names: ['monit'], aliases: ['imonit', 'dashboard', 'dash'], summary: 'live CPU and memory of every process (q to quit)', run: monitCommand },
];
