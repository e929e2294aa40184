"""Generate PyTorch reference fixtures for the toyworld engine's tests.

The TypeScript engine's tests compare their results against values computed
here with PyTorch:

  test/fixtures/ops.json           one case per (op, shapes, attrs): inputs, the
                                   op's output, a random upstream gradient
                                   dL/dout and the resulting input gradients
                                   (L = sum(out * upstream)). References are
                                   computed in float64 from float32 inputs.
  test/fixtures/trajectories.json  50-step training runs (an MLP with SGD and a
                                   one-block transformer with AdamW), computed in
                                   float32: initial params, data, the loss before
                                   each update, and the final params.

Run from the repository root (needs Debian's python3-torch):

    /usr/bin/python3 scripts/make_torch_fixtures.py

Engine conventions followed here: tensors are float32 row-major (stored as
flattened JSON arrays with a separate `shape`), labels/indices are int32, and
linear weights are stored as [in, out], i.e. the transpose of torch's
nn.Linear.weight. The output is deterministic (fixed seeds, one thread).
"""

import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE_DIR = os.path.join(REPO_ROOT, "test", "fixtures")
GENERATOR = f"scripts/make_torch_fixtures.py (torch {torch.__version__})"


# ---------------------------------------------------------------------------
# JSON helpers
# ---------------------------------------------------------------------------

def floats(t):
    """Flatten a tensor row-major into a list of floats (9 significant digits,
    enough to round-trip any float32 exactly)."""
    values = t.detach().double().flatten().tolist()
    assert all(math.isfinite(v) for v in values), "non-finite value in fixture"
    return [float(f"{v:.9g}") for v in values]


def ints(t):
    return [int(v) for v in t.flatten().tolist()]


def tensor_json(t, dtype="f32"):
    data = ints(t) if dtype == "i32" else floats(t)
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


def param_json(t):
    return {"shape": list(t.shape), "data": floats(t)}


def write_json(name, obj):
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    path = os.path.join(FIXTURE_DIR, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


# ---------------------------------------------------------------------------
# Input generators (all float32; references are computed after casting)
# ---------------------------------------------------------------------------

def randn(*shape):
    return torch.randn(shape, dtype=torch.float32)


def uniform(lo, hi, *shape):
    return torch.rand(shape, dtype=torch.float32) * (hi - lo) + lo


def nonzero(*shape):
    """Values with magnitude in [0.5, 2) and random sign (e.g. divisors)."""
    sign = torch.where(torch.rand(shape) < 0.5, -1.0, 1.0)
    return uniform(0.5, 2.0, *shape) * sign


def away_from(x, points, margin):
    """Move entries of x that lie within `margin` of any point to exactly
    `margin` away from it, so kinks (relu, abs, clamp) are not straddled."""
    x = x.clone()
    for p in points:
        d = x - p
        close = d.abs() < margin
        direction = torch.where(d >= 0, 1.0, -1.0)
        x[close] = (p + margin * direction)[close]
    return x


def randint(high, *shape):
    return torch.randint(0, high, shape, dtype=torch.int32)


# ---------------------------------------------------------------------------
# Op references (float64)
# ---------------------------------------------------------------------------

def matmul(a, b, transA, transB):
    if transA:
        a = a.transpose(-1, -2)
    if transB:
        b = b.transpose(-1, -2)
    return a @ b


def reduce(fn, x, axes, keepdim):
    dims = list(range(x.dim())) if axes is None else axes
    return fn(x, dim=dims, keepdim=keepdim)


def rms_norm(x, w, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w


def causal_self_attention(x, wq, wk, wv, wo, heads):
    """Multi-head causal self-attention with [in, out] weights and no biases."""
    B, T, D = x.shape
    dh = D // heads

    def split(t):  # [B, T, D] -> [B, heads, T, dh]; head h = columns h*dh:(h+1)*dh
        return t.reshape(B, T, heads, dh).permute(0, 2, 1, 3)

    q, k, v = split(x @ wq), split(x @ wk), split(x @ wv)
    scores = q @ k.transpose(-1, -2) / math.sqrt(dh)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    scores = scores.masked_fill(mask, float("-inf"))
    ctx = torch.softmax(scores, dim=-1) @ v  # [B, heads, T, dh]
    ctx = ctx.permute(0, 2, 1, 3).reshape(B, T, D)
    return ctx @ wo


def check_attention_against_torch(x, wq, wk, wv, wo, heads, ours):
    """Assert that our attention matches nn.MultiheadAttention (float64)."""
    D = x.shape[-1]
    T = x.shape[1]
    mha = nn.MultiheadAttention(D, heads, bias=False, batch_first=True).double()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([wq.T, wk.T, wv.T], dim=0))
        mha.out_proj.weight.copy_(wo.T)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    ref, _ = mha(x, x, x, attn_mask=mask, need_weights=False)
    assert torch.allclose(ours, ref, rtol=1e-10, atol=1e-12), \
        "causalSelfAttention disagrees with nn.MultiheadAttention"


OPS = {
    "matmul": lambda a, b, transA, transB: matmul(a, b, transA, transB),
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "relu": torch.relu,
    "gelu": F.gelu,  # exact (erf) gelu
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "silu": F.silu,
    "exp": torch.exp,
    "log": torch.log,
    "square": torch.square,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "clamp": lambda x, min, max: torch.clamp(x, min, max),
    "where": lambda c, a, b: torch.where(c != 0, a, b),
    "sum": lambda x, axes, keepdim: reduce(torch.sum, x, axes, keepdim),
    "mean": lambda x, axes, keepdim: reduce(torch.mean, x, axes, keepdim),
    "max": lambda x, axes, keepdim: reduce(torch.amax, x, axes, keepdim),
    "reshape": lambda x, shape: x.reshape(shape),
    "transpose": lambda x, perm: x.permute(perm),
    "slice": lambda x, axis, start, end: x.narrow(axis, start, end - start),
    "concat": lambda *xs, axis: torch.cat(xs, dim=axis),
    "embedding": lambda table, idx: F.embedding(idx.long(), table),
    "softmax": lambda x: torch.softmax(x, dim=-1),
    "logSoftmax": lambda x: torch.log_softmax(x, dim=-1),
    "crossEntropy": lambda logits, labels: F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), labels.reshape(-1).long()),
    "mse": lambda pred, target: F.mse_loss(pred, target),
    "layerNorm": lambda x, w, b, eps: F.layer_norm(x, (x.shape[-1],), w, b, eps),
    "rmsNorm": lambda x, w, eps: rms_norm(x, w, eps),
    "causalSelfAttention": causal_self_attention,
}


def make_case(name, op, inputs, attrs=None, grad=None):
    """Build one op case.

    inputs: list of float32 or int32 tensors. grad: list of bools (default:
    True for float inputs, False for int inputs).
    """
    attrs = attrs or {}
    if grad is None:
        grad = [t.dtype == torch.float32 for t in inputs]

    leaves = []
    for t, g in zip(inputs, grad):
        if t.dtype == torch.float32:
            leaves.append(t.double().requires_grad_(g))
        else:
            leaves.append(t)
    out = OPS[op](*leaves, **attrs)

    if op == "causalSelfAttention":
        check_attention_against_torch(*[l.detach() for l in leaves],
                                      attrs["heads"], out.detach())

    upstream = randn(*out.shape)
    if any(grad):
        (out * upstream.double()).sum().backward()

    input_json = []
    for t, g in zip(inputs, grad):
        entry = tensor_json(t, "f32" if t.dtype == torch.float32 else "i32")
        entry["grad"] = g
        input_json.append(entry)

    return {
        "name": name,
        "op": op,
        "attrs": attrs,
        "inputs": input_json,
        "output": param_json(out),
        "upstream": param_json(upstream),
        "grads": [floats(l.grad) if g else None for l, g in zip(leaves, grad)],
    }


def op_cases():
    cases = []

    def add(*args, **kwargs):
        cases.append(make_case(*args, **kwargs))

    # matmul: all transpose combinations in 2-D (M=7, K=13, N=5), then batched.
    M, K, N = 7, 13, 5
    for transA in (False, True):
        for transB in (False, True):
            a = randn(K, M) if transA else randn(M, K)
            b = randn(N, K) if transB else randn(K, N)
            add(f"matmul 2d transA={transA} transB={transB}", "matmul", [a, b],
                {"transA": transA, "transB": transB})
    no_t = {"transA": False, "transB": False}
    add("matmul batched [3,7,13]@[3,13,5]", "matmul", [randn(3, 7, 13), randn(3, 13, 5)], no_t)
    add("matmul broadcast [7,13]@[4,13,5]", "matmul", [randn(7, 13), randn(4, 13, 5)], no_t)
    add("matmul 4d [2,3,7,13]@[2,3,13,5]", "matmul", [randn(2, 3, 7, 13), randn(2, 3, 13, 5)], no_t)
    add("matmul batched transA transB [3,13,7]^T@[3,5,13]^T", "matmul",
        [randn(3, 13, 7), randn(3, 5, 13)], {"transA": True, "transB": True})

    # Binary elementwise ops with numpy broadcasting.
    shape_pairs = [
        ([7, 13], [7, 13]),
        ([4, 7, 13], [13]),
        ([4, 7, 13], [4, 7, 1]),
        ([4, 1, 13], [1, 7, 1]),
        ([3, 5], [1]),
    ]
    for op in ("add", "sub", "mul", "div"):
        for sa, sb in shape_pairs:
            b = nonzero(*sb) if op == "div" else randn(*sb)
            add(f"{op} {sa} {sb}", op, [randn(*sa), b])

    # Unary elementwise ops on [7, 13].
    for op in ("relu", "abs"):
        add(f"{op} [7,13]", op, [away_from(randn(7, 13), [0.0], 0.05)])
    for op in ("gelu", "tanh", "sigmoid", "silu", "exp", "square"):
        add(f"{op} [7,13]", op, [randn(7, 13)])
    for op in ("log", "sqrt"):
        add(f"{op} [7,13]", op, [uniform(0.5, 2.0, 7, 13)])
    add("gelu [4,7,13]", "gelu", [randn(4, 7, 13)])
    add("exp [5]", "exp", [randn(5)])

    lo, hi = -0.5, 0.7
    add("clamp [7,13]", "clamp", [away_from(randn(7, 13), [lo, hi], 0.01)], {"min": lo, "max": hi})
    add("clamp [4,7,13]", "clamp", [away_from(randn(4, 7, 13), [lo, hi], 0.01)], {"min": lo, "max": hi})

    def cond(*shape):
        return (torch.rand(shape) < 0.5).float()

    add("where [7,13]", "where", [cond(7, 13), randn(7, 13), randn(7, 13)], grad=[False, True, True])
    add("where broadcast [7,1] [7,13] [13]", "where", [cond(7, 1), randn(7, 13), randn(13)],
        grad=[False, True, True])

    # Reductions on [4, 7, 13].
    for op in ("sum", "mean", "max"):
        for axes in ([2], [1], [0, 2], None):
            for keepdim in (False, True):
                add(f"{op} [4,7,13] axes={axes} keepdim={keepdim}", op, [randn(4, 7, 13)],
                    {"axes": axes, "keepdim": keepdim})

    # Shape ops.
    add("reshape [4,7,13]->[28,13]", "reshape", [randn(4, 7, 13)], {"shape": [28, 13]})
    add("reshape [2,3,4,5]->[6,2,10]", "reshape", [randn(2, 3, 4, 5)], {"shape": [6, 2, 10]})
    add("transpose [4,7,13] perm [2,0,1]", "transpose", [randn(4, 7, 13)], {"perm": [2, 0, 1]})
    add("transpose [2,3,4,5] perm [0,2,1,3]", "transpose", [randn(2, 3, 4, 5)], {"perm": [0, 2, 1, 3]})
    add("transpose [7,13] perm [1,0]", "transpose", [randn(7, 13)], {"perm": [1, 0]})
    add("slice [4,7,13] axis 1 [2,6)", "slice", [randn(4, 7, 13)], {"axis": 1, "start": 2, "end": 6})
    add("slice [4,7,13] axis 2 [0,5)", "slice", [randn(4, 7, 13)], {"axis": 2, "start": 0, "end": 5})
    add("slice [4,7,13] axis 0 [1,4)", "slice", [randn(4, 7, 13)], {"axis": 0, "start": 1, "end": 4})
    add("concat [4,3,5]+[4,2,5] axis 1", "concat", [randn(4, 3, 5), randn(4, 2, 5)], {"axis": 1})
    add("concat [3,5]+[3,7]+[3,1] axis 1", "concat", [randn(3, 5), randn(3, 7), randn(3, 1)], {"axis": 1})
    add("concat [2,5]+[3,5] axis 0", "concat", [randn(2, 5), randn(3, 5)], {"axis": 0})

    # Embedding with repeated indices (tests scatter-add in the backward).
    idx = randint(11, 3, 5)
    idx[0, 0] = idx[1, 2] = idx[2, 4] = 3
    idx[0, 1] = idx[2, 0] = 7
    add("embedding [11,6] idx [3,5]", "embedding", [randn(11, 6), idx])

    for op in ("softmax", "logSoftmax"):
        add(f"{op} [7,13]", op, [randn(7, 13)])
        add(f"{op} [2,3,9]", op, [randn(2, 3, 9)])

    add("crossEntropy [12,7]", "crossEntropy", [randn(12, 7), randint(7, 12)])
    add("crossEntropy [3,4,7]", "crossEntropy", [randn(3, 4, 7), randint(7, 3, 4)])

    add("mse [5,3]", "mse", [randn(5, 3), randn(5, 3)], grad=[True, True])

    add("layerNorm [6,13]", "layerNorm", [randn(6, 13), randn(13), randn(13)], {"eps": 1e-5})
    add("layerNorm [2,3,16]", "layerNorm", [randn(2, 3, 16), randn(16), randn(16)], {"eps": 1e-5})

    add("rmsNorm [6,13]", "rmsNorm", [randn(6, 13), randn(13)], {"eps": 1e-6})
    add("rmsNorm [2,3,16]", "rmsNorm", [randn(2, 3, 16), randn(16)], {"eps": 1e-6})

    def attn_weights(D):
        return [randn(D, D) / math.sqrt(D) for _ in range(4)]

    add("causalSelfAttention B2 T5 D8 heads2", "causalSelfAttention",
        [randn(2, 5, 8)] + attn_weights(8), {"heads": 2})
    add("causalSelfAttention B1 T6 D8 heads4", "causalSelfAttention",
        [randn(1, 6, 8)] + attn_weights(8), {"heads": 4})

    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


# ---------------------------------------------------------------------------
# Training trajectories (float32)
# ---------------------------------------------------------------------------

STEPS = 50


def train(optimizer, loss_fn, params=None, clip_norm=None, scheduler=None):
    """Run STEPS updates; return the loss before each update.

    clip_norm clips the global gradient norm (torch.nn.utils.clip_grad_norm_);
    scheduler is stepped after every update, as the engine's schedules count updates.
    """
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = loss_fn()
        losses.append(float(f"{loss.item():.9g}"))
        loss.backward()
        if clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(params, clip_norm)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return losses


def export_params(named):
    """named: dict of name -> tensor already in engine layout."""
    return {name: param_json(t) for name, t in named.items()}


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        return x

    def engine_params(self):
        out = {}
        for i, layer in enumerate(self.layers):
            out[f"l{i}.w"] = layer.weight.detach().T.contiguous()
            out[f"l{i}.b"] = layer.bias.detach().clone()
        return out


def schedule_factor(schedule, step):
    """The engine's learning-rate factor (src/engine/optim/schedule.ts) at a 0-based step."""
    kind = schedule["kind"]
    if kind == "constant":
        return 1.0
    if kind == "step":
        return schedule["gamma"] ** (step // schedule["stepSize"])
    if kind == "cosine":
        warm = schedule.get("warmupSteps", 0)
        if step < warm:
            return (step + 1) / warm
        span = max(1, schedule["totalSteps"] - warm)
        t = min(1.0, (step - warm) / span)
        low = schedule.get("minFactor", 0.0)
        return low + (1 - low) * 0.5 * (1 + math.cos(math.pi * t))
    raise ValueError(kind)


# MLP trajectories: one per optimizer variant the engine implements.
MLP_VARIANTS = [
    {"name": "mlp-sgd", "seed": 1, "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": False,
     "weight_decay": 1e-4, "schedule": {"kind": "constant"}, "clip_norm": None},
    {"name": "mlp-sgd-nesterov-clip-step", "seed": 3, "optimizer": "sgd", "lr": 0.05, "momentum": 0.9,
     "nesterov": True, "weight_decay": 1e-3, "schedule": {"kind": "step", "stepSize": 10, "gamma": 0.5},
     "clip_norm": 0.5},
    {"name": "mlp-adam-cosine", "seed": 4, "optimizer": "adam", "lr": 1e-2, "betas": [0.8, 0.99], "eps": 1e-8,
     "weight_decay": 1e-3, "schedule": {"kind": "cosine", "totalSteps": 50, "warmupSteps": 5, "minFactor": 0.1},
     "clip_norm": 1.0},
]


def mlp_trajectory(variant):
    torch.manual_seed(variant["seed"])
    config = {
        "sizes": [8, 32, 32, 4], "activation": "relu", "batch": 16, "classes": 4,
        "loss": "crossEntropy (mean)", "steps": STEPS, "dampening": 0.0,
        "weight_decay_note": "L2 added to the gradient of every parameter (biases too), as torch.optim.SGD/Adam",
        **{k: v for k, v in variant.items() if k not in ("name", "seed")},
    }
    model = MLP(config["sizes"])
    x = randn(config["batch"], 8)
    y = randint(config["classes"], config["batch"])
    initial = model.engine_params()
    params = list(model.parameters())
    if variant["optimizer"] == "sgd":
        opt = torch.optim.SGD(params, lr=variant["lr"], momentum=variant["momentum"], dampening=0.0,
                              nesterov=variant["nesterov"], weight_decay=variant["weight_decay"])
    else:
        opt = torch.optim.Adam(params, lr=variant["lr"], betas=tuple(variant["betas"]), eps=variant["eps"],
                               weight_decay=variant["weight_decay"])
    schedule = variant["schedule"]
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: schedule_factor(schedule, step))
    losses = train(opt, lambda: F.cross_entropy(model(x), y.long()), params, variant["clip_norm"], scheduler)
    return {
        "name": variant["name"],
        "model": "mlp",
        "config": config,
        "params": export_params(initial),
        "data": {"x": tensor_json(x), "y": tensor_json(y, "i32")},
        "losses": losses,
        "finalParams": export_params(model.engine_params()),
    }


class Transformer(nn.Module):
    """One pre-LayerNorm transformer block for next-token prediction."""

    def __init__(self, vocab, d, heads, seq, hidden, ln_eps):
        super().__init__()
        self.emb = nn.Parameter(torch.randn(vocab, d))
        self.pos = nn.Parameter(torch.randn(seq, d) * 0.02)
        self.ln1 = nn.LayerNorm(d, eps=ln_eps)
        self.attn = nn.MultiheadAttention(d, heads, bias=False, batch_first=True)
        self.ln2 = nn.LayerNorm(d, eps=ln_eps)
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)
        self.lnf = nn.LayerNorm(d, eps=ln_eps)
        self.out = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        T = idx.shape[1]
        h = self.emb[idx.long()] + self.pos[:T]
        a = self.ln1(h)
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        h = h + self.attn(a, a, a, attn_mask=mask, need_weights=False)[0]
        h = h + self.fc2(F.gelu(self.fc1(self.ln2(h))))
        return self.out(self.lnf(h))

    def engine_params(self):
        d = self.emb.shape[1]
        w_in = self.attn.in_proj_weight.detach()

        def t(w):
            return w.detach().T.contiguous()

        def c(w):
            return w.detach().clone()

        return {
            "emb": c(self.emb), "pos": c(self.pos),
            "ln1.w": c(self.ln1.weight), "ln1.b": c(self.ln1.bias),
            "attn.wq": t(w_in[0:d]), "attn.wk": t(w_in[d:2 * d]), "attn.wv": t(w_in[2 * d:3 * d]),
            "attn.wo": t(self.attn.out_proj.weight),
            "ln2.w": c(self.ln2.weight), "ln2.b": c(self.ln2.bias),
            "fc1.w": t(self.fc1.weight), "fc1.b": c(self.fc1.bias),
            "fc2.w": t(self.fc2.weight), "fc2.b": c(self.fc2.bias),
            "lnf.w": c(self.lnf.weight), "lnf.b": c(self.lnf.bias),
            "out.w": t(self.out.weight),
        }


def transformer_trajectory(lr):
    torch.manual_seed(2)
    config = {
        "vocab": 16, "d": 16, "heads": 2, "seq": 8, "batch": 4, "hidden": 64,
        "activation": "gelu (exact erf)", "ln_eps": 1e-5, "norm": "pre-LayerNorm",
        "loss": "next-token crossEntropy (mean over batch*seq)", "steps": STEPS,
        "optimizer": "adamw", "lr": lr, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01,
        "weight_decay_note": "decoupled decay applied to every parameter (emb, pos, LayerNorm too), as torch.optim.AdamW",
        "amsgrad": False,
    }
    model = Transformer(config["vocab"], config["d"], config["heads"], config["seq"],
                        config["hidden"], config["ln_eps"])
    tokens = randint(config["vocab"], config["batch"], config["seq"] + 1)
    x, y = tokens[:, :-1].contiguous(), tokens[:, 1:].contiguous()
    initial = model.engine_params()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=tuple(config["betas"]),
                            eps=config["eps"], weight_decay=config["weight_decay"])

    def loss_fn():
        logits = model(x)
        return F.cross_entropy(logits.reshape(-1, config["vocab"]), y.reshape(-1).long())

    losses = train(opt, loss_fn)
    return {
        "name": "transformer-adamw",
        "model": "transformer",
        "config": config,
        "params": export_params(initial),
        "data": {"x": tensor_json(x, "i32"), "y": tensor_json(y, "i32")},
        "losses": losses,
        "finalParams": export_params(model.engine_params()),
    }


def main():
    torch.set_num_threads(1)

    torch.manual_seed(0)
    write_json("ops.json", {"generator": GENERATOR, "cases": op_cases()})

    trajectories = [mlp_trajectory(v) for v in MLP_VARIANTS] + [transformer_trajectory(lr=1e-3)]
    for t in trajectories:
        print(f"{t['name']}: loss {t['losses'][0]:.6f} -> {t['losses'][-1]:.6f}")
    write_json("trajectories.json", {"generator": GENERATOR, "trajectories": trajectories})


if __name__ == "__main__":
    main()
