"""The audio half of dataset preparation in plain numpy, for `npm run bench`'s preparation row.

Reads every .wav of a folder (16-bit PCM), takes the same log-mel spectrogram as the engine
(engine/data/audio/log-mel.ts: Hann window of 64 ms zero-padded to a 1024-point FFT, 32 ms hop, magnitude,
64 Slaney mel bands, log(mel + 1e-6)) and prints {"clips", "seconds"} as JSON. One core, no caching.
With `resample` (clips at another rate, any channels): the channels averaged, then scipy's resample_poly to
16 kHz with the filter the engine designs (engine/data/audio/resample.ts: Kaiser-windowed sinc, 70 dB, stop band
from the lower Nyquist, pass band to 90% of it), then the same spectrogram.
Usage: python3 prepare.py AUDIO_FOLDER [resample]
"""
import json
import os
import sys
import time
import wave

# One core, as the task's numbers assume (NumPy's BLAS would otherwise use every core for the mel product).
for variable in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(variable, '1')

import numpy as np  # noqa: E402  (after the thread settings, which numpy reads on import)


def hz_to_mel(hz):
    hz = np.asarray(hz, dtype=np.float64)
    linear_step, min_log_hz = 200.0 / 3, 1000.0
    log_step = np.log(6.4) / 27
    return np.where(hz < min_log_hz, hz / linear_step, min_log_hz / linear_step + np.log(np.maximum(hz, 1e-9) / min_log_hz) / log_step)


def mel_to_hz(mel):
    mel = np.asarray(mel, dtype=np.float64)
    linear_step, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, log_step = min_log_hz / linear_step, np.log(6.4) / 27
    return np.where(mel < min_log_mel, mel * linear_step, min_log_hz * np.exp(log_step * (mel - min_log_mel)))


def mel_filterbank(rate=16000, n_fft=1024, bands=64):
    edges = mel_to_hz(np.linspace(0, hz_to_mel(rate / 2), bands + 2))
    bins = np.arange(n_fft // 2 + 1) * rate / n_fft
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    weights = np.maximum(0, np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid)))
    return (weights * (2 / (hi - lo))).astype(np.float32)


def design(up, down, stop_db=70.0, pass_share=0.9):
    from scipy.signal import firwin
    nyquist = 1 / max(up, down)
    half = int(np.ceil((stop_db - 7.95) / (2.285 * np.pi * (1 - pass_share) * nyquist) / 2))
    return firwin(2 * half + 1, (1 + pass_share) / 2 * nyquist, window=('kaiser', 0.1102 * (stop_db - 8.7)))


def main():
    folder = sys.argv[1]
    resampling = len(sys.argv) > 2 and sys.argv[2] == 'resample'
    filters_by_rate = {}
    files = sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith('.wav'))
    rate, n_fft, window, hop = 16000, 1024, 1024, 512
    filters = mel_filterbank(rate, n_fft, 64)
    hann = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(window) / window)).astype(np.float32)
    started = time.perf_counter()
    for path in files:
        with wave.open(path, 'rb') as clip:
            channels, clip_rate = clip.getnchannels(), clip.getframerate()
            samples = np.frombuffer(clip.readframes(clip.getnframes()), dtype='<i2').astype(np.float32)
        samples = np.where(samples > 0, samples / 32767, samples / 32768)
        if resampling:
            from math import gcd
            from scipy.signal import resample_poly
            samples = samples.reshape(-1, channels).mean(axis=1)
            divisor = gcd(clip_rate, rate)
            up, down = rate // divisor, clip_rate // divisor
            if (up, down) not in filters_by_rate:
                filters_by_rate[(up, down)] = design(up, down)
            samples = resample_poly(samples, up, down, window=filters_by_rate[(up, down)]).astype(np.float32)
        frames = 1 + max(0, (len(samples) - window) // hop)
        index = np.arange(window)[None, :] + hop * np.arange(frames)[:, None]
        framed = np.pad(samples, (0, max(0, window - len(samples))))[index] * hann
        magnitude = np.abs(np.fft.rfft(framed, n=n_fft, axis=1)).astype(np.float32)
        np.log(magnitude @ filters.T + 1e-6)
    print(json.dumps({'clips': len(files), 'seconds': time.perf_counter() - started}))


if __name__ == '__main__':
    main()
