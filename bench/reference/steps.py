"""The PyTorch reference of the step benchmark: the same two shapes as bench/step-shapes.ts, written the way
one would in plain PyTorch (tensors in memory, torch.set_num_threads = cores, Adam, CE + 50 x MSE feature
distillation). Prints one JSON object: {"mlp": ms_per_step, "cnn": ms_per_step, "threads": n, "torch": version}.
`steps.py RUNS STEPS cuda` runs the same steps on the GPU (eager, as written; the loss read at the end of each
run waits for the GPU) and adds "mlp256", the MLP step at batch 256."""
import json
import os
import statistics
import sys
import time

import torch
from torch import nn

BATCH, CLASSES, DISTILL = 64, 10, 50.0
torch.set_num_threads(os.cpu_count() or 1)
torch.manual_seed(1)


def mlp_encoder():
    return nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU())


def cnn_encoder():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 128), nn.ReLU())


class LateFusion(nn.Module):
    def __init__(self, make_encoder, feature_dim):
        super().__init__()
        self.encoders = nn.ModuleList([make_encoder(), make_encoder()])
        self.head = nn.Linear(2 * feature_dim, CLASSES)

    def forward(self, xs):
        features = [encoder(x) for encoder, x in zip(self.encoders, xs)]
        return self.head(torch.cat(features, dim=1)), features


def time_steps(make_encoder, input_shape, feature_dim, runs, steps, device="cpu", batch=BATCH):
    pool = 8 * batch
    data = [(torch.rand(pool, *input_shape) * 2 - 1).to(device) for _ in range(2)]
    teachers = [torch.rand(pool, feature_dim).to(device) for _ in range(2)]
    labels = (torch.arange(pool) % CLASSES).to(device)
    model = LateFusion(make_encoder, feature_dim).to(device)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    cross_entropy, mse = nn.CrossEntropyLoss(), nn.MSELoss()
    cursor = 0

    def step(count):
        nonlocal cursor
        for _ in range(count):
            index = ((torch.arange(batch) + cursor) % pool).to(device)
            cursor = (cursor + batch) % pool
            logits, features = model([d[index] for d in data])
            loss = cross_entropy(logits, labels[index]) + DISTILL * sum(mse(f, t[index]) for f, t in zip(features, teachers))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss.item()

    step(max(3, steps // 4))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step(steps)
        times.append((time.perf_counter() - started) * 1000 / steps)
    return statistics.median(times)


if __name__ == "__main__":
    runs, steps = int(sys.argv[1]), int(sys.argv[2])
    device = sys.argv[3] if len(sys.argv) > 3 else "cpu"
    result = {
        "mlp": time_steps(mlp_encoder, (256,), 256, runs, steps, device),
        "cnn": time_steps(cnn_encoder, (1, 32, 32), 128, runs, steps, device),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }
    if device == "cuda":
        result["mlp256"] = time_steps(mlp_encoder, (256,), 256, runs, steps, device, 256)
        result["gpu"] = torch.cuda.get_device_name(0)
    print(json.dumps(result))
