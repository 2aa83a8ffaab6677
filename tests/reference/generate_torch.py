#!/usr/bin/python3
"""Writes the PyTorch reference vectors SequenceKit's tests compare against.

Run from the repository root with Debian's PyTorch (python3-torch 1.13):
    /usr/bin/python3 tests/reference/generate_torch.py
Outputs (committed; the tests never need Python):
    tests/SequenceKit.Tests/Reference/data/torch_reference.json   losses, optimizer steps, schedules, plateau traces, layer outputs
    tests/SequenceKit.Tests/Reference/data/rnn_*.pth               layer weights as PyTorch state_dicts (loaded by SequenceKit)
If data/sequencekit_written.pth exists (written by SequenceKit, see README.md), it is loaded here with torch.load and
checked against data/sequencekit_written.json: the other direction of the .pth interop.
"""
import json, math, os, sys
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "SequenceKit.Tests", "Reference", "data")
os.makedirs(OUT, exist_ok=True)
torch.set_default_dtype(torch.float32)


def lst(t):
    return t.detach().double().tolist()


# ---------------------------------------------------------------- losses
def losses():
    cases = {}
    # Cross-entropy from a softmax Dense: identity weights, zero bias, so the inputs are the logits.
    x = torch.tensor([[-113.5, 37.1, 119.1, -16.6], [3.0, -2.0, 0.5, 1.0], [50.0, -50.0, 0.0, 10.0]])
    y = torch.tensor([0, 2, 1])
    lin = torch.nn.Linear(4, 4)
    with torch.no_grad():
        lin.weight.copy_(torch.eye(4)); lin.bias.zero_()
    opt = torch.optim.SGD(lin.parameters(), lr=0.01)
    loss = F.cross_entropy(lin(x), y)
    per = F.cross_entropy(x, y, reduction="none")
    loss.backward(); opt.step()
    cases["cross_entropy_softmax"] = dict(inputs=lst(x), labels=y.tolist(), per_sample=lst(per), loss=loss.item(),
                                          sgd_lr=0.01, weight_after=lst(lin.weight), bias_after=lst(lin.bias))
    # Binary cross-entropy from a sigmoid Dense, logits ±70.
    x = torch.tensor([[70.0, -70.0], [-70.0, 70.0], [3.0, -1.0], [-70.0, 0.5]])
    t = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    lin = torch.nn.Linear(2, 2)
    with torch.no_grad():
        lin.weight.copy_(torch.eye(2)); lin.bias.zero_()
    opt = torch.optim.SGD(lin.parameters(), lr=0.01)
    loss = F.binary_cross_entropy_with_logits(lin(x), t)
    loss.backward(); opt.step()
    cases["binary_cross_entropy_sigmoid"] = dict(inputs=lst(x), targets=lst(t), loss=loss.item(), sgd_lr=0.01,
                                                 weight_after=lst(lin.weight), bias_after=lst(lin.bias))
    # Regression losses.
    o = torch.tensor([[1.0, 4.0, -2.5], [0.2, 1e3, 0.0]])
    t = torch.tensor([[0.0, 1.0, -2.0], [0.0, -1e3, 0.3]])
    cases["regression"] = dict(output=lst(o), target=lst(t), mse=F.mse_loss(o, t).item(), mae=F.l1_loss(o, t).item(),
                               huber_1=F.huber_loss(o, t, delta=1.0).item(), huber_0_5=F.huber_loss(o, t, delta=0.5).item())
    return cases


# ---------------------------------------------------------------- optimizers
def optimizers():
    w0 = [0.5, -1.5, 2.0, 0.0, -0.25]
    grads = [[0.1, -0.2, 0.3, -0.4, 0.5], [1.0, 1.0, -1.0, 0.0, 2.0], [-0.3, 0.7, 0.2, 0.9, -1.1]]
    configs = {
        "adam": lambda p: torch.optim.Adam(p, lr=0.1),
        "adam_decay": lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        "adamw": lambda p: torch.optim.AdamW(p, lr=0.1),  # PyTorch's default weight_decay 0.01
        "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
        "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        # SequenceKit's RmsProp: PyTorch's formula with Keras' defaults (lr 1e-3, rho 0.9, eps 1e-7).
        "rmsprop_defaults": lambda p: torch.optim.RMSprop(p, lr=1e-3, alpha=0.9, eps=1e-7),
        "rmsprop_momentum": lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7, momentum=0.5, weight_decay=0.1),
        "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1),
    }
    result = {"w0": w0, "grads": grads, "cases": {}}
    for name, make in configs.items():
        p = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
        opt = make([p])
        trace = []
        for g in grads:
            opt.zero_grad()
            (p * torch.tensor(g, dtype=torch.float64)).sum().backward()
            opt.step()
            trace.append(p.detach().tolist())
        result["cases"][name] = trace
    return result


# ---------------------------------------------------------------- schedules
def schedules():
    def make_opt(lr, **kw):
        return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, **kw)

    out = {}
    opt = make_opt(1.0); s = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    tr = []
    for _ in range(10):
        tr.append(opt.param_groups[0]["lr"]); opt.step(); s.step()
    out["step_lr"] = dict(base=1.0, step_size=3, gamma=0.5, per_epoch=tr)

    opt = make_opt(0.5); s = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    tr = []
    for _ in range(10):
        tr.append(opt.param_groups[0]["lr"]); opt.step(); s.step()
    out["exponential_lr"] = dict(base=0.5, gamma=0.9, per_epoch=tr)

    # Cosine annealing with warm restarts, stepped per batch with fractional epochs (PyTorch's documented use).
    epochs, batches = 10, 4
    opt = make_opt(0.1); s = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.001)
    tr = []
    for e in range(epochs):
        for b in range(batches):
            s.step(e + b / batches)
            tr.append(opt.param_groups[0]["lr"]); opt.step()
    out["cosine_warm_restarts"] = dict(base=0.1, period=3, multiplier=2, min_rate=0.001, epochs=epochs, batches=batches, per_batch=tr)

    # Plain cosine annealing over the run, per epoch.
    opt = make_opt(0.1); s = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8, eta_min=0.0)
    tr = []
    for _ in range(8):
        tr.append(opt.param_groups[0]["lr"]); opt.step(); s.step()
    out["cosine_annealing"] = dict(base=0.1, t_max=8, per_epoch=tr)

    # OneCycle with SGD momentum and with Adam's beta1, several run lengths.
    one = []
    for epochs, batches, pct in [(5, 7, 0.3), (3, 4, 0.25), (2, 10, 0.3), (1, 3, 0.3)]:
        for kind in ["sgd", "adam"]:
            opt = make_opt(0.1, momentum=0.9) if kind == "sgd" else torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
            s = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.2, epochs=epochs, steps_per_epoch=batches, pct_start=pct)
            rates, moms = [], []
            for _ in range(epochs * batches):
                g = opt.param_groups[0]
                rates.append(g["lr"]); moms.append(g["momentum"] if kind == "sgd" else g["betas"][0])
                opt.step(); s.step()
            one.append(dict(optimizer=kind, max_rate=0.2, epochs=epochs, batches=batches, pct_start=pct, rates=rates, momentum=moms))
    out["one_cycle"] = one

    # Linear warm-up: LinearLR(start_factor=1/W, total_iters=W-1) equals rate·min(1, (step+1)/W).
    opt = make_opt(0.3); W = 5; s = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1 / W, end_factor=1.0, total_iters=W - 1)
    tr = []
    for _ in range(8):
        tr.append(opt.param_groups[0]["lr"]); opt.step(); s.step()
    out["linear_warmup"] = dict(base=0.3, warmup_steps=W, per_step=tr)

    # PyTorch's ReduceLROnPlateau on given metric sequences (threshold_mode "abs"), for comparison with the Keras rule.
    plateau = []
    seqs = {
        "flat": [1.0] * 12,
        "noisy": [1.0, 0.9, 0.95, 0.9, 0.89995, 0.85, 0.86, 0.87, 0.88, 0.84, 0.85, 0.86, 0.86, 0.86],
    }
    for name, values in seqs.items():
        for patience, cooldown in [(1, 0), (2, 0), (2, 1), (3, 2)]:
            opt = make_opt(1.0)
            s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=patience, threshold=1e-4,
                                                           threshold_mode="abs", cooldown=cooldown)
            rates = []
            for v in values:
                rates.append(opt.param_groups[0]["lr"]); s.step(v)
            plateau.append(dict(sequence=name, values=values, patience=patience, cooldown=cooldown, factor=0.5, min_delta=1e-4, rates=rates))
    out["torch_reduce_lr_on_plateau"] = plateau
    return out


# ---------------------------------------------------------------- recurrent layers
def recurrent():
    cases = []
    specs = [  # kind, input, hidden, layers, bidirectional
        ("Lstm", 3, 5, 1, False), ("Lstm", 3, 5, 2, True), ("Lstm", 2, 33, 1, False), ("Lstm", 2, 100, 1, False),
        ("Gru", 3, 5, 2, True), ("Gru", 2, 33, 1, False),
        ("SimpleRnn", 3, 5, 2, True), ("SimpleRnn", 2, 100, 1, False),
    ]
    batch, steps = 3, 6
    lengths = torch.tensor([6, 4, 1])
    for i, (kind, inp, hid, layers, bidi) in enumerate(specs):
        torch.manual_seed(100 + i)
        cls = {"Lstm": torch.nn.LSTM, "Gru": torch.nn.GRU, "SimpleRnn": torch.nn.RNN}[kind]
        rnn = cls(inp, hid, num_layers=layers, batch_first=True, bidirectional=bidi)
        with torch.no_grad():  # spread the weights a little so that saturation and the hidden path matter
            for p in rnn.parameters():
                p.mul_(2.0)
        x = torch.randn(batch, steps, inp)
        name = f"rnn_{i}_{kind.lower()}_{hid}{'_bi' if bidi else ''}{'_l2' if layers == 2 else ''}"
        # SequenceKit's model Input → recurrent layer: keys "1.<torch name>".
        torch.save({f"1.{k}": v.clone() for k, v in rnn.state_dict().items()}, os.path.join(OUT, name + ".pth"))
        rnn.train()
        out_full, h_full = rnn(x)
        h_full = h_full[0] if kind == "Lstm" else h_full
        last_full = torch.cat([h_full[-2], h_full[-1]], -1) if bidi else h_full[-1]
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out_p, h_p = rnn(packed)
        h_p = h_p[0] if kind == "Lstm" else h_p
        out_p, _ = torch.nn.utils.rnn.pad_packed_sequence(out_p, batch_first=True, total_length=steps)
        last_p = torch.cat([h_p[-2], h_p[-1]], -1) if bidi else h_p[-1]
        cases.append(dict(name=name, kind=kind, input_size=inp, hidden=hid, layers=layers, bidirectional=bidi,
                          x=lst(x), lengths=lengths.tolist(), sequences=lst(out_full), last=lst(last_full),
                          padded_sequences=lst(out_p), padded_last=lst(last_p)))
    return cases


# ---------------------------------------------------------------- SequenceKit-written .pth, read by PyTorch
def check_sequencekit_file():
    pth, expected = os.path.join(OUT, "sequencekit_written.pth"), os.path.join(OUT, "sequencekit_written.json")
    if not (os.path.exists(pth) and os.path.exists(expected)):
        print("no SequenceKit-written .pth to check (see README.md)")
        return
    state = torch.load(pth)
    want = json.load(open(expected))
    assert sorted(state.keys()) == sorted(want["keys"]), (sorted(state.keys()), want["keys"])
    lin = torch.nn.Linear(want["inputs"], want["units"])
    lin.load_state_dict({"weight": state["1.weight"], "bias": state["1.bias"]})
    y = lin(torch.tensor(want["x"])).softmax(-1)
    err = (y - torch.tensor(want["y"])).abs().max().item()
    assert err < 1e-6, err
    print(f"SequenceKit-written .pth loads in PyTorch {torch.__version__}: keys match, outputs agree to {err:.1e}")


if __name__ == "__main__":
    data = dict(generator=f"tests/reference/generate_torch.py, PyTorch {torch.__version__}",
                losses=losses(), optimizers=optimizers(), schedules=schedules(), recurrent=recurrent())
    with open(os.path.join(OUT, "torch_reference.json"), "w") as f:
        json.dump(data, f, separators=(",", ":"))
    check_sequencekit_file()
    print("wrote", os.path.normpath(OUT))
