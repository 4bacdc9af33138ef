"""ONNX export, signature check, goldens and manifest (docs/MODEL_CONTRACT.md).

The ``onnx`` Python package is not needed: the exported files are checked by reading the few protobuf
fields that matter (opset, graph inputs/outputs with dtypes and shapes) with a small decoder below, and
the manifest is written from those checked signatures. If ``onnxruntime`` is importable, every model is
also run on the golden inputs and compared with PyTorch; otherwise that comparison is left to the Java
golden tests, which run the same inputs through ONNX Runtime.
"""

import hashlib
import json
import unicodedata

import numpy as np
import torch

import tokenizer
from model import EMBEDDING_DIM
from synthetic import MODALITIES

OPSET = 17
VERSION = "1.0.0"
GOLDEN_SEED = 4242

# ONNX TensorProto.DataType values used here.
_ONNX_DTYPES = {1: "float32", 7: "int64"}


# ---------------------------------------------------------------------------------------------- protobuf

def _varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(buf):
    """Yields (field number, wire type, value) of one protobuf message; value is int or bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def _value_info(buf):
    """ValueInfoProto -> {"name", "dtype", "shape"} (dynamic dimensions as -1)."""
    info = {"name": None, "dtype": None, "shape": []}
    for n, _, v in _fields(buf):
        if n == 1:
            info["name"] = v.decode("utf-8")
        elif n == 2:  # TypeProto
            for tn, _, tv in _fields(v):
                if tn != 1:  # tensor_type
                    continue
                for sn, _, sv in _fields(tv):
                    if sn == 1:
                        info["dtype"] = _ONNX_DTYPES.get(sv, f"onnx-type-{sv}")
                    elif sn == 2:  # TensorShapeProto
                        for dn, _, dv in _fields(sv):
                            if dn != 1:
                                continue
                            dim = -1
                            for en, _, ev in _fields(dv):
                                if en == 1:
                                    dim = ev
                            info["shape"].append(dim)
    return info


def onnx_signature(path):
    """Reads opsets, graph inputs/outputs and the set of operator types of an ONNX file."""
    with open(path, "rb") as f:
        buf = f.read()
    sig = {"opsets": {}, "inputs": [], "outputs": [], "ops": set()}
    for n, _, v in _fields(buf):
        if n == 8:  # opset_import
            domain, version = "", None
            for on, _, ov in _fields(v):
                if on == 1:
                    domain = ov.decode("utf-8")
                elif on == 2:
                    version = ov
            sig["opsets"][domain] = version
        elif n == 7:  # graph
            for gn, _, gv in _fields(v):
                if gn == 11:
                    sig["inputs"].append(_value_info(gv))
                elif gn == 12:
                    sig["outputs"].append(_value_info(gv))
                elif gn == 1:  # node
                    for nn_, _, nv in _fields(gv):
                        if nn_ == 4:
                            sig["ops"].add(nv.decode("utf-8"))
    return sig


# ---------------------------------------------------------------------------------------------- export

def _spec(name, dtype, shape):
    return {"name": name, "dtype": dtype, "shape": list(shape)}


def _export(module, args, path, inputs, outputs, log):
    """Exports with the contract's names and dynamic axes and checks the written signature."""
    dynamic = {}
    for spec in inputs + outputs:
        axes = {i: f"{spec['name']}_dim{i}" for i, d in enumerate(spec["shape"]) if d == -1}
        if axes:
            dynamic[spec["name"]] = axes
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, args, str(path), opset_version=OPSET, do_constant_folding=True,
                          input_names=[s["name"] for s in inputs], output_names=[s["name"] for s in outputs],
                          dynamic_axes=dynamic)
    sig = onnx_signature(path)
    if sig["opsets"].get("") != OPSET:
        raise SystemExit(f"{path.name}: opset {sig['opsets']} instead of {OPSET}")
    for kind, expected in (("inputs", inputs), ("outputs", outputs)):
        if sig[kind] != expected:
            raise SystemExit(f"{path.name}: {kind} {sig[kind]} differ from the contract {expected}")
    log(f"exported {path.name}: ops {sorted(sig['ops'])}")


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------- goldens

def _f32(t):
    """Nested lists of Python floats holding float32 values exactly (json writes them with repr)."""
    return np.asarray(t.detach().numpy() if isinstance(t, torch.Tensor) else t, dtype=np.float32).tolist()


def _write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")


def tokenizer_cases(generator, max_tokens):
    long_words = [generator.shared_words[i % len(generator.shared_words)] for i in range(200)]
    cases = [
        ("plain English", "The quick brown fox jumps over the lazy dog"),
        ("punctuation heavy", "Hello, world!!! (really?) -- yes: it's 3.14... #tag @user e-mail snake_case"),
        ("mixed case", "MiXeD CaSe WoRdS and UPPER lower"),
        ("accented Latin composed", unicodedata.normalize("NFC", "Café naïve résumé Ångström")),
        ("accented Latin decomposed", unicodedata.normalize("NFD", "Café naïve résumé Ångström")),
        ("Greek with final sigma", "ΟΔΟΣ ΣΟΦΟΣ. Σ ὈΔΥΣΣΕΎΣ"),
        ("Cyrillic", "Привет, МИР! Ёжик в тумане"),
        ("CJK", "東京は日本の首都です 中文 测试"),
        ("Devanagari", "नमस्ते दुनिया, हिन्दी"),
        ("emoji", "I ❤️ pizza 🍕🍕 yes👍no"),
        ("full-width", "ＨＥＬＬＯ　ｗｏｒｌｄ １２３"),
        ("compatibility forms", "ﬁne ½ x² Ⅻ Straße İstanbul"),
        ("empty", ""),
        ("whitespace only", " \t\n  \u00a0"),
        ("generator sample", generator.params["text"]["shared_words"][0].capitalize() + " " +
         " ".join(generator.class_words[3][:5]) + "."),
        (f"longer than max_tokens ({2 * len(long_words) - 1} terms)", " ".join(long_words)),
    ]
    return [{"name": name, "text": text, "ids": tokenizer.encode(text, max_tokens=max_tokens)}
            for name, text in cases]


def _golden_texts(generator, rng, cases):
    none = {m: 0.0 for m in MODALITIES}
    sample = generator.sample(8, rng, absence_rate=none, corruption_rate=none)
    noisy = generator.corrupted_views(2, rng)
    by_name = {c["name"]: c["text"] for c in cases}
    extra = [by_name[n] for n in ("plain English", "accented Latin decomposed", "Greek with final sigma",
                                  "CJK", "emoji", "empty")]
    longest = next(c["text"] for c in cases if c["name"].startswith("longer than"))
    return list(sample["text"]) + list(noisy["text"]) + extra + [longest]


def _check_onnxruntime(path, feeds, expected, log):
    try:
        import onnxruntime as ort
    except ImportError:
        return False
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(list(expected), {k: np.asarray(v) for k, v in feeds.items()})
    for (name, want), have in zip(expected.items(), got):
        err = float(np.max(np.abs(np.asarray(want, dtype=np.float32) - have)))
        if err > 1e-4:
            raise SystemExit(f"{path.name}: onnxruntime output {name} differs from PyTorch by {err}")
    log(f"onnxruntime agrees with PyTorch on {path.name}")
    return True


@torch.no_grad()
def export_all(out_dir, routers, heads, generator, vocab_size, max_tokens, log):
    """Writes the five ONNX models, their goldens and manifest.json into ``out_dir``."""
    goldens_dir = out_dir / "goldens"
    goldens_dir.mkdir(parents=True, exist_ok=True)
    k = generator.num_classes
    d = EMBEDDING_DIM
    rng = np.random.default_rng(GOLDEN_SEED)

    cases = tokenizer_cases(generator, max_tokens)
    if not any(len(tokenizer.terms(c["text"])) > max_tokens for c in cases):
        raise SystemExit("tokenizer goldens need a text longer than max_tokens")
    _write_json(goldens_dir / "tokenizer.json", {"vocab_size": vocab_size, "max_tokens": max_tokens, "cases": cases})

    routing_out = [_spec("embedding", "float32", [-1, d]), _spec("gate_logit", "float32", [-1])]
    integ_in = [_spec("embeddings", "float32", [-1, 3, d]), _spec("gates", "float32", [-1, 3]),
                _spec("mask", "float32", [-1, 3])]
    integ_out = [_spec("fused", "float32", [-1, d]), _spec("weights", "float32", [-1, 3]),
                 _spec("scores", "float32", [-1, k])]

    entries = []
    ort_checked = []

    # Routing layers.
    texts = _golden_texts(generator, rng, cases)
    id_lists = [tokenizer.encode(t, vocab_size, max_tokens) for t in texts]
    ids = torch.tensor(tokenizer.pad_batch(id_lists), dtype=torch.long)
    none = {m: 0.0 for m in MODALITIES}
    vec_sample = generator.sample(12, rng, absence_rate=none, corruption_rate=none)
    vec_noise = generator.corrupted_views(4, rng)
    routing_inputs = {
        "text": ("input_ids", ids, [_spec("input_ids", "int64", [-1, -1])]),
        "audio": ("features", torch.from_numpy(np.concatenate([vec_sample["audio"], vec_noise["audio"]])),
                  [_spec("features", "float32", [-1, generator.vectors["audio"]["dim"]])]),
        "image": ("features", torch.from_numpy(np.concatenate([vec_sample["image"], vec_noise["image"]])),
                  [_spec("features", "float32", [-1, generator.vectors["image"]["dim"]])]),
    }
    for m in MODALITIES:
        router = routers[m].eval()
        name = f"{m}-routing"
        path = out_dir / f"{m}_routing.onnx"
        input_name, x, inputs = routing_inputs[m]
        _export(router, (x[:2],), path, inputs, routing_out, log)
        z, g = router(x)
        if m == "text":
            # Padding must not change a row: compare every row against the row run on its own.
            for i, row in enumerate(id_lists):
                alone = torch.tensor([row or [0]], dtype=torch.long)
                z1, g1 = router(alone)
                err = max(float((z1[0] - z[i]).abs().max()), float((g1[0] - g[i]).abs()))
                if err > 1e-5:
                    raise SystemExit(f"text routing: padding changes row {i} by {err}")
        golden = {"model": name, "inputs": {input_name: x.tolist() if m == "text" else _f32(x)},
                  "outputs": {"embedding": _f32(z), "gate_logit": _f32(g)}}
        if m == "text":
            golden = {"model": name, "texts": texts, **{k_: v for k_, v in golden.items() if k_ != "model"}}
        _write_json(goldens_dir / f"{name}.json", golden)
        if _check_onnxruntime(path, {input_name: x.numpy()}, {"embedding": z.numpy(), "gate_logit": g.numpy()}, log):
            ort_checked.append(name)
        entry = {
            "name": name, "role": "routing", "modality": m, "version": VERSION, "file": path.name,
            "sha256": _sha256(path), "opset": OPSET, "inputs": inputs, "outputs": routing_out,
            "input_dim": None if m == "text" else generator.vectors[m]["dim"],
        }
        if m == "text":
            entry["tokenizer"] = tokenizer.config(vocab_size, max_tokens)
        entries.append(entry)

    # Integration layers: real routing outputs of fresh entities (some views corrupted), every
    # non-empty subset of modalities three times, absent slots left holding real values, plus rows
    # whose absent slots hold extreme values: none of that may change a result.
    n_rows = 7 * 3 + 2
    sample = generator.sample(n_rows, rng, absence_rate=none)
    st = {
        "text": torch.tensor(tokenizer.pad_batch([tokenizer.encode(t, vocab_size, max_tokens) for t in sample["text"]])),
        "audio": torch.from_numpy(sample["audio"]),
        "image": torch.from_numpy(sample["image"]),
    }
    zs, gs = zip(*(routers[m](st[m]) for m in MODALITIES))
    emb, gates = torch.stack(zs, dim=1), torch.stack(gs, dim=1)
    subsets = [[(s >> j) & 1 for j in range(3)] for s in range(1, 8)]
    mask = torch.tensor([subsets[i % 7] for i in range(21)] + [[1, 0, 0], [0, 1, 1]], dtype=torch.float32)
    emb[21, 1:] = 1000.0
    gates[21, 1:] = 80.0
    emb[22, 0] = 1000.0
    gates[22, 0] = -80.0
    cleaned_emb = torch.where(mask.unsqueeze(-1) > 0.5, emb, torch.zeros_like(emb))
    cleaned_gates = torch.where(mask > 0.5, gates, torch.zeros_like(gates))
    for mode, head in heads.items():
        head.eval()
        name = f"integration-{mode}"
        path = out_dir / f"integration_{mode}.onnx"
        _export(head, (emb[:2], gates[:2], mask[:2]), path, integ_in, integ_out, log)
        fused, weights, scores = head(emb, gates, mask)
        again = head(cleaned_emb, cleaned_gates, mask)
        if not all(torch.equal(a, b) for a, b in zip((fused, weights, scores), again)):
            raise SystemExit(f"{name}: values in absent slots change the result")
        if not torch.equal(weights[mask < 0.5], torch.zeros_like(weights[mask < 0.5])):
            raise SystemExit(f"{name}: absent modalities get non-zero weights")
        _write_json(goldens_dir / f"{name}.json", {
            "model": name,
            "inputs": {"embeddings": _f32(emb), "gates": _f32(gates), "mask": _f32(mask)},
            "outputs": {"fused": _f32(fused), "weights": _f32(weights), "scores": _f32(scores)},
        })
        feeds = {"embeddings": emb.numpy(), "gates": gates.numpy(), "mask": mask.numpy()}
        if _check_onnxruntime(path, feeds, {"fused": fused.numpy(), "weights": weights.numpy(),
                                            "scores": scores.numpy()}, log):
            ort_checked.append(name)
        entries.append({
            "name": name, "role": "integration", "fusion_mode": mode, "version": VERSION, "file": path.name,
            "sha256": _sha256(path), "opset": OPSET, "inputs": integ_in, "outputs": integ_out,
        })

    if not ort_checked:
        log("onnxruntime is not installed here: ONNX-vs-PyTorch agreement is checked by the Java golden tests")

    manifest = {
        "manifest_version": 1,
        "model_family": "fusion-routing",
        "version": VERSION,
        "embedding_dim": d,
        "num_classes": k,
        "modalities": list(MODALITIES),
        "models": entries,
    }
    with open(out_dir / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    log("wrote manifest.json and goldens")
