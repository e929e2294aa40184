// Checkpoints of one member: its parameters and optimizer state at a step, as one
// binary blob (a JSON header, then float32 arrays). A fork loads them into a member
// of a new population and goes on from that step.

import type { Optimizer } from "../engine/index.js";
import type { Model } from "../universe/model.js";

export interface MemberState {
  step: number;
  optimizer: string;
  /** one array per parameter, in the model's order */
  params: Float32Array[];
  /** one array per optimizer state tensor, in the optimizer's order */
  state: Float32Array[];
  /**
   * The member's first training loss, the reference of the divergence test
   * (runner/train.ts DIVERGENCE_FACTOR): a run resumed from this state (a fork)
   * keeps its lineage's reference. Measured anew at the resume step, it was the
   * loss of an already trained model, and an ordinary bump after an
   * intervention counted as divergence. Absent in states taken before the first
   * training step and in older blobs.
   */
  firstLoss?: number;
}

interface Header {
  version: 1;
  step: number;
  optimizer: string;
  params: number[];
  state: number[];
  firstLoss?: number;
}

export function encodeState(s: MemberState): Uint8Array {
  const header: Header = { version: 1, step: s.step, optimizer: s.optimizer, params: s.params.map((p) => p.length), state: s.state.map((p) => p.length) };
  if (s.firstLoss !== undefined && Number.isFinite(s.firstLoss)) header.firstLoss = s.firstLoss;
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = 4 + Math.ceil(json.length / 4) * 4;
  const floats = [...s.params, ...s.state].reduce((n, a) => n + a.length, 0);
  const out = new Uint8Array(headerBytes + floats * 4);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  const data = new Float32Array(out.buffer, headerBytes, floats);
  let at = 0;
  for (const a of [...s.params, ...s.state]) {
    data.set(a, at);
    at += a.length;
  }
  return out;
}

export function decodeState(bytes: Uint8Array): MemberState {
  const copy = bytes.slice(); // aligned, owned buffer
  const jsonLength = new DataView(copy.buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(copy.subarray(4, 4 + jsonLength))) as Header;
  if (header.version !== 1) throw new Error(`checkpoint: unknown version ${String(header.version)}`);
  const headerBytes = 4 + Math.ceil(jsonLength / 4) * 4;
  let at = headerBytes;
  const take = (n: number) => {
    const a = new Float32Array(copy.buffer, at, n);
    at += n * 4;
    return a;
  };
  const state: MemberState = { step: header.step, optimizer: header.optimizer, params: header.params.map(take), state: header.state.map(take) };
  if (typeof header.firstLoss === "number") state.firstLoss = header.firstLoss;
  return state;
}

/**
 * A stored state with a divergence reference: states saved before the reference
 * travelled in the blob lack it, and a fork resumed from one would measure it at
 * the resume step (see MemberState.firstLoss). The parent's train loss at its
 * first recorded step stands in: the loss of the same untrained model on the
 * train set (`parentTrainLoss` loads its curve only when needed). Returns the
 * bytes unchanged when they have a reference or no finite first loss is known.
 */
export async function withDivergenceReference(bytes: Uint8Array, parentTrainLoss: () => Promise<ArrayLike<number> | undefined>): Promise<Uint8Array> {
  const state = decodeState(bytes);
  if (state.firstLoss !== undefined) return bytes;
  const curve = await parentTrainLoss();
  const first = curve && curve.length > 0 ? curve[0]! : NaN;
  return Number.isFinite(first) ? encodeState({ ...state, firstLoss: first }) : bytes;
}

function memberSlice(t: { toFloat32(): Float32Array; size: number }, members: number, m: number): Float32Array {
  const per = t.size / members;
  return t.toFloat32().slice(m * per, (m + 1) * per);
}

/** Reads member m's parameters and optimizer state. */
export function captureMember(model: Model, opt: Optimizer, kind: string, m: number, step: number, firstLoss?: number): MemberState {
  const s: MemberState = {
    step,
    optimizer: kind,
    params: model.params.map((p) => memberSlice(p.tensor, model.members, m)),
    state: opt.stateTensors().map((t) => memberSlice(t, model.members, m)),
  };
  if (firstLoss !== undefined && Number.isFinite(firstLoss)) s.firstLoss = firstLoss;
  return s;
}

/** Writes a state into member m; shapes must match (same tree, same optimizer). */
export function restoreMember(model: Model, opt: Optimizer, kind: string, m: number, s: MemberState): void {
  const tensors = [...model.params.map((p) => p.tensor), ...opt.stateTensors()];
  const arrays = [...s.params, ...s.state];
  if (s.optimizer !== kind || s.params.length !== model.params.length || arrays.length !== tensors.length) {
    throw new Error(`checkpoint: state of ${s.optimizer} with ${s.params.length} parameters does not fit ${kind} with ${model.params.length}`);
  }
  tensors.forEach((t, i) => {
    const per = t.size / model.members;
    const a = arrays[i]!;
    if (a.length !== per) throw new Error(`checkpoint: tensor ${i} has ${a.length} values, expected ${per}`);
    const all = t.toFloat32();
    all.set(a, m * per);
    t.set(all);
  });
}
