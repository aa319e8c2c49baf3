"""The PyTorch reference of the whole method, for the pipeline benchmark: the recipe Modality Studio runs
(paper 3.3, 4.2, A.2, A.4), written the straightforward way, with the engine's architecture and settings.

  teachers (one CNN per modality) -> decision trick (linear classifier on the frozen teachers' features vs
  the average of their predictions, on val) -> late fusion (the baseline) and UMT (CE + 50 x feature MSE)
  when chosen -> laziness probes (a linear classifier on each encoder) -> test accuracies.

Reads a folder with manifest.csv (id,label,split,left,right; PNG files), as the benchmark writes it.
Prints one JSON object. Usage: pipeline.py DIR EPOCHS TEACHER_EPOCHS PROBE_EPOCHS"""
import csv
import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image
from torch import nn

STARTED = time.perf_counter()
torch.set_num_threads(os.cpu_count() or 1)
torch.manual_seed(0)
np.random.seed(0)
BATCH, LR, DISTILL, PATIENCE, LINEAR_RATE = 64, 1e-3, 50.0, 5, 10


def load(folder):
    with open(os.path.join(folder, "manifest.csv")) as f:
        rows = list(csv.DictReader(f))
    classes = sorted({r["label"] for r in rows})
    def image(path):
        return np.asarray(Image.open(os.path.join(folder, path)), dtype=np.float32)[None] / 255.0
    left = torch.tensor(np.stack([image(r["left"]) for r in rows]))
    right = torch.tensor(np.stack([image(r["right"]) for r in rows]))
    labels = torch.tensor([classes.index(r["label"]) for r in rows])
    split = {s: torch.tensor([i for i, r in enumerate(rows) if r["split"] == s]) for s in ("train", "val", "test")}
    return [left, right], labels, split, len(classes)


def encoder():
    # conv3x3-BN-ReLU, 2x2 max-pool, conv3x3-BN-ReLU, global average pooling, dense 128 + ReLU; BN momentum
    # 0.1 and eps 1e-3 (tfjs's), He-normal weights: as the engine's encoder (engine/train/models/networks.ts),
    # except that tfjs truncates its He-normal at two sd and kaiming_normal_ does not (bench/reference/comparators.py
    # truncates, as tfjs does).
    layers = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32, eps=1e-3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64, eps=1e-3), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 128), nn.ReLU())
    for m in layers:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return layers


def head(inputs, classes):
    layer = nn.Linear(inputs, classes)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class Teacher(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.encoder, self.head = encoder(), head(128, classes)

    def forward(self, xs):
        f = self.encoder(xs[0])
        return self.head(f), [f]


class Fusion(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.encoders = nn.ModuleList([encoder(), encoder()])
        self.head = head(256, classes)

    def forward(self, xs):
        fs = [e(x) for e, x in zip(self.encoders, xs)]
        return self.head(torch.cat(fs, 1)), fs


class Linear(nn.Module):
    def __init__(self, inputs, classes):
        super().__init__()
        self.head = head(inputs, classes)

    def forward(self, xs):
        return self.head(xs[0]), []


def evaluate(model, inputs, labels, index):
    model.eval()
    with torch.no_grad():
        losses, hits = 0.0, 0
        for start in range(0, len(index), BATCH):
            b = index[start:start + BATCH]
            logits, _ = model([x[b] for x in inputs])
            losses += nn.functional.cross_entropy(logits, labels[b], reduction="sum").item()
            hits += (logits.argmax(1) == labels[b]).sum().item()
    return losses / len(index), hits / len(index)


def train(model, inputs, labels, split, epochs, lr, schedule=True, targets=None):
    """Adam, shuffled batches, plateau schedule (patience 1, x0.1), early stopping on val accuracy that keeps
    the best weights: the engine's loop (engine/train/fit.ts). `targets`: teacher features for UMT."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.1, patience=1) if schedule else None
    best, best_epoch, best_state = -1.0, 0, None
    train = split["train"]
    for epoch in range(1, epochs + 1):
        model.train()
        order = train[torch.randperm(len(train))]
        for start in range(0, len(order), BATCH):
            b = order[start:start + BATCH]
            logits, features = model([x[b] for x in inputs])
            loss = nn.functional.cross_entropy(logits, labels[b])
            if targets is not None:
                loss = loss + DISTILL * sum(nn.functional.mse_loss(f, t[b]) for f, t in zip(features, targets))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        val_loss, val_accuracy = evaluate(model, inputs, labels, split["val"])
        if val_accuracy > best:
            best, best_epoch, best_state = val_accuracy, epoch, {k: v.clone() for k, v in model.state_dict().items()}
        elif epoch - best_epoch >= PATIENCE:
            break
        if plateau:
            plateau.step(val_loss)
    model.load_state_dict(best_state)
    return model


def outputs(model, inputs, count):
    model.eval()
    with torch.no_grad():
        parts = [model([x[start:start + 256] for x in inputs]) for start in range(0, count, 256)]
    probabilities = torch.cat([torch.softmax(p[0], 1) for p in parts])
    features = [torch.cat([p[1][m] for p in parts]) for m in range(len(parts[0][1]))]
    return probabilities, features


def accuracy(probabilities, labels, index):
    return (probabilities[index].argmax(1) == labels[index]).float().mean().item()


def probe(features, labels, split, classes, epochs):
    model = train(Linear(features.shape[1], classes), [features], labels, split, epochs, LR * LINEAR_RATE, schedule=False)
    return accuracy(outputs(model, [features], len(labels))[0], labels, split["test"])


def main():
    folder, epochs, teacher_epochs, probe_epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    inputs, labels, split, classes = load(folder)
    count = len(labels)
    teachers = [train(Teacher(classes), [x], labels, split, teacher_epochs, LR) for x in inputs]
    teacher_out = [outputs(t, [x], count) for t, x in zip(teachers, inputs)]
    teacher_features = [f[0] for _, f in teacher_out]
    # The decision trick (paper 4.2): joint linear classifier vs averaged teacher predictions, on val.
    joined = torch.cat(teacher_features, 1)
    classifier = train(Linear(joined.shape[1], classes), [joined], labels, split, probe_epochs, LR * LINEAR_RATE, schedule=False)
    classifier_correct = (outputs(classifier, [joined], count)[0][split["val"]].argmax(1) == labels[split["val"]]).float()
    averaged = sum(p for p, _ in teacher_out) / len(teacher_out)
    averaged_correct = (averaged[split["val"]].argmax(1) == labels[split["val"]]).float()
    resampled = torch.randint(0, len(split["val"]), (1000, len(split["val"])))
    differences = (classifier_correct[resampled] - averaged_correct[resampled]).mean(1).sort().values
    method = "umt" if classifier_correct.mean() > averaged_correct.mean() else "ume"
    late_fusion = train(Fusion(classes), inputs, labels, split, epochs, LR)
    umt = train(Fusion(classes), inputs, labels, split, epochs, LR, targets=teacher_features) if method == "umt" else None
    # Laziness probes: a linear classifier on each frozen encoder (teacher, late fusion, UMT).
    fused = [("lateFusion", late_fusion)] + ([("umt", umt)] if umt else [])
    laziness = {m: {"teacher": probe(teacher_features[m], labels, split, classes, probe_epochs)} for m in range(2)}
    fused_out = {name: outputs(model, inputs, count) for name, model in fused}
    for name, (_, features) in fused_out.items():
        for m in range(2):
            laziness[m][name] = probe(features[m], labels, split, classes, probe_epochs)
    test = split["test"]
    result = {
        "teachers": [accuracy(p, labels, test) for p, _ in teacher_out],
        "ume": accuracy(averaged, labels, test),
        "lateFusion": accuracy(fused_out["lateFusion"][0], labels, test),
        "method": method,
        "interval": [differences[25].item(), differences[974].item()],
    }
    if umt:
        result["umt"] = accuracy(fused_out["umt"][0], labels, test)
    result["final"] = result["umt"] if umt else result["ume"]
    result["laziness"] = laziness
    result["seconds"] = time.perf_counter() - STARTED
    result["threads"] = torch.get_num_threads()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
