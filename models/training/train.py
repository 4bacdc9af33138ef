"""Regenerates everything in models/artifacts/ and models/README.md.

    /usr/bin/python3 models/training/train.py

Steps: write generator.json and draw the data from it; stage 1 (each routing layer alone on its own
modality, with a temporary linear head); stage 2 (all routing layers jointly with both integration
layers); evaluation; ONNX export, goldens and manifest; README with the quality report.

Why both fusion modes share one set of routing layers: the job runs one routing layer per modality
whatever the fusion mode, so stage 2 trains the shared routing layers with the ``max`` and the
``weighted`` integration layers at once (the loss is the sum of both heads' losses), and each exported
integration model is only its own head.

Fixed seeds, fixed thread count and deterministic algorithms: two runs on the same machine produce the
same files, byte for byte.
"""

import os
import random
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import export  # noqa: E402
import report  # noqa: E402
import tokenizer  # noqa: E402
from model import EMBEDDING_DIM, Integration, TextRouting, VectorRouting  # noqa: E402
from synthetic import MODALITIES, Generator  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "models" / "artifacts"
README = REPO_ROOT / "models" / "README.md"

SEED = 7
THREADS = 2
VOCAB_SIZE = tokenizer.DEFAULT_VOCAB_SIZE
MAX_TOKENS = tokenizer.DEFAULT_MAX_TOKENS

# Many fresh entities and few epochs rather than the reverse: hashed bigrams give almost every text
# ids of its own, and a text seen many times is memorized through them instead of through its class
# words (the text layer then looks better on training data than it is, and fusion over-trusts it).
N_TRAIN = 120000
N_TEST = 5000
BATCH = 256
STAGE1_EPOCHS = 2
STAGE1_LR = 3e-3
STAGE2_EPOCHS = 3
STAGE2_LR = 1e-3
# Rather strong, for the same reason: it shrinks the embedding rows of rare ids.
WEIGHT_DECAY = 0.05
# Extra modality dropout in stage 2, on top of the generator's natural absence, so that every subset
# of modalities is seen often enough for both heads.
MODALITY_DROPOUT = 0.3
# Weight of the auxiliary gate loss (BCE of the gate against "this view is clean"). It anchors
# sigmoid(gate) to a reliability probability; the fusion losses alone only fix the gates' relative values
# in weighted mode.
GATE_LOSS_STAGE1 = 1.0
GATE_LOSS_STAGE2 = 0.2


def set_seeds(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def tokenize_batch(texts):
    ids = [tokenizer.encode(t, VOCAB_SIZE, MAX_TOKENS) for t in texts]
    return torch.tensor(tokenizer.pad_batch(ids), dtype=torch.long)


def to_tensors(data):
    """Generator sample -> tensors: ids, audio, image, y, present, clean."""
    return {
        "text": tokenize_batch(data["text"]),
        "audio": torch.from_numpy(data["audio"]),
        "image": torch.from_numpy(data["image"]),
        "y": torch.from_numpy(data["y"]).long(),
        "present": torch.from_numpy(data["present"]),
        "clean": torch.from_numpy(~data["corrupted"]),
    }


def batches(n, batch_size, generator):
    order = torch.randperm(n, generator=generator)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def make_optimizer(params, lr, steps):
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=WEIGHT_DECAY)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    return opt, sched


# ---------------------------------------------------------------------------------------------- stage 1

def train_stage1(routers, data, num_classes, log):
    """Each routing layer alone, on the records of its modality (clean and corrupted)."""
    heads = {}
    for j, m in enumerate(MODALITIES):
        router = routers[m]
        head = nn.Linear(EMBEDDING_DIM, num_classes)
        idx = torch.nonzero(data["present"][:, j]).squeeze(1)
        x, y, clean = data[m][idx], data["y"][idx], data["clean"][idx, j].float()
        steps = STAGE1_EPOCHS * ((len(idx) + BATCH - 1) // BATCH)
        opt, sched = make_optimizer(list(router.parameters()) + list(head.parameters()), STAGE1_LR, steps)
        gen = torch.Generator().manual_seed(SEED + 100 + j)
        router.train()
        for epoch in range(STAGE1_EPOCHS):
            total = 0.0
            for b in batches(len(idx), BATCH, gen):
                z, g = router(x[b])
                loss = F.cross_entropy(head(z), y[b]) + GATE_LOSS_STAGE1 * F.binary_cross_entropy_with_logits(g, clean[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                total += loss.item() * len(b)
            log(f"stage 1 {m:5s} epoch {epoch + 1}/{STAGE1_EPOCHS} loss {total / len(idx):.4f}")
        router.eval()
        heads[m] = head
    return heads


# ---------------------------------------------------------------------------------------------- stage 2

def route_all(routers, data, index=None):
    """Runs the three routing layers; returns embeddings [N, 3, D] and gate logits [N, 3]."""
    zs, gs = [], []
    for m in MODALITIES:
        x = data[m] if index is None else data[m][index]
        z, g = routers[m](x)
        zs.append(z)
        gs.append(g)
    return torch.stack(zs, dim=1), torch.stack(gs, dim=1)


def modality_dropout(present, rate, generator):
    """Drops present modalities at random, always keeping at least one of them."""
    keep = present & (torch.rand(present.shape, generator=generator) >= rate)
    empty = ~keep.any(dim=1)
    if empty.any():
        choice = torch.multinomial(present[empty].float(), 1, generator=generator).squeeze(1)
        restored = torch.zeros_like(keep[empty])
        restored[torch.arange(len(choice)), choice] = True
        keep[empty] = restored
    return keep


def train_stage2(routers, heads, data, log):
    """All routing layers jointly with both integration heads (sum of their losses)."""
    params = [p for r in routers.values() for p in r.parameters()] + [p for h in heads.values() for p in h.parameters()]
    n = len(data["y"])
    steps = STAGE2_EPOCHS * ((n + BATCH - 1) // BATCH)
    opt, sched = make_optimizer(params, STAGE2_LR, steps)
    gen = torch.Generator().manual_seed(SEED + 200)
    for module in list(routers.values()) + list(heads.values()):
        module.train()
    for epoch in range(STAGE2_EPOCHS):
        totals = {mode: 0.0 for mode in heads}
        for b in batches(n, BATCH, gen):
            emb, gates = route_all(routers, data, b)
            present = data["present"][b]
            mask = modality_dropout(present, MODALITY_DROPOUT, gen).float()
            loss = GATE_LOSS_STAGE2 * F.binary_cross_entropy_with_logits(
                gates[present], data["clean"][b][present].float())
            for mode, head in heads.items():
                _, _, logits = head.logits(emb, gates, mask)
                ce = F.cross_entropy(logits, data["y"][b])
                totals[mode] += ce.item() * len(b)
                loss = loss + ce
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        log(f"stage 2 epoch {epoch + 1}/{STAGE2_EPOCHS} " +
            " ".join(f"{mode} ce {t / n:.4f}" for mode, t in totals.items()))
    for module in list(routers.values()) + list(heads.values()):
        module.eval()


# ---------------------------------------------------------------------------------------------- evaluation

@torch.no_grad()
def evaluate(generator, routers, stage1_heads_acc, heads, log):
    """Accuracy and gate statistics on fresh test entities under controlled conditions."""
    rng = np.random.default_rng(SEED + 300)
    none = {m: 0.0 for m in MODALITIES}
    clean = generator.sample(N_TEST, rng, absence_rate=none, corruption_rate=none)
    noise = generator.corrupted_views(N_TEST, rng)
    natural = generator.sample(N_TEST, rng)
    t_clean, t_noise, t_nat = to_tensors(clean), to_tensors({**clean, **noise}), to_tensors(natural)
    y = t_clean["y"]

    emb_c, gate_c = route_all(routers, t_clean)
    emb_n, gate_n = route_all(routers, t_noise)
    emb_nat, gate_nat = route_all(routers, t_nat)

    def fused_acc(head, emb, gates, mask, labels):
        _, weights, scores = head(emb, gates, mask)
        return float((scores.argmax(dim=1) == labels).float().mean()), weights.mean(dim=0).tolist()

    ones = torch.ones(N_TEST, 3)
    conditions = [("all present, clean", emb_c, gate_c, ones)]
    for j, m in enumerate(MODALITIES):
        e, g = emb_c.clone(), gate_c.clone()
        e[:, j], g[:, j] = emb_n[:, j], gate_n[:, j]
        conditions.append((f"{m} corrupted", e, g, ones))
    for j, m in enumerate(MODALITIES):
        mask = ones.clone()
        mask[:, j] = 0
        conditions.append((f"{m} absent", emb_c, gate_c, mask))
    for j, m in enumerate(MODALITIES):
        mask = torch.zeros(N_TEST, 3)
        mask[:, j] = 1
        conditions.append((f"only {m}", emb_c, gate_c, mask))

    fusion = []
    for name, e, g, mask in conditions:
        row = {"condition": name}
        for mode, head in heads.items():
            row[mode], row[f"{mode}_weights"] = fused_acc(head, e, g, mask, y)
        fusion.append(row)
    row = {"condition": "natural mix (generator rates)"}
    for mode, head in heads.items():
        row[mode], row[f"{mode}_weights"] = fused_acc(head, emb_nat, gate_nat, t_nat["present"].float(), t_nat["y"])
    fusion.append(row)

    single = []
    bayes_rng = np.random.default_rng(SEED + 400)
    for j, m in enumerate(MODALITIES):
        if m == "text":
            bayes = generator.bayes_text_accuracy(clean["text"], clean["y"], bayes_rng)
        else:
            bayes = generator.bayes_vector_accuracy(m, clean[m], clean["y"])
        only = next(r for r in fusion if r["condition"] == f"only {m}")
        single.append({
            "modality": m,
            "stage1": stage1_heads_acc[m],
            "fused_max": only["max"],
            "fused_weighted": only["weighted"],
            "bayes": bayes,
        })

    gates = []
    for j, m in enumerate(MODALITIES):
        gates.append({
            "modality": m,
            "clean": float(torch.sigmoid(gate_c[:, j]).mean()),
            "corrupted": float(torch.sigmoid(gate_n[:, j]).mean()),
        })

    for r in single:
        log(f"single {r['modality']:5s} stage1 {r['stage1']:.4f} fused max {r['fused_max']:.4f} "
            f"weighted {r['fused_weighted']:.4f} bayes {r['bayes']:.4f}")
    for r in fusion:
        log(f"{r['condition']:32s} max {r['max']:.4f} weighted {r['weighted']:.4f}")
    for r in gates:
        log(f"gate {r['modality']:5s} clean {r['clean']:.4f} corrupted {r['corrupted']:.4f}")
    return {"single": single, "fusion": fusion, "gates": gates, "n_test": N_TEST}


@torch.no_grad()
def stage1_accuracy(routers, heads, generator):
    """Routing layer + temporary head on clean test views (measured right after stage 1)."""
    rng = np.random.default_rng(SEED + 300)
    none = {m: 0.0 for m in MODALITIES}
    t = to_tensors(generator.sample(N_TEST, rng, absence_rate=none, corruption_rate=none))
    out = {}
    for m in MODALITIES:
        z, _ = routers[m](t[m])
        out[m] = float((heads[m](z).argmax(dim=1) == t["y"]).float().mean())
    return out


def check_quality(results):
    """Refuses to publish models that do not do what the report claims."""
    best_single = max(max(r["stage1"], r["fused_max"], r["fused_weighted"]) for r in results["single"])
    all_clean = results["fusion"][0]
    problems = []
    for mode in ("max", "weighted"):
        if all_clean[mode] <= best_single + 0.05:
            problems.append(f"{mode} fusion ({all_clean[mode]:.4f}) does not clearly beat the best single modality "
                            f"({best_single:.4f})")
    for g in results["gates"]:
        if g["corrupted"] >= g["clean"] - 0.3:
            problems.append(f"{g['modality']} gate does not drop when corrupted ({g['clean']:.3f} -> {g['corrupted']:.3f})")
    if problems:
        raise SystemExit("quality check failed:\n  " + "\n  ".join(problems))


def main():
    started = time.time()
    torch.set_num_threads(THREADS)
    # Decaying weights drift into subnormal floats, which are very slow on x86 CPUs.
    torch.set_flush_denormal(True)
    # Known-harmless noise: numpy notices the flushed subnormals, and torch 1.13's exporter has no shape
    # inference for prim::Constant (the exported signatures are checked explicitly in export.py).
    warnings.filterwarnings("ignore", message="The value of the smallest subnormal")
    warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
    torch.use_deterministic_algorithms(True)
    set_seeds(SEED)

    def log(msg):
        print(f"[{time.time() - started:6.1f}s] {msg}", flush=True)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    gen_path = ARTIFACTS / "generator.json"
    Generator.create().to_json(gen_path)
    # Train on what a Java producer will read: the parameters as written, not as computed.
    generator = Generator.from_json(gen_path)
    num_classes = generator.num_classes

    train_data = to_tensors(generator.sample(N_TRAIN, np.random.default_rng(SEED + 1)))
    log(f"data: {N_TRAIN} training entities, text width {train_data['text'].shape[1]}")

    routers = {
        "text": TextRouting(VOCAB_SIZE),
        "audio": VectorRouting(generator.vectors["audio"]["dim"]),
        "image": VectorRouting(generator.vectors["image"]["dim"]),
    }
    for j, m in enumerate(("audio", "image"), start=1):
        routers[m].set_standardization(train_data[m][train_data["present"][:, j]])

    temp_heads = train_stage1(routers, train_data, num_classes, log)
    stage1_acc = stage1_accuracy(routers, temp_heads, generator)
    log("stage 1 test accuracy (clean views): " + ", ".join(f"{m} {a:.4f}" for m, a in stage1_acc.items()))

    heads = {mode: Integration(mode, num_classes=num_classes) for mode in Integration.MODES}
    train_stage2(routers, heads, train_data, log)

    results = evaluate(generator, routers, stage1_acc, heads, log)
    check_quality(results)

    export.export_all(ARTIFACTS, routers, heads, generator, VOCAB_SIZE, MAX_TOKENS, log)
    report.write_readme(README, ARTIFACTS, results, generator.params, {
        "n_train": N_TRAIN, "n_test": N_TEST, "stage1_epochs": STAGE1_EPOCHS, "stage2_epochs": STAGE2_EPOCHS,
        "modality_dropout": MODALITY_DROPOUT, "seed": SEED,
    })
    log("done")


if __name__ == "__main__":
    main()
