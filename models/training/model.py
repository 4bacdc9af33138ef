"""Routing layers (level 1) and integration layers (level 2) of the two-level routing network.

Exported as ONNX with exactly the tensor names and semantics of docs/MODEL_CONTRACT.md:

* a routing layer maps one record of its modality to ``embedding [B, D]`` and ``gate_logit [B]``;
* an integration layer maps ``embeddings [B, 3, D]``, ``gates [B, 3]`` (logits) and ``mask [B, 3]``
  to ``fused [B, D]``, ``weights [B, 3]`` and ``scores [B, K]`` (class probabilities).

Embeddings are non-negative (ReLU). That keeps ``max`` fusion meaningful: scaling a non-negative
embedding by a small gate pushes it towards 0, so an unreliable modality loses the element-wise max
instead of winning it (with signed embeddings a gate near 0 would beat every negative coordinate).
"""

import torch
from torch import nn

EMBEDDING_DIM = 64
# Finite stand-in for -inf in masked reductions: -inf would turn an all-absent row into NaN and
# inf * 0 into NaN, while this value stays finite in float32 and never wins a max against real values.
_VERY_NEGATIVE = -3.0e38


class TextRouting(nn.Module):
    """Hashed-token embedding bag (mean over non-zero ids), LayerNorm, then an MLP.

    The LayerNorm undoes the 1/n of the mean: one class word among twenty terms would otherwise give a
    tiny input that the MLP learns from slowly and that ReLU units easily die on.
    """

    def __init__(self, vocab_size, dim=EMBEDDING_DIM, hidden=128):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim, padding_idx=0)
        nn.init.normal_(self.embedding.weight, std=0.1)
        with torch.no_grad():
            self.embedding.weight[0].zero_()
        self.norm = nn.LayerNorm(dim)
        self.body = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.out = nn.Linear(hidden, dim)
        self.gate = nn.Linear(hidden, 1)

    def forward(self, input_ids):
        # Multiplying by the mask (and not only relying on padding_idx) makes "padding never changes a
        # result" hold by construction, whatever row 0 of the table contains.
        mask = (input_ids != 0).to(torch.float32)
        summed = (self.embedding(input_ids) * mask.unsqueeze(-1)).sum(dim=1)
        count = mask.sum(dim=1, keepdim=True).clamp(min=1.0)
        h = self.body(self.norm(summed / count))
        return torch.relu(self.out(h)), self.gate(h).squeeze(-1)


class VectorRouting(nn.Module):
    """Fixed standardization (statistics of the training set, baked into the graph) and an MLP.

    Fixed standardization rather than LayerNorm: LayerNorm would discard each record's scale, which is
    part of what distinguishes clean views (power concentrated in the nuisance subspace) from noise.
    """

    def __init__(self, input_dim, dim=EMBEDDING_DIM, hidden=256, dropout=0.1):
        super().__init__()
        self.register_buffer("mean", torch.zeros(input_dim))
        self.register_buffer("inv_std", torch.ones(input_dim))
        self.body = nn.Sequential(
            nn.Linear(input_dim, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, 128), nn.ReLU(),
        )
        self.out = nn.Linear(128, dim)
        self.gate = nn.Linear(128, 1)

    def set_standardization(self, features):
        with torch.no_grad():
            self.mean.copy_(features.mean(dim=0))
            self.inv_std.copy_(1.0 / features.std(dim=0).clamp(min=1e-6))

    def forward(self, features):
        h = self.body((features - self.mean) * self.inv_std)
        return torch.relu(self.out(h)), self.gate(h).squeeze(-1)


class Integration(nn.Module):
    """Masked fusion (``max`` or ``weighted``) followed by the output layer.

    ``mask > 0.5`` means present. Absent slots are replaced by zeros before anything else, so whatever
    the caller puts there (even NaN) cannot leak into the result.
    """

    MODES = ("max", "weighted")

    def __init__(self, mode, dim=EMBEDDING_DIM, num_classes=8, hidden=64):
        super().__init__()
        if mode not in self.MODES:
            raise ValueError(f"unknown fusion mode {mode!r}")
        self.mode = mode
        self.output = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, num_classes))

    def fuse(self, embeddings, gates, mask):
        present = mask > 0.5
        present_f = present.to(torch.float32)
        z = torch.where(present.unsqueeze(-1), embeddings, torch.zeros_like(embeddings))
        g = torch.where(present, gates, torch.zeros_like(gates))
        if self.mode == "max":
            s = torch.sigmoid(g) * present_f
            scaled = s.unsqueeze(-1) * z
            fused = torch.where(present.unsqueeze(-1), scaled, torch.full_like(scaled, _VERY_NEGATIVE)).amax(dim=1)
            any_present = present_f.sum(dim=1, keepdim=True) > 0.5
            fused = torch.where(any_present, fused, torch.zeros_like(fused))
            weights = s / s.sum(dim=1, keepdim=True).clamp(min=1e-30)
        else:
            # Softmax over present modalities only; exp is taken of 0 (not of a huge difference) in
            # absent slots and then multiplied by 0, so absent weights are exactly 0 and never NaN.
            g_max = torch.where(present, g, torch.full_like(g, _VERY_NEGATIVE)).amax(dim=1, keepdim=True)
            shifted = torch.where(present, g - g_max, torch.zeros_like(g))
            e = torch.exp(shifted) * present_f
            weights = e / e.sum(dim=1, keepdim=True).clamp(min=1e-30)
            fused = (weights.unsqueeze(-1) * z).sum(dim=1)
        return fused, weights

    def logits(self, embeddings, gates, mask):
        fused, weights = self.fuse(embeddings, gates, mask)
        return fused, weights, self.output(fused)

    def forward(self, embeddings, gates, mask):
        fused, weights, logits = self.logits(embeddings, gates, mask)
        return fused, weights, torch.softmax(logits, dim=-1)
