/** A ballot's or poll answer's choices after ticking option `i` (radio: just it; checkboxes: add or remove). */
export function toggleChoice(current: readonly number[], i: number, multiple: boolean, checked: boolean): number[] {
  if (!multiple) return [i];
  return checked ? [...current.filter((x) => x !== i), i] : current.filter((x) => x !== i);
}
