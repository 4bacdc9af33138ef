"""Random-weight model directories of other shapes than the shipped models, for end-to-end tests.

    /usr/bin/python3 models/training/model_sets.py        # writes models/model-sets/<name>/

Each set is a model directory in the shipped format (manifest.json and ONNX files, the format of
docs/MODEL_CONTRACT.md), built only from that contract, the way a user brings their own models:

* wide:        the three streams text, audio, image with audio 40-d, image 2048-d, D = 32, K = 5 and a
               hashing vocabulary of 4096; no generator.json (no ground truth: the tools must say that
               accuracy is unavailable).
* two-stream:  text and image only (image 256-d), D = 32, K = 5: an integration model with M = 2.
* five-stream: text, audio (40-d), image (2048-d), depth (16-d), imu (6-d), D = 32, K = 5: M = 5.

The weights are random (fixed seeds); accuracy means nothing for these sets, shapes everything.
"""

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import export  # noqa: E402
import tokenizer  # noqa: E402
from model import Integration  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT = REPO_ROOT / "models" / "model-sets"
VERSION = "0.1.0"
SEED = 21
HIDDEN = 64

# Per set: D, K, vocabulary size, and the streams in the order of the integration slots (None: text).
SETS = {
    "wide": {"dim": 32, "classes": 5, "vocab": 4096,
             "streams": [("text", None), ("audio", 40), ("image", 2048)]},
    "two-stream": {"dim": 32, "classes": 5, "vocab": 4096,
                   "streams": [("text", None), ("image", 256)]},
    "five-stream": {"dim": 32, "classes": 5, "vocab": 4096,
                    "streams": [("text", None), ("audio", 40), ("image", 2048), ("depth", 16), ("imu", 6)]},
}


class TextRouting(nn.Module):
    """Mean of hashed-token embeddings (padding 0 excluded), one hidden layer, embedding and gate."""

    def __init__(self, vocab_size, dim):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.body = nn.Sequential(nn.Linear(dim, HIDDEN), nn.ReLU())
        self.out = nn.Linear(HIDDEN, dim)
        self.gate = nn.Linear(HIDDEN, 1)

    def forward(self, input_ids):
        mask = (input_ids != 0).to(torch.float32)
        summed = (self.embedding(input_ids) * mask.unsqueeze(-1)).sum(dim=1)
        h = self.body(summed / mask.sum(dim=1, keepdim=True).clamp(min=1.0))
        return torch.relu(self.out(h)), self.gate(h).squeeze(-1)


class VectorRouting(nn.Module):
    """One hidden layer from the features to the embedding and the gate."""

    def __init__(self, input_dim, dim):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(input_dim, HIDDEN), nn.ReLU())
        self.out = nn.Linear(HIDDEN, dim)
        self.gate = nn.Linear(HIDDEN, 1)

    def forward(self, features):
        h = self.body(features)
        return torch.relu(self.out(h)), self.gate(h).squeeze(-1)


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def entry(name, role, path, inputs, outputs, **extra):
    return {"name": name, "role": role, **extra, "version": VERSION, "file": path.name,
            "sha256": sha256(path), "opset": export.OPSET, "inputs": inputs, "outputs": outputs}


def write_set(name, spec, out_dir, log):
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(SEED)
    dim, classes, streams = spec["dim"], spec["classes"], spec["streams"]
    routing_out = [export._spec("embedding", "float32", [-1, dim]), export._spec("gate_logit", "float32", [-1])]
    models = []
    for stream, input_dim in streams:
        path = out_dir / f"{stream}_routing.onnx"
        if input_dim is None:
            inputs = [export._spec("input_ids", "int64", [-1, -1])]
            ids = torch.tensor([[5, 17, 300, 0], [9, 0, 0, 0]], dtype=torch.long)
            export._export(TextRouting(spec["vocab"], dim), (ids,), path, inputs, routing_out, log)
            models.append(entry(f"{stream}-routing", "routing", path, inputs, routing_out, modality=stream,
                                input_dim=None, tokenizer=tokenizer.config(vocab_size=spec["vocab"])))
        else:
            inputs = [export._spec("features", "float32", [-1, input_dim])]
            export._export(VectorRouting(input_dim, dim), (torch.randn(2, input_dim),), path, inputs,
                           routing_out, log)
            models.append(entry(f"{stream}-routing", "routing", path, inputs, routing_out, modality=stream,
                                input_dim=input_dim))
    m = len(streams)
    inputs = [export._spec("embeddings", "float32", [-1, m, dim]), export._spec("gates", "float32", [-1, m]),
              export._spec("mask", "float32", [-1, m])]
    outputs = [export._spec("fused", "float32", [-1, dim]), export._spec("weights", "float32", [-1, m]),
               export._spec("scores", "float32", [-1, classes])]
    for mode in Integration.MODES:
        path = out_dir / f"integration_{mode}.onnx"
        example = (torch.rand(2, m, dim), torch.randn(2, m), torch.ones(2, m))
        export._export(Integration(mode, dim=dim, num_classes=classes, hidden=HIDDEN), example, path, inputs,
                       outputs, log)
        models.append(entry(f"integration-{mode}", "integration", path, inputs, outputs, fusion_mode=mode))
    manifest = {"manifest_version": 1, "model_family": f"fusion-test-{name}", "version": VERSION,
                "embedding_dim": dim, "num_classes": classes, "modalities": [s for s, _ in streams],
                "models": models}
    with open(out_dir / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    log(f"{name}: wrote {out_dir}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="parent directory of the model sets")
    parser.add_argument("sets", nargs="*", default=list(SETS), help="which sets (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    for name in args.sets:
        write_set(name, SETS[name], args.out / name, print)


if __name__ == "__main__":
    main()
