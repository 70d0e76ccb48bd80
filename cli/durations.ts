/** Go-style durations on the command line ("5m", "1h", "30s", "1m30s"). */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    consumed += m[0].length;
  }
  if (text === '0') return 0;
  if (consumed !== text.length || consumed === 0) throw new Error(`invalid duration "${text}": use forms like 30s, 5m, 1h30m`);
  return total;
}
