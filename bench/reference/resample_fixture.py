"""Writes engine/data/audio/resample-fixture.json: two 44.1 kHz test signals (a sine sweep from 20 Hz to 7 kHz and
seeded white noise, 50 ms each) and scipy's resample_poly of each to 16 kHz with the filter Modality Studio's
resampler designs (engine/data/audio/resample.ts), designed here independently with scipy.signal.firwin: a
Kaiser-windowed sinc, beta = 0.1102 * (70 - 8.7), stop band from the lower Nyquist, pass band to 90% of it,
cut-off between, length from Kaiser's formula. Run once (python3 bench/reference/resample_fixture.py); the test
engine/data/audio/resample.test.ts compares our output with these to >= 60 dB SNR.
Needs Debian's python3-scipy."""
import base64
import json
import math
import os

import numpy as np
import scipy
from scipy.signal import firwin, resample_poly

RATE, TARGET, SECONDS = 44_100, 16_000, 0.05
UP, DOWN = 160, 441
STOP_DB, PASS_SHARE = 70.0, 0.9


def design(up, down):
    nyquist = 1 / max(up, down)
    stop, passband = nyquist, PASS_SHARE * nyquist
    half = math.ceil((STOP_DB - 7.95) / (2.285 * math.pi * (stop - passband)) / 2)
    beta = 0.1102 * (STOP_DB - 8.7)
    return firwin(2 * half + 1, (passband + stop) / 2, window=("kaiser", beta))


def encode(values):
    return base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")


t = np.arange(int(RATE * SECONDS)) / RATE
# Linear sweep 20 Hz -> 7 kHz: phase 2*pi*(f0*t + (f1 - f0) * t^2 / (2 * T)).
sweep = 0.5 * np.sin(2 * np.pi * (20 * t + (7000 - 20) * t ** 2 / (2 * SECONDS)))
noise = np.random.RandomState(0).uniform(-0.5, 0.5, len(t))
h = design(UP, DOWN)
signals = {}
for name, x in (("sweep", sweep), ("noise", noise)):
    x = x.astype(np.float32).astype(np.float64)
    signals[name] = {"input": encode(x), "output": encode(resample_poly(x, UP, DOWN, window=h))}
out = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "data", "audio", "resample-fixture.json")
with open(out, "w") as f:
    json.dump({"rate": RATE, "target": TARGET, "taps": len(h), "scipy": scipy.__version__, "signals": signals}, f)
    f.write("\n")
print(f"wrote {out}: {len(h)} taps")
