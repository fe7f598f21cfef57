/**
 * Progress of long work: a bar redrawn in place on a terminal, plain lines (at most one every few
 * seconds, and at each tenth) when the output is a file or a pipe.
 */
export interface Progress {
  update(done: number, total: number | null, note?: string): void;
  finish(): void;
}

const WIDTH = 30;

export const progress = (label: string, write: (text: string) => void, isTTY: boolean, now: () => number = Date.now): Progress => {
  let lastLine = 0;
  let lastTenth = -1;
  let drawn = false;
  return {
    update(done, total, note = '') {
      if (isTTY) {
        const share = total ? Math.min(1, done / total) : 0;
        const filled = Math.round(share * WIDTH);
        const bar = total ? `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total}` : `[${'.'.repeat(WIDTH)}] ${done}/?`;
        write(`\r${label} ${bar} ${note}`.padEnd(80));
        drawn = true;
        return;
      }
      const tenth = total ? Math.floor((done / total) * 10) : -1;
      if (tenth !== lastTenth || now() - lastLine >= 5000) {
        write(`${label} ${done}/${total ?? '?'}${note ? ` ${note}` : ''}\n`);
        lastLine = now();
        lastTenth = tenth;
      }
    },
    finish() {
      if (drawn) write('\n');
    },
  };
};
