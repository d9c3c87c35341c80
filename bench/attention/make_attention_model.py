#!/usr/bin/python3
"""Exports one multi-head self-attention layer (12 heads, head dim 64, no
projections: inputs q, k, v of shape [1, S, 768]) from plain torch at
opset 17, the way BERT-style code writes it (view/transpose head split,
Q K^T / sqrt(d), softmax, times V, transpose/reshape merge), plus random
inputs (fixed seed).

Usage: make_attention_model.py OUT_DIR S
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

HEADS, DIM = 12, 64


class Attention(nn.Module):
    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, HEADS, DIM).transpose(1, 2)

    def forward(self, q, k, v):
        q, k, v = self.split(q), self.split(k), self.split(v)
        p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(DIM), dim=-1)
        out = (p @ v).transpose(1, 2).contiguous()
        return out.view(out.shape[0], out.shape[1], HEADS * DIM)


def main():
    out_dir, s = sys.argv[1], int(sys.argv[2])
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    args = tuple(torch.randn(1, s, HEADS * DIM) for _ in range(3))
    torch.onnx.export(Attention().eval(), args, os.path.join(out_dir, "attention.onnx"),
                      opset_version=17, input_names=["q", "k", "v"], output_names=["out"])
    for name, a in zip("qkv", args):
        np.save(os.path.join(out_dir, name + ".npy"), a.numpy())
    return 0


if __name__ == "__main__":
    sys.exit(main())
