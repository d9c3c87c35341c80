#!/usr/bin/python3
"""Regenerates the bundled example (examples/tiny-gpt2): a 2-layer GPT-2-style
decoder in plain torch (seed 0, random weights) exported to ONNX opset 17,
an input and torch's reference output."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "test", "Models"))
from export_models import Gpt2  # noqa: E402


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny-gpt2")
    torch.manual_seed(0)
    model = Gpt2(256, 32, 4, 2, 16).eval()
    ids = torch.randint(0, 256, (1, 16))
    torch.onnx.export(model, (ids,), os.path.join(out, "model.onnx"), opset_version=17,
                      input_names=["input_ids"], output_names=["logits"])
    with torch.no_grad():
        np.save(os.path.join(out, "input_ids.npy"), ids.numpy())
        np.save(os.path.join(out, "reference_logits.npy"), model(ids).numpy())


if __name__ == "__main__":
    main()
