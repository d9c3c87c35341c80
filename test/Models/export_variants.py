#!/usr/bin/python3
"""Exports transformer layers spelled differently from export_models.py, to
check that --tfc-optimize recognises them however the exporter wrote them
(fixed seed, random weights, opset 17), with torch's outputs as references:

  encoder  torch's nn.TransformerEncoder (post-norm, erf GELU, padding mask
           as a bool key_padding_mask); rank-3 [B*H, S, D] batched products
  mha      nn.MultiheadAttention alone, sequence-first, scale applied to Q
  llama    a Llama-style decoder block: RMSNorm, rotary embeddings on Q and K,
           causal mask built with triu, SiLU-gated feed-forward
  llama-positions
           the same block with its rotary tables computed in the graph from
           a position_ids input (Cast, Mul, Concat, Cos, Sin), as Hugging
           Face's Llama does since transformers 4.38
  t5       attention without 1/sqrt(d) and with an additive relative-position
           bias of small values (a mask that must not be rescaled)

Usage: export_variants.py OUT_DIR
Writes NAME.onnx, NAME.<input>.npy and NAME.<output>.npy.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0,
                                           activation="gelu", batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)

    def forward(self, x, pad):
        return self.enc(x, src_key_padding_mask=pad)


class Mha(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(64, 4, dropout=0.0)

    def forward(self, x):
        return self.mha(x, x, x, need_weights=False)[0]


class RmsNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(1 + 0.1 * torch.randn(dim))
        self.eps = eps

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class LlamaBlock(nn.Module):
    def __init__(self, hidden=64, heads=4, ffn=160, seq=24):
        super().__init__()
        self.heads, self.dim = heads, hidden // heads
        self.q = nn.Linear(hidden, hidden, bias=False)
        self.k = nn.Linear(hidden, hidden, bias=False)
        self.v = nn.Linear(hidden, hidden, bias=False)
        self.o = nn.Linear(hidden, hidden, bias=False)
        self.gate = nn.Linear(hidden, ffn, bias=False)
        self.up = nn.Linear(hidden, ffn, bias=False)
        self.down = nn.Linear(ffn, hidden, bias=False)
        self.n1, self.n2 = RmsNorm(hidden), RmsNorm(hidden)
        inv = 1.0 / (10000 ** (torch.arange(0, self.dim, 2).float() / self.dim))
        self.register_buffer("inv_freq", inv)
        freqs = torch.outer(torch.arange(seq).float(), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos", emb.cos())
        self.register_buffer("sin", emb.sin())

    def attn(self, x, cos=None, sin=None):
        b, s, _ = x.shape
        q = self.q(x).view(b, s, self.heads, self.dim).transpose(1, 2)
        k = self.k(x).view(b, s, self.heads, self.dim).transpose(1, 2)
        v = self.v(x).view(b, s, self.heads, self.dim).transpose(1, 2)
        if cos is None:
            cos, sin = self.cos[:s], self.sin[:s]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        w = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.dim)
        mask = torch.full((s, s), float("-inf")).triu(1)
        w = F.softmax(w + mask, dim=-1)
        out = torch.matmul(w, v).transpose(1, 2).reshape(b, s, -1)
        return self.o(out)

    def forward(self, x):
        h = x + self.attn(self.n1(x))
        y = self.n2(h)
        return h + self.down(F.silu(self.gate(y)) * self.up(y))


class LlamaPositionsBlock(LlamaBlock):
    """The rotary tables from position_ids at run time, not from buffers."""

    def forward(self, x, position_ids):
        freqs = position_ids[0].float()[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        h = x + self.attn(self.n1(x), emb.cos(), emb.sin())
        y = self.n2(h)
        return h + self.down(F.silu(self.gate(y)) * self.up(y))


class T5Attention(nn.Module):
    def __init__(self, hidden=64, heads=4, seq=20):
        super().__init__()
        self.heads, self.dim = heads, hidden // heads
        self.qkv = nn.Linear(hidden, 3 * hidden, bias=False)
        self.o = nn.Linear(hidden, hidden, bias=False)
        self.bias = nn.Parameter(0.5 * torch.randn(1, heads, seq, seq))

    def forward(self, x):
        b, s, _ = x.shape
        q, k, v = self.qkv(x).split(self.heads * self.dim, dim=-1)
        q, k, v = (t.view(b, s, self.heads, self.dim).transpose(1, 2) for t in (q, k, v))
        w = torch.matmul(q, k.transpose(3, 2)) + self.bias
        out = torch.matmul(F.softmax(w, dim=-1), v)
        return self.o(out.transpose(1, 2).reshape(b, s, -1))


def export(out_dir, name, model, inputs, input_names, output_names):
    model.eval()
    path = os.path.join(out_dir, name + ".onnx")
    torch.onnx.export(model, inputs, path, opset_version=17,
                      input_names=input_names, output_names=output_names,
                      do_constant_folding=True)
    with torch.no_grad():
        outs = model(*inputs)
    if not isinstance(outs, tuple):
        outs = (outs,)
    for n, a in zip(input_names, inputs):
        np.save(os.path.join(out_dir, "%s.%s.npy" % (name, n)), a.numpy())
    for n, a in zip(output_names, outs):
        np.save(os.path.join(out_dir, "%s.%s.npy" % (name, n)), a.numpy())


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    pad = torch.zeros(2, 12, dtype=torch.bool)
    pad[1, 8:] = True
    export(out_dir, "encoder", Encoder(), (torch.randn(2, 12, 64), pad),
           ["x", "pad"], ["y"])
    export(out_dir, "mha", Mha(), (torch.randn(10, 2, 64),), ["x"], ["y"])
    export(out_dir, "llama", LlamaBlock(), (torch.randn(1, 24, 64),), ["x"], ["y"])
    # Positions 100..123: a later chunk of a sequence, angles up to 123 rad.
    export(out_dir, "llama-positions", LlamaPositionsBlock(),
           (torch.randn(1, 24, 64), torch.arange(100, 124).unsqueeze(0)),
           ["x", "position_ids"], ["y"])
    export(out_dir, "t5", T5Attention(), (torch.randn(2, 20, 64),), ["x"], ["y"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
