/** Prints one figure: `FIGURE: VALUE UNIT (target OP VALUE) ok|short`, or without a target. Returns whether it met it. */
export function report(
  figure: string,
  value: number,
  unit: string,
  target?: { op: '>=' | '<='; value: number },
): boolean {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 0);
  if (!target) {
    console.log(`${figure}: ${shown} ${unit}`);
    return true;
  }
  const met = target.op === '>=' ? value >= target.value : value <= target.value;
  console.log(`${figure}: ${shown} ${unit} (target ${target.op} ${target.value}) ${met ? 'ok' : 'short'}`);
  return met;
}
