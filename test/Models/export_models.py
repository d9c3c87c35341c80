#!/usr/bin/python3
"""Builds small transformer models in plain torch (fixed seed, random
weights), exports them to ONNX at opset 17 and writes inputs and torch's
reference outputs as .npy files.

Models: bert (encoder with an additive attention mask, dynamic batch and
sequence axes, exported once and checked at two sequence lengths), gpt2
(decoder with a causal mask and tanh-GELU) and vit (conv patch embedding, CLS
token). Sizes are small by default; --large gives bigger (opt-in) variants.

Usage: export_models.py OUT_DIR [--large]
"""
import argparse
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn


class SelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads, self.dim = heads, hidden // heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.o = nn.Linear(hidden, hidden)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.dim).transpose(1, 2)

    def forward(self, x, bias=None):
        q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.dim)
        if bias is not None:
            scores = scores + bias
        p = torch.softmax(scores, dim=-1)
        out = (p @ v).transpose(1, 2).contiguous()
        b, s = out.shape[0], out.shape[1]
        return self.o(out.view(b, s, self.heads * self.dim))


class Block(nn.Module):
    """Post-norm (BERT) or pre-norm (GPT-2, ViT) encoder block."""

    def __init__(self, hidden, heads, pre_norm, gelu):
        super().__init__()
        self.attn = SelfAttention(hidden, heads)
        self.ln1, self.ln2 = nn.LayerNorm(hidden), nn.LayerNorm(hidden)
        self.ff = nn.Sequential(nn.Linear(hidden, 4 * hidden), nn.GELU(approximate=gelu),
                                nn.Linear(4 * hidden, hidden))
        self.pre_norm = pre_norm

    def forward(self, x, bias=None):
        if self.pre_norm:
            x = x + self.attn(self.ln1(x), bias)
            return x + self.ff(self.ln2(x))
        x = self.ln1(x + self.attn(x, bias))
        return self.ln2(x + self.ff(x))


class Bert(nn.Module):
    def __init__(self, vocab, hidden, heads, layers, max_len):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_len, hidden)
        self.ln = nn.LayerNorm(hidden)
        self.blocks = nn.ModuleList(Block(hidden, heads, False, "none") for _ in range(layers))
        self.pool = nn.Linear(hidden, hidden)

    def forward(self, ids, mask):
        s = ids.shape[1]
        pos = torch.arange(s, dtype=torch.long).unsqueeze(0)
        x = self.ln(self.tok(ids) + self.pos(pos))
        bias = (1.0 - mask[:, None, None, :].to(torch.float32)) * -10000.0
        for blk in self.blocks:
            x = blk(x, bias)
        return x, torch.tanh(self.pool(x[:, 0]))


class Gpt2(nn.Module):
    def __init__(self, vocab, hidden, heads, layers, seq):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(seq, hidden)
        self.blocks = nn.ModuleList(Block(hidden, heads, True, "tanh") for _ in range(layers))
        self.ln = nn.LayerNorm(hidden)
        self.head = nn.Linear(hidden, vocab, bias=False)
        self.head.weight = self.tok.weight  # tied, as in GPT-2
        causal = torch.tril(torch.ones(seq, seq, dtype=torch.bool))
        self.register_buffer("causal", causal)

    def forward(self, ids):
        s = ids.shape[1]
        x = self.tok(ids) + self.pos(torch.arange(s).unsqueeze(0))
        bias = torch.zeros(s, s).masked_fill(~self.causal[:s, :s], float("-inf"))
        for blk in self.blocks:
            x = blk(x, bias)
        return self.head(self.ln(x))


class Vit(nn.Module):
    def __init__(self, image, patch, hidden, heads, layers, classes):
        super().__init__()
        n = (image // patch) ** 2
        self.embed = nn.Conv2d(3, hidden, patch, stride=patch)
        self.cls = nn.Parameter(torch.randn(1, 1, hidden) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, n + 1, hidden) * 0.02)
        self.blocks = nn.ModuleList(Block(hidden, heads, True, "none") for _ in range(layers))
        self.ln = nn.LayerNorm(hidden)
        self.head = nn.Linear(hidden, classes)

    def forward(self, pixels):
        x = self.embed(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.ln(x)[:, 0])


def export(model, args, names, outputs, path, dynamic=None):
    torch.onnx.export(model, args, path, opset_version=17, input_names=names,
                      output_names=outputs, dynamic_axes=dynamic,
                      do_constant_folding=True)


def save(out_dir, tag, names, arrays):
    for n, a in zip(names, arrays):
        np.save(os.path.join(out_dir, "%s.%s.npy" % (tag, n)), a)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out_dir")
    p.add_argument("--large", action="store_true")
    args = p.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.manual_seed(0)
    big = args.large
    hidden, heads, layers = (256, 4, 4) if big else (64, 4, 2)

    bert = Bert(1000, hidden, heads, layers, 128).eval()
    export(bert, (torch.zeros(1, 8, dtype=torch.long), torch.ones(1, 8, dtype=torch.long)),
           ["input_ids", "attention_mask"], ["hidden", "pooled"],
           os.path.join(args.out_dir, "bert.onnx"),
           {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "hidden": {0: "batch", 1: "seq"}, "pooled": {0: "batch"}})
    for seq in (16, 40):
        ids = torch.randint(0, 1000, (2, seq))
        mask = torch.ones(2, seq, dtype=torch.long)
        mask[1, seq // 2:] = 0
        with torch.no_grad():
            h, pooled = bert(ids, mask)
        tag = "bert.s%d" % seq
        save(args.out_dir, tag, ["input_ids", "attention_mask", "hidden", "pooled"],
             [ids.numpy(), mask.numpy(), h.numpy(), pooled.numpy()])

    seq = 32
    gpt = Gpt2(1000, hidden, heads, layers, seq).eval()
    ids = torch.randint(0, 1000, (1, seq))
    export(gpt, (ids,), ["input_ids"], ["logits"], os.path.join(args.out_dir, "gpt2.onnx"))
    with torch.no_grad():
        save(args.out_dir, "gpt2", ["input_ids", "logits"], [ids.numpy(), gpt(ids).numpy()])

    image, patch = (64, 16) if big else (32, 8)
    vit = Vit(image, patch, hidden, heads, layers, 10).eval()
    pixels = torch.randn(1, 3, image, image)
    export(vit, (pixels,), ["pixels"], ["logits"], os.path.join(args.out_dir, "vit.onnx"))
    with torch.no_grad():
        save(args.out_dir, "vit", ["pixels", "logits"], [pixels.numpy(), vit(pixels).numpy()])
    return 0


if __name__ == "__main__":
    sys.exit(main())
