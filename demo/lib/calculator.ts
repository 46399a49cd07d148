// Section 1: weights and FLOPs of a standard vs a depthwise-separable layer.
// Every number comes from the package's countParams / countFlops; this file only
// writes the formulas out with the inputs substituted.

import { countFlops, countParams, type ConvSpec } from 'sepconv';
import { el, setText } from './dom.js';
import { fmtInt, fmtShort } from './format.js';

interface CalcInputs {
  cin: number;
  cout: number;
  k: number;
  m: number;
  size: number;
}

const FIELDS: { id: string; key: keyof CalcInputs; label: string; min: number; max: number }[] = [
  { id: 'calc-in', key: 'cin', label: 'in channels', min: 1, max: 4096 },
  { id: 'calc-out', key: 'cout', label: 'out channels', min: 1, max: 4096 },
  { id: 'calc-k', key: 'k', label: 'kernel size', min: 1, max: 15 },
  { id: 'calc-m', key: 'm', label: 'depth multiplier', min: 1, max: 16 },
  { id: 'calc-size', key: 'size', label: 'input size', min: 1, max: 4096 },
];

function read(): CalcInputs | string {
  const out: Partial<CalcInputs> = {};
  for (const f of FIELDS) {
    const input = el<HTMLInputElement>(f.id);
    const v = Number(input.value);
    const ok = input.value.trim() !== '' && Number.isInteger(v) && v >= f.min && v <= f.max;
    input.setAttribute('aria-invalid', String(!ok));
    if (!ok) return `${f.label}: a whole number from ${f.min} to ${f.max}`;
    out[f.key] = v;
  }
  return out as CalcInputs;
}

function show(id: string, n: number): void {
  setText(id, n >= 1e6 ? fmtShort(n) : fmtInt(n), fmtInt(n));
}

function update(): void {
  const r = read();
  const error = el('calc-error');
  if (typeof r === 'string') {
    error.textContent = r;
    return;
  }
  error.textContent = '';
  const { cin, cout, k, m, size } = r;
  const common = { inChannels: cin, kernelSize: k, inputSize: [size, size] as [number, number], padding: 'same' as const };
  const std: ConvSpec = { op: 'conv2d', outChannels: cout, ...common };
  const dw: ConvSpec = { op: 'depthwise', depthMultiplier: m, ...common };
  const pw: ConvSpec = { op: 'pointwise', inChannels: cin * m, outChannels: cout, inputSize: [size, size] };
  const sep: ConvSpec = { op: 'separable', outChannels: cout, depthMultiplier: m, ...common };

  const p = { std: countParams(std), dw: countParams(dw), pw: countParams(pw), sep: countParams(sep) };
  const f = { std: countFlops(std), dw: countFlops(dw), pw: countFlops(pw), sep: countFlops(sep) };

  show('std-params', p.std);
  show('dw-params', p.dw);
  show('pw-params', p.pw);
  show('sep-params', p.sep);
  show('std-flops', f.std);
  show('dw-flops', f.dw);
  show('pw-flops', f.pw);
  show('sep-flops', f.sep);

  setText('std-params-formula', `in·out·k·k = ${cin}·${cout}·${k}·${k}`);
  setText('dw-params-formula', `in·k·k·M = ${cin}·${k}·${k}·${m}`);
  setText('pw-params-formula', `in·M·out = ${cin}·${m}·${cout}`);
  setText('sep-params-formula', `in·k·k·M + in·M·out = ${fmtInt(p.dw)} + ${fmtInt(p.pw)}`);
  setText(
    'flops-formula',
    `FLOPs = 2 · ${size}·${size} output pixels · weights: one multiply and one add per weight per pixel ` +
      `(stride 1, 'same' padding). Pointwise input = in·M = ${fmtInt(cin * m)} channels.`,
  );

  const ratio = (a: number, b: number) => {
    const q = a / b;
    return q >= 1 ? `${q >= 100 ? q.toFixed(0) : q.toFixed(1)}× fewer` : `${(1 / q).toFixed(1)}× more`;
  };
  setText('params-ratio', ratio(p.std, p.sep));
  setText('flops-ratio', ratio(f.std, f.sep));
  setText('ratio-formula', `${m}/${cout} + ${m}/${k * k} = ${(p.sep / p.std).toFixed(3)}`);

  const pct = (a: number, b: number) => `${Math.max(0.5, Math.min(100, (100 * a) / b)).toFixed(1)}%`;
  const maxP = Math.max(p.std, p.sep);
  const maxF = Math.max(f.std, f.sep);
  const [stdP, stdF] = el('cost').querySelectorAll<HTMLElement>('.bar.std');
  if (stdP) stdP.style.width = pct(p.std, maxP);
  if (stdF) stdF.style.width = pct(f.std, maxF);
  el('bar-params').style.width = pct(p.sep, maxP);
  el('bar-flops').style.width = pct(f.sep, maxF);
}

export function initCalculator(): void {
  const form = el<HTMLFormElement>('calc-form');
  form.addEventListener('input', update);
  form.addEventListener('submit', (e) => e.preventDefault());
  update();
}
