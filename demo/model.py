"""Hover a name to see its inferred shape; line 18 has a shape bug Matrix Lens flags."""
import numpy as np
import torch
from torch import nn

B, T, C = 8, 16, 64
H = 4
x = torch.randn(B, T, C)
qkv = nn.Linear(C, 3 * C)(x)
q, k, v = qkv.split(C, dim=-1)
q = q.view(B, T, H, C // H).transpose(1, 2)
k = k.view(B, T, H, C // H).transpose(1, 2)
att = (q @ k.transpose(-2, -1)) / (C // H) ** 0.5
att = att.softmax(dim=-1)
y = att @ v.view(B, T, H, C // H).transpose(1, 2)

W = np.random.randn(C, 10)
logits = np.zeros((B, C + 1)) @ W
