"""The PyTorch reference of the two comparators that follow their authors' code rather than the paper's recipe,
for `npm run bench:comparators`: OGM-GE as GeWu-Lab/OGM-GE_CVPR2022 main.py trains, and offline G-Blending
with its estimate as Wang et al. (CVPR 2020) define it, each beside plain late fusion, on a folder of two
vector modalities (manifest.csv: id,label,split,a.f1..,b.f1..), with the engine's architecture, settings and
selection rules. Written the straightforward PyTorch way, not from our TypeScript: where they agree, both
implement the same method.

What is the authors' and what is ours (the run protocol, identical on both sides, so that only the method differs):
- OGM-GE (main.py `train_epoch`): the two modalities' scores from their halves of the fused head (bias / 2),
  coefficient 1 - tanh(alpha * relu(ratio)) for the dominant one, `parms.grad = parms.grad * coeff +
  N(0, parms.grad.std() + 1e-8)` in the modulated epochs, then SGD(lr 1e-3, momentum 0.9, weight_decay 1e-4)
  with StepLR(0.7 of the epochs, 0.1). The authors modulate 4-D conv kernels; these encoders are MLPs, so
  every encoder weight of rank >= 2 is modulated (the engine's documented extension). Modulated: the first
  half of the epochs (main.py: 0-50 of 100).
- G-Blending: each head's model (one per modality, and late fusion) trains from initialisation for N epochs on
  80% of the training split; its cross-entropy is evaluated on that part (L^T) and on the other 20% (L^V)
  before any step and after N; G = L^V_0 - L^V_N, O = L^V - L^T, dO = O_N - O_0, w = G / dO^2 normalised,
  G <= 0 -> 0 (ours, documented in engine/method/methods/g-blending.ts). Then a late-fusion network with one
  linear head per modality trains on w_fused * CE(fused) + sum_m w_m * CE(head_m).
- The run protocol (the engine's, engine/train/fit.ts): features standardised with the training split's mean
  and (population) sd; MLP encoders 16 -> 128 -> 128 with ReLU, He-normal kernels truncated at 2 sd (tfjs's), zero biases; a linear head
  on the concatenated features, Glorot-uniform; batches of 64 reshuffled each epoch; at most 30 epochs; early
  stopping on the validation accuracy smoothed 0.5/0.5 (patience 10, at least 10 epochs) that keeps the raw
  best epoch's weights; Adam 1e-3 with reduce-on-plateau (patience 1, x0.1, on the validation loss) for the
  methods that train on the run's recipe.

Prints one JSON object. Usage: comparators.py DIR SEEDS [EPOCHS]"""
import csv
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(os.cpu_count() or 1)
BATCH, LR, PATIENCE, MIN_EPOCHS, SMOOTHING = 64, 1e-3, 10, 10, 0.5
HIDDEN = [128, 128]
OGM_ALPHA, OGM_MODULATED_SHARE = 0.1, 0.5
OGM_RECIPE = {"optimizer": "sgd", "lr": 1e-3, "momentum": 0.9, "weight_decay": 1e-4, "schedule": "step", "step_share": 0.7}
RUN_RECIPE = {"optimizer": "adam", "lr": LR, "schedule": "plateau"}
G_BLEND_EPOCHS, HELD_OUT_SHARE = 10, 0.2


def load(folder):
    with open(os.path.join(folder, "manifest.csv")) as f:
        rows = list(csv.DictReader(f))
    classes = sorted({r["label"] for r in rows})
    names = sorted({key.split(".")[0] for key in rows[0] if "." in key})
    split = {s: torch.tensor([i for i, r in enumerate(rows) if r["split"] == s]) for s in ("train", "val", "test")}
    inputs = []
    for name in names:
        columns = [key for key in rows[0] if key.startswith(name + ".")]
        x = torch.tensor([[float(r[c]) for c in columns] for r in rows], dtype=torch.float32)
        train = x[split["train"]]
        mean, sd = train.mean(0), train.std(0, unbiased=False)
        inputs.append((x - mean) / torch.where(sd > 0, sd, torch.ones_like(sd)))
    labels = torch.tensor([classes.index(r["label"]) for r in rows])
    return names, inputs, labels, split, len(classes)


def encoder(inputs):
    layers, width = [], inputs
    for units in HIDDEN:
        linear = nn.Linear(width, units)
        # tfjs's heNormal: a normal of sd sqrt(2 / fan_in) truncated at two sd (PyTorch's kaiming_normal_ does not
        # truncate, which starts with ~14% larger weights and larger initial losses).
        std = math.sqrt(2 / width)
        nn.init.trunc_normal_(linear.weight, 0.0, std, -2 * std, 2 * std)
        nn.init.zeros_(linear.bias)
        layers += [linear, nn.ReLU()]
        width = units
    return nn.Sequential(*layers)


def head(inputs, classes):
    layer = nn.Linear(inputs, classes)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class Fusion(nn.Module):
    """Late fusion: an encoder per modality, features concatenated, one linear head; optionally a head per modality."""

    def __init__(self, widths, classes, auxiliary=False):
        super().__init__()
        self.encoders = nn.ModuleList([encoder(w) for w in widths])
        self.head = head(HIDDEN[-1] * len(widths), classes)
        self.auxiliary = nn.ModuleList([head(HIDDEN[-1], classes) for _ in widths]) if auxiliary else None

    def forward(self, xs):
        features = [e(x) for e, x in zip(self.encoders, xs)]
        logits = self.head(torch.cat(features, 1))
        extra = [h(f) for h, f in zip(self.auxiliary, features)] if self.auxiliary is not None else []
        return logits, features, extra


def evaluate(model, inputs, labels, index):
    """Mean cross-entropy and accuracy of the main head, inference mode, the whole part."""
    model.eval()
    with torch.no_grad():
        logits = model([x[index] for x in inputs])[0]
        loss = nn.functional.cross_entropy(logits, labels[index]).item()
        accuracy = (logits.argmax(1) == labels[index]).float().mean().item()
    return loss, accuracy


def should_stop(accuracies, patience, min_epochs):
    if len(accuracies) < min_epochs:
        return False
    smoothed = []
    for a in accuracies:
        smoothed.append(a if not smoothed else SMOOTHING * a + (1 - SMOOTHING) * smoothed[-1])
    best = max(range(len(smoothed)), key=lambda i: (smoothed[i], -i))
    return len(accuracies) - 1 - best >= patience


def make_optimizer(model, recipe):
    if recipe["optimizer"] == "sgd":
        return torch.optim.SGD(model.parameters(), lr=recipe["lr"], momentum=recipe["momentum"], weight_decay=recipe["weight_decay"])
    return torch.optim.Adam(model.parameters(), lr=recipe["lr"], eps=1e-7)


def fit(model, inputs, labels, train, val, epochs, recipe, loss_of=None, after_backward=None, patience=PATIENCE, min_epochs=MIN_EPOCHS, keep_last=False):
    """The engine's loop: shuffled batches, the recipe's optimizer and schedule, early stopping on val accuracy."""
    optimizer = make_optimizer(model, recipe)
    if recipe["schedule"] == "step":
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, max(1, round(epochs * recipe["step_share"])), 0.1)
    else:
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.1, patience=1, threshold=1e-4, threshold_mode="abs")
    accuracies, best, best_state = [], -1.0, None
    for epoch in range(1, epochs + 1):
        model.train()
        order = train[torch.randperm(len(train))]
        for step, start in enumerate(range(0, len(order), BATCH)):
            b = order[start:start + BATCH]
            logits, features, extra = model([x[b] for x in inputs])
            loss = loss_of(logits, extra, labels[b]) if loss_of else nn.functional.cross_entropy(logits, labels[b])
            optimizer.zero_grad()
            loss.backward()
            if after_backward:
                after_backward(model, features, labels[b], epoch)
            optimizer.step()
        val_loss, val_accuracy = evaluate(model, inputs, labels, val)
        accuracies.append(val_accuracy)
        if val_accuracy > best:
            best, best_state = val_accuracy, {k: v.clone() for k, v in model.state_dict().items()}
        if should_stop(accuracies, patience, min_epochs):
            break
        if recipe["schedule"] == "step":
            scheduler.step()
        else:
            scheduler.step(val_loss)
    if not keep_last:
        model.load_state_dict(best_state)
    return model


def ogm_ge_hook(epochs, tally):
    """main.py's modulation for two modalities, on every encoder weight of rank >= 2."""
    last_modulated = round(epochs * OGM_MODULATED_SHARE)

    def modulate(model, features, labels, epoch):
        if epoch > last_modulated:
            return
        weight = model.head.weight  # [classes, 2 * features]: main.py's fc_out.weight
        size = weight.size(1) // 2
        with torch.no_grad():
            out_a = torch.mm(features[0], torch.transpose(weight[:, :size], 0, 1)) + model.head.bias / 2
            out_v = torch.mm(features[1], torch.transpose(weight[:, size:], 0, 1)) + model.head.bias / 2
            score_a = sum(torch.softmax(out_a, 1)[i][labels[i]] for i in range(out_a.size(0)))
            score_v = sum(torch.softmax(out_v, 1)[i][labels[i]] for i in range(out_v.size(0)))
        ratio_v = score_v / score_a
        ratio_a = 1 / ratio_v
        if ratio_v > 1:
            coeff_v, coeff_a = 1 - math.tanh(OGM_ALPHA * max(ratio_v.item(), 0)), 1.0
        else:
            coeff_a, coeff_v = 1 - math.tanh(OGM_ALPHA * max(ratio_a.item(), 0)), 1.0
        tally.append((coeff_a, coeff_v))
        for modality, coeff in ((0, coeff_a), (1, coeff_v)):
            for parms in model.encoders[modality].parameters():
                if len(parms.grad.size()) >= 2:
                    parms.grad = parms.grad * coeff + torch.zeros_like(parms.grad).normal_(0, parms.grad.std().item() + 1e-8)

    return modulate


def blend_weights(curves):
    raw = []
    for c in curves:
        generalization = c["heldOutLoss0"] - c["heldOutLossN"]
        overfitting = (c["heldOutLossN"] - c["trainLossN"]) - (c["heldOutLoss0"] - c["trainLoss0"])
        raw.append(generalization / max(overfitting ** 2, 1e-6) if generalization > 0 else 0.0)
    total = sum(raw)
    return [w / total if total > 0 else 1 / len(curves) for w in raw]


def g_blending(names, inputs, labels, split, classes, epochs, seed):
    widths = [x.shape[1] for x in inputs]
    generator = torch.Generator().manual_seed(seed * 7919 + 17)
    order = split["train"][torch.randperm(len(split["train"]), generator=generator)]
    count = min(max(1, round(len(order) * HELD_OUT_SHARE)), len(order) - 1)
    held_out, fit_part = order[:count].sort().values, order[count:].sort().values
    curves = []
    for m in list(range(len(names))) + [None]:
        chosen = [inputs[m]] if m is not None else inputs
        model = Fusion([widths[m]] if m is not None else widths, classes)
        losses = lambda: [evaluate(model, chosen, labels, part)[0] for part in (fit_part, held_out)]
        train0, held0 = losses()
        fit(model, chosen, labels, fit_part, held_out, G_BLEND_EPOCHS, RUN_RECIPE, patience=G_BLEND_EPOCHS, min_epochs=G_BLEND_EPOCHS, keep_last=True)
        trainN, heldN = losses()
        curves.append({"head": names[m] if m is not None else "fused", "trainLoss0": train0, "heldOutLoss0": held0, "trainLossN": trainN, "heldOutLossN": heldN})
    weights = blend_weights(curves)
    for curve, w in zip(curves, weights):
        curve["weight"] = w
    fused_weight, modality_weights = weights[-1], weights[:-1]

    def loss_of(logits, extra, y):
        return fused_weight * nn.functional.cross_entropy(logits, y) + sum(w * nn.functional.cross_entropy(z, y) for w, z in zip(modality_weights, extra))

    model = fit(Fusion(widths, classes, auxiliary=True), inputs, labels, split["train"], split["val"], epochs, RUN_RECIPE, loss_of=loss_of)
    return model, curves


def main():
    folder, seeds = sys.argv[1], int(sys.argv[2])
    epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    started = time.perf_counter()
    names, inputs, labels, split, classes = load(folder)
    widths = [x.shape[1] for x in inputs]
    result = {"lateFusion": {"val": [], "test": []}, "ogmGe": {"val": [], "test": [], "coefficients": []}, "gBlending": {"val": [], "test": [], "heads": []}}
    for seed in range(seeds):
        torch.manual_seed(seed)
        late = fit(Fusion(widths, classes), inputs, labels, split["train"], split["val"], epochs, RUN_RECIPE)
        torch.manual_seed(seed)
        tally = []
        ogm = fit(Fusion(widths, classes), inputs, labels, split["train"], split["val"], epochs, OGM_RECIPE, after_backward=ogm_ge_hook(epochs, tally))
        torch.manual_seed(seed)
        blend, curves = g_blending(names, inputs, labels, split, classes, epochs, seed)
        for key, model in (("lateFusion", late), ("ogmGe", ogm), ("gBlending", blend)):
            result[key]["val"].append(evaluate(model, inputs, labels, split["val"])[1])
            result[key]["test"].append(evaluate(model, inputs, labels, split["test"])[1])
        means = [sum(t[m] for t in tally) / len(tally) for m in range(2)] if tally else [1.0, 1.0]
        result["ogmGe"]["coefficients"].append({name: k for name, k in zip(names, means)} | {"steps": len(tally)})
        result["gBlending"]["heads"].append(curves)
    result["seconds"] = time.perf_counter() - started
    result["torch"] = torch.__version__
    result["threads"] = torch.get_num_threads()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
