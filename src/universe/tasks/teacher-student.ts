// Teacher-student regression (Gardner & Derrida 1989; Saad & Solla 1995 in its
// modern deep form): a random teacher MLP with tanh hidden layers maps x ~ N(0, I)
// to targets, plus Gaussian noise of std `noise`. Teacher weights are N(0, 1/fan_in)
// so every pre-activation has unit variance; the output layer is linear. depth 0 is
// a linear teacher.
//
// Difficulty: the teacher grows from 1 hidden layer of width 4 (d = 0) to 3 hidden
// layers of width 64 (d = 1; width is geometric in d).

import { z } from "zod";
import type { TaskFamily, TaskSpec } from "./family.js";
import { generatedTask, geom, lerpInt, specOf, taskRng } from "./data.js";

const params = z.object({
  inputDim: z.number().int().min(1).max(1024).default(8).describe("input dimension (x ~ N(0, I))"),
  width: z.number().int().min(1).max(1024).default(32).describe("width of each teacher hidden layer"),
  depth: z.number().int().min(0).max(8).default(2).describe("number of tanh hidden layers of the teacher (0: linear)"),
  outputDim: z.number().int().min(1).max(64).default(1).describe("number of regression targets"),
  noise: z.number().min(0).max(10).default(0).describe("std of Gaussian noise added to each target"),
});

export type TeacherStudentParams = z.infer<typeof params>;

function taskSpec(p: TeacherStudentParams): TaskSpec {
  return specOf({ kind: "vector", dim: p.inputDim }, { kind: "regression", dim: p.outputDim });
}

interface Layer { fanIn: number; fanOut: number; w: Float64Array; b: Float64Array }

function teacher(p: TeacherStudentParams, seed: number): Layer[] {
  const rng = taskRng(seed);
  const dims = [p.inputDim, ...Array.from({ length: p.depth }, () => p.width), p.outputDim];
  const layers: Layer[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const fanIn = dims[l]!, fanOut = dims[l + 1]!;
    const w = new Float64Array(fanIn * fanOut), b = new Float64Array(fanOut);
    const std = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
    // Small biases so that hidden units are not all odd functions through the origin.
    for (let i = 0; i < fanOut; i++) b[i] = 0.1 * rng.normal();
    layers.push({ fanIn, fanOut, w, b });
  }
  return layers;
}

export const teacherStudent: TaskFamily<typeof params> = {
  name: "teacher-student",
  summary: "regression onto a random tanh teacher MLP with Gaussian inputs and optional target noise.",
  params,
  difficulty(d) {
    return { depth: lerpInt(1, 3, d), width: Math.round(geom(4, 64, d)) };
  },
  spec: taskSpec,
  build(p, seed, sizes) {
    const layers = teacher(p, seed);
    const maxWidth = Math.max(p.inputDim, p.width, p.outputDim);
    let a = new Float64Array(maxWidth), h = new Float64Array(maxWidth);
    return generatedTask(taskSpec(p), seed, sizes, (rng, x, xo, y, yo) => {
      for (let i = 0; i < p.inputDim; i++) {
        const v = Math.fround(rng.normal());
        x[xo + i] = v;
        a[i] = v;
      }
      layers.forEach((layer, l) => {
        const last = l === layers.length - 1;
        for (let o = 0; o < layer.fanOut; o++) {
          let s = layer.b[o]!;
          for (let i = 0; i < layer.fanIn; i++) s += layer.w[o * layer.fanIn + i]! * a[i]!;
          h[o] = last ? s : Math.tanh(s);
        }
        [a, h] = [h, a];
      });
      for (let o = 0; o < p.outputDim; o++) y[yo + o] = a[o]! + p.noise * rng.normal();
    });
  },
};
