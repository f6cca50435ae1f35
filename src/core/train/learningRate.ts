/** Linear warmup to `lr` over `warmup` steps, then cosine decay to lr/10 at `steps`. Steps are 1-based. */
export function learningRateAt(step: number, { lr, warmup, steps }: { lr: number; warmup: number; steps: number }): number {
  if (warmup > 0 && step <= warmup) return (lr * step) / warmup;
  const progress = steps > warmup ? Math.min(1, (step - warmup) / (steps - warmup)) : 1;
  const floor = lr / 10;
  return floor + (lr - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
