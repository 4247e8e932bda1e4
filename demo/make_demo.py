"""Writes the demo workspace's arrays with NumPy (run: /usr/bin/python3 demo/make_demo.py)."""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2026)

# A 96x64 weight matrix: rank-8 signal plus small noise, stored as float32.
u = rng.standard_normal((96, 8))
v = rng.standard_normal((8, 64))
w = (u @ v / 8 + 0.01 * rng.standard_normal((96, 64))).astype(np.float32)
np.save(os.path.join(here, "weights.npy"), w)

# An N-D activation tensor: batch 2, 4 channels, 24x24 maps with a few NaNs.
x = np.sin(np.linspace(0, 6, 24))[None, None, :, None] * np.cos(np.linspace(0, 4, 24))[None, None, None, :]
act = (x * rng.uniform(0.5, 2.0, (2, 4, 1, 1)) + 0.05 * rng.standard_normal((2, 4, 24, 24))).astype(np.float32)
act[1, 2, 3, 5] = np.nan
np.save(os.path.join(here, "activations.npy"), act)

# Causal attention weights [heads=4, T=16, T=16]: each row a softmax over the visible tokens.
T, H = 16, 4
scores = rng.standard_normal((H, T, T)) * 2
scores = np.where(np.tril(np.ones((T, T), bool)), scores, -np.inf)
attn = np.exp(scores - scores.max(-1, keepdims=True))
attn /= attn.sum(-1, keepdims=True)
np.save(os.path.join(here, "attention.npy"), attn.astype(np.float32))
