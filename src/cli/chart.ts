// Curves drawn in the terminal with asciichart: several series in one chart over
// log-spaced steps (columns are equally spaced in log10(1 + step)), optionally on a
// log10 scale of the values, with a y axis, a step axis and a legend.
//
// asciichart draws one line per series but needs every value to be finite. A
// series may cover only part of the step range (a fork starts at its fork step),
// so each series is drawn on its own over its columns, and the drawings are laid
// over each other on one grid; the axes are drawn here. Each series has a line
// style of its own (light, heavy, double, dashed) as well as a colour, so charts
// read without colour too (piped output, NO_COLOR).

import * as asciichart from "asciichart";
import { fmt } from "./query.js";

export interface Series {
  label: string;
  steps: ArrayLike<number>;
  values: ArrayLike<number>;
}

export interface ChartOptions {
  title: string;
  /** values on a log10 scale (non-positive values are left out) */
  log?: boolean;
  /** the y range to show at least, e.g. [0, 1] for accuracies */
  range?: [number, number];
  /** columns of the plot area */
  width?: number;
  /** rows of the plot area */
  height?: number;
  color?: boolean;
}

type Symbols = [string, string, string, string, string, string, string, string, string, string];
const STYLES: Symbols[] = [
  ["┼", "┤", "╶", "╴", "─", "╰", "╭", "╮", "╯", "│"],
  ["┿", "┥", "╺", "╸", "━", "┗", "┏", "┓", "┛", "┃"],
  ["╪", "╡", "╶", "╴", "═", "╚", "╔", "╗", "╝", "║"],
  ["┼", "┤", "╶", "╴", "╌", "└", "┌", "┐", "┘", "╎"],
];
const COLORS = [asciichart.blue, asciichart.red, asciichart.green, asciichart.magenta, asciichart.cyan, asciichart.yellow];

/** Whether to colour output: a terminal, unless NO_COLOR; FORCE_COLOR forces it. */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

const u = (step: number) => Math.log10(1 + Math.max(0, step));

/** The chart as lines of text, or null when no series has a point to draw. */
export function terminalChart(series: Series[], opts: ChartOptions): string | null {
  const width = Math.max(8, opts.width ?? 64), height = Math.max(2, opts.height ?? 10);
  // finite points, in plot units
  const pts = series.map((s) => {
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < s.steps.length; i++) {
      const v = s.values[i]!;
      const y = opts.log ? (v > 0 ? Math.log10(v) : NaN) : v;
      if (Number.isFinite(y)) {
        xs.push(u(s.steps[i]!));
        ys.push(y);
      }
    }
    return { label: s.label, xs, ys };
  });
  const drawn = pts.map((p, k) => ({ ...p, style: k })).filter((p) => p.xs.length > 0);
  if (drawn.length === 0) return null;
  let u0 = Math.min(...drawn.map((p) => p.xs[0]!)), u1 = Math.max(...drawn.map((p) => p.xs.at(-1)!));
  if (u1 - u0 < 1e-9) u1 = u0 + 1;
  const du = (u1 - u0) / (width - 1);
  // resample each series on the columns it covers (linear in log step)
  const sampled = drawn.map((p) => {
    const a = Math.round((p.xs[0]! - u0) / du), b = Math.round((p.xs.at(-1)! - u0) / du);
    const values: number[] = [];
    for (let j = a, i = 0; j <= b; j++) {
      const x = u0 + j * du;
      while (i < p.xs.length - 1 && p.xs[i + 1]! < x) i++;
      const x0 = p.xs[i]!, x1 = p.xs[i + 1] ?? x0;
      const t = x1 > x0 ? Math.min(1, Math.max(0, (x - x0) / (x1 - x0))) : 0;
      values.push(x <= x0 ? p.ys[i]! : p.ys[i]! + t * ((p.ys[i + 1] ?? p.ys[i]!) - p.ys[i]!));
    }
    return { ...p, start: a, values };
  });
  let min = Math.min(...sampled.flatMap((s) => s.values)), max = Math.max(...sampled.flatMap((s) => s.values));
  if (opts.range) {
    min = Math.min(min, opts.range[0]);
    max = Math.max(max, opts.range[1]);
  }
  if (max - min < 1e-12) {
    min -= opts.log ? 0.5 : Math.max(0.5, Math.abs(min) * 0.1);
    max += opts.log ? 0.5 : Math.max(0.5, Math.abs(max) * 0.1);
  }
  // the same arithmetic as asciichart's, to know its rows
  const ratio = height / (max - min);
  const min2 = Math.round(min * ratio), rows = Math.abs(Math.round(max * ratio) - min2);
  const grid: ({ ch: string; style: number } | null)[][] = Array.from({ length: rows + 1 }, () => new Array(width).fill(null));
  for (const s of sampled) {
    const symbols = STYLES[s.style % STYLES.length]!;
    const y0 = Math.round(s.values[0]! * ratio) - min2;
    grid[rows - y0]![s.start] = { ch: symbols[4], style: s.style };
    if (s.values.length < 2) continue;
    const lines = asciichart.plot(s.values, { min, max, height, offset: s.start + 1, symbols, format: () => " " }).split("\n");
    lines.forEach((line, r) => {
      for (let c = s.start + 1; c < Math.min(width, line.length); c++) {
        if (line[c] !== " " && grid[r]) grid[r]![c] = { ch: line[c]!, style: s.style };
      }
    });
  }
  const color = opts.color ?? false;
  const paint = (text: string, style: number) => (color ? asciichart.colored(text, COLORS[style % COLORS.length]) : text);
  const labelOf = (y: number) => (opts.log ? fmt(10 ** y, 2) : fmt(y, 3));
  const labels = grid.map((_, r) => labelOf(max - (r * (max - min)) / rows));
  const lw = Math.max(...labels.map((l) => l.length));
  const out: string[] = [];
  const legend = sampled.map((s) => `${paint(STYLES[s.style % STYLES.length]![4].repeat(3), s.style)} ${s.label}`).join("   ");
  out.push(`${opts.title}   ${legend}`);
  grid.forEach((cells, r) => {
    out.push(`${labels[r]!.padStart(lw)} ┤${cells.map((c) => (c ? paint(c.ch, c.style) : " ")).join("")}`.trimEnd());
  });
  out.push(...stepAxis(u0, du, width, lw + 1));
  return out.join("\n");
}

/** The step axis: ticks at powers of ten and at the ends, with their steps below. */
function stepAxis(u0: number, du: number, width: number, indent: number): string[] {
  const colOf = (step: number) => Math.round((u(step) - u0) / du);
  const first = Math.round(10 ** u0 - 1), last = Math.round(10 ** (u0 + du * (width - 1)) - 1);
  const ticks = [first];
  for (let p = 1; p < last; p *= 10) if (p > first) ticks.push(p);
  ticks.push(last);
  const axis = new Array(width).fill("─");
  let labels = "";
  for (const step of ticks) {
    const col = Math.min(width - 1, Math.max(0, colOf(step)));
    const text = String(step);
    // the last label ends at its tick; the others start at theirs
    const at = step === last ? Math.max(0, col - text.length + 1) : col;
    if (at < labels.length + (labels.length > 0 ? 1 : 0)) continue;
    axis[col] = "┬";
    labels = labels.padEnd(at) + text;
  }
  return [`${" ".repeat(indent)}└${axis.join("")}`, `${" ".repeat(indent + 1)}${labels}   (step, log scale)`];
}
