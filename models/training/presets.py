"""Untrained routing models of three sizes, for the benchmarks' model-size scaling (issue #6).

    /usr/bin/python3 models/training/presets.py            # writes benchmarks/models/{small,medium,large}/

Each preset is a model directory like models/artifacts/: manifest.json (the same format, so the Java
runtime validates it exactly as it validates the shipped models), three routing models with the
contract's inputs and outputs (text: hashed token ids, same tokenizer and vocabulary; audio: 128
features; image: 512 features; each to a 64-wide embedding and a gate logit), and the shipped
integration models, copied. The weights are random (fixed seeds): accuracy is irrelevant to what these
measure, which is how the pipeline's cost grows with the routing layers' work.

* small:  the shipped architecture (text MLP 64-128-128-64, feature MLPs d-256-128-64);
* medium: every hidden layer twice as wide;
* large:  every hidden layer four times as wide.

The text embedding table (16384 x 64, most of each text model's bytes) is drawn from the same seed in
every preset, so the three files share those bytes.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import export  # noqa: E402
import tokenizer  # noqa: E402
from model import EMBEDDING_DIM  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "models" / "artifacts"
OUT = REPO_ROOT / "benchmarks" / "models"
VERSION = "0.1.0"
FEATURE_DIMS = {"audio": 128, "image": 512}
# Hidden widths per preset: text MLP, then the audio/image MLPs.
PRESETS = {
    "small": {"text": [128, 128], "features": [256, 128]},
    "medium": {"text": [256, 256], "features": [512, 256]},
    "large": {"text": [512, 512], "features": [1024, 512]},
}
TABLE_SEED = 11
MLP_SEED = 12


def mlp(widths):
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers)


class TextRouting(nn.Module):
    """As model.TextRouting (mean of hashed-token embeddings, LayerNorm, MLP), any hidden widths."""

    def __init__(self, hidden, vocab_size=tokenizer.DEFAULT_VOCAB_SIZE, dim=EMBEDDING_DIM):
        super().__init__()
        torch.manual_seed(TABLE_SEED)
        self.embedding = nn.Embedding(vocab_size, dim, padding_idx=0)
        nn.init.normal_(self.embedding.weight, std=0.1)
        with torch.no_grad():
            self.embedding.weight[0].zero_()
        torch.manual_seed(MLP_SEED)
        self.norm = nn.LayerNorm(dim)
        self.body = mlp([dim] + hidden)
        self.out = nn.Linear(hidden[-1], dim)
        self.gate = nn.Linear(hidden[-1], 1)

    def forward(self, input_ids):
        mask = (input_ids != 0).to(torch.float32)
        summed = (self.embedding(input_ids) * mask.unsqueeze(-1)).sum(dim=1)
        count = mask.sum(dim=1, keepdim=True).clamp(min=1.0)
        h = self.body(self.norm(summed / count))
        return torch.relu(self.out(h)), self.gate(h).squeeze(-1)


class VectorRouting(nn.Module):
    """As model.VectorRouting (fixed standardization, MLP), any hidden widths; identity standardization."""

    def __init__(self, input_dim, hidden, dim=EMBEDDING_DIM):
        super().__init__()
        torch.manual_seed(MLP_SEED + input_dim)
        self.register_buffer("mean", torch.zeros(input_dim))
        self.register_buffer("inv_std", torch.ones(input_dim))
        self.body = mlp([input_dim] + hidden)
        self.out = nn.Linear(hidden[-1], dim)
        self.gate = nn.Linear(hidden[-1], 1)

    def forward(self, features):
        h = self.body((features - self.mean) * self.inv_std)
        return torch.relu(self.out(h)), self.gate(h).squeeze(-1)


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_preset(name, widths, out_dir, log):
    out_dir.mkdir(parents=True, exist_ok=True)
    routing_out = [export._spec("embedding", "float32", [-1, EMBEDDING_DIM]),
                   export._spec("gate_logit", "float32", [-1])]
    entries = []
    text = TextRouting(widths["text"])
    ids = torch.tensor([[5, 17, 300, 0], [9, 0, 0, 0]], dtype=torch.long)
    text_inputs = [export._spec("input_ids", "int64", [-1, -1])]
    path = out_dir / "text_routing.onnx"
    export._export(text, (ids,), path, text_inputs, routing_out, log)
    entries.append({
        "name": "text-routing", "role": "routing", "modality": "text", "version": VERSION, "file": path.name,
        "sha256": sha256(path), "opset": export.OPSET, "inputs": text_inputs, "outputs": routing_out,
        "input_dim": None, "tokenizer": tokenizer.config(),
    })
    for m, d in FEATURE_DIMS.items():
        router = VectorRouting(d, widths["features"])
        inputs = [export._spec("features", "float32", [-1, d])]
        path = out_dir / f"{m}_routing.onnx"
        export._export(router, (torch.randn(2, d),), path, inputs, routing_out, log)
        entries.append({
            "name": f"{m}-routing", "role": "routing", "modality": m, "version": VERSION, "file": path.name,
            "sha256": sha256(path), "opset": export.OPSET, "inputs": inputs, "outputs": routing_out,
            "input_dim": d,
        })
    shipped = json.loads((ARTIFACTS / "manifest.json").read_text(encoding="utf-8"))
    for entry in shipped["models"]:
        if entry["role"] == "integration":
            shutil.copyfile(ARTIFACTS / entry["file"], out_dir / entry["file"])
            entries.append(entry)
    manifest = {
        "manifest_version": 1,
        "model_family": f"fusion-routing-bench-{name}",
        "version": VERSION,
        "embedding_dim": EMBEDDING_DIM,
        "num_classes": shipped["num_classes"],
        "modalities": shipped["modalities"],
        "models": entries,
    }
    with open(out_dir / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    log(f"{name}: wrote {out_dir}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="parent directory of the preset directories")
    args = parser.parse_args()
    torch.set_num_threads(2)
    for name, widths in PRESETS.items():
        write_preset(name, widths, args.out / name, print)


if __name__ == "__main__":
    main()
