#!/usr/bin/python3
"""Writes the HuggingFace tokenizer fixtures and the tiny text routing model next to this script.

Standard library only (no tokenizers, torch or onnx package): run it as
``/usr/bin/python3 models/src/test/resources/hf/make_fixtures.py``. The output is deterministic.

* ``wordpiece/tokenizer.json``: a BERT-style (uncased) WordPiece tokenizer; [PAD]=0, [UNK]=1,
  [CLS]=2, [SEP]=3, [MASK]=4; BertNormalizer (lower-case, strip accents, CJK split), BertPreTokenizer
  and a TemplateProcessing post-processor that adds [CLS] ... [SEP].
* ``bytelevel-bpe/tokenizer.json``: a GPT-2-style byte-level BPE; <pad>=0, <s>=1, </s>=2, the 256
  byte symbols at 3 + byte value, then one token per merge, in merge order; NFC normalizer; its
  ByteLevel post-processor adds no special tokens.
* ``text_routing_tiny.onnx``: a random-weight text routing model (docs/MODEL_CONTRACT.md tensors,
  opset 17) whose embedding table has one row per WordPiece id, D = 64: the mean of the non-zero
  ids' 8-d embeddings, Gemm 8->16 + ReLU, then Gemm 16->64 + ReLU (embedding) and Gemm 16->1
  (gate_logit). Written as ONNX protobuf by hand.
"""

import json
import random
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
EMBEDDING_DIM = 64
OPSET = 17

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDPIECE_VOCAB = SPECIAL + [
    "!", ",", ".", "the", "quick", "brown", "fox", "jump", "##s", "over", "lazy", "dog",
    "gru", "##ße", "aus", "mun", "##chen", "cafe", "na", "##ive",
    "你", "好", "世", "i", "love", "🍕", "and", "play", "##ing",
]
# (left, right) in rank order; each merge's result becomes the next id after the byte symbols.
BPE_MERGES = [
    ("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"),
    ("Ġ", "w"), ("o", "r"), ("Ġw", "or"), ("l", "d"), ("Ġwor", "ld"),
    ("Ã", "¼"),
]


def added(token_id, content):
    return {"id": token_id, "content": content, "single_word": False, "lstrip": False,
            "rstrip": False, "normalized": False, "special": True}


def wordpiece():
    vocab = {token: i for i, token in enumerate(WORDPIECE_VOCAB)}
    special = {name: {"id": name, "ids": [vocab[name]], "tokens": [name]}
               for name in ("[CLS]", "[SEP]")}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(i, t) for i, t in enumerate(SPECIAL)],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": special,
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }


def bytes_to_unicode():
    """GPT-2's printable stand-in for each byte (the ByteLevel pre-tokenizer's alphabet)."""
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
                 + list(range(ord("®"), ord("ÿ") + 1)))
    mapping = {}
    extra = 0
    for b in range(256):
        if b in printable:
            mapping[b] = chr(b)
        else:
            mapping[b] = chr(256 + extra)
            extra += 1
    return mapping


def bytelevel_bpe():
    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2}
    for b, symbol in bytes_to_unicode().items():
        vocab[symbol] = 3 + b
    for left, right in BPE_MERGES:
        vocab[left + right] = len(vocab)
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                  "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(i, t) for i, t in enumerate(["<pad>", "<s>", "</s>"])],
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": byte_level,
        "post_processor": byte_level,
        "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [f"{left} {right}" for left, right in BPE_MERGES]},
    }


# --- ONNX protobuf, by hand -------------------------------------------------------------------

def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, payload):
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def field_float(number, value):
    return varint(number << 3 | 5) + struct.pack("<f", value)


FLOAT, INT64 = 1, 7


def tensor(name, dims, data_type, values):
    fmt = "<%d%s" % (len(values), "f" if data_type == FLOAT else "q")
    body = b"".join(field_varint(1, d) for d in dims)
    body += field_varint(2, data_type) + field_bytes(8, name) + field_bytes(9, struct.pack(fmt, *values))
    return body


def value_info(name, elem_type, dims):
    shape = b"".join(field_bytes(1, field_bytes(2, d) if isinstance(d, str) else field_varint(1, d))
                     for d in dims)
    tensor_type = field_varint(1, elem_type) + field_bytes(2, shape)
    return field_bytes(1, name) + field_bytes(2, field_bytes(1, tensor_type))


def attr_int(name, value):
    return field_bytes(1, name) + field_varint(3, value) + field_varint(20, 2)


def node(op, inputs, outputs, *attributes):
    body = b"".join(field_bytes(1, i) for i in inputs) + b"".join(field_bytes(2, o) for o in outputs)
    body += field_bytes(3, outputs[0] + "_" + op) + field_bytes(4, op)
    return body + b"".join(field_bytes(5, a) for a in attributes)


def text_routing_model(vocab_size, seed=12):
    rng = random.Random(seed)

    def weights(*dims, scale=0.5):
        count = 1
        for d in dims:
            count *= d
        return [round(rng.uniform(-scale, scale), 4) for _ in range(count)]

    table = weights(vocab_size, 8)
    table[0:8] = [0.0] * 8  # the padding row; the mask below ignores it anyway
    initializers = [
        tensor("table", [vocab_size, 8], FLOAT, table),
        tensor("w1", [8, 16], FLOAT, weights(8, 16)), tensor("b1", [16], FLOAT, weights(16)),
        tensor("w2", [16, EMBEDDING_DIM], FLOAT, weights(16, EMBEDDING_DIM)),
        tensor("b2", [EMBEDDING_DIM], FLOAT, weights(EMBEDDING_DIM)),
        tensor("w3", [16, 1], FLOAT, weights(16, 1)), tensor("b3", [1], FLOAT, weights(1)),
        tensor("zero", [], INT64, [0]), tensor("one", [], FLOAT, [1.0]),
        tensor("axis1", [1], INT64, [1]), tensor("axis_last", [1], INT64, [-1]),
    ]
    nodes = [
        node("Gather", ["table", "input_ids"], ["looked_up"], attr_int("axis", 0)),
        node("Greater", ["input_ids", "zero"], ["is_token"]),
        node("Cast", ["is_token"], ["mask"], attr_int("to", FLOAT)),
        node("Unsqueeze", ["mask", "axis_last"], ["mask3"]),
        node("Mul", ["looked_up", "mask3"], ["masked"]),
        node("ReduceSum", ["masked", "axis1"], ["summed"], attr_int("keepdims", 0)),
        node("ReduceSum", ["mask", "axis1"], ["count"], attr_int("keepdims", 1)),
        node("Max", ["count", "one"], ["count1"]),
        node("Div", ["summed", "count1"], ["mean"]),
        node("Gemm", ["mean", "w1", "b1"], ["h1"]),
        node("Relu", ["h1"], ["h"]),
        node("Gemm", ["h", "w2", "b2"], ["e"]),
        node("Relu", ["e"], ["embedding"]),
        node("Gemm", ["h", "w3", "b3"], ["g"]),
        node("Squeeze", ["g", "axis1"], ["gate_logit"]),
    ]
    graph = b"".join(field_bytes(1, n) for n in nodes) + field_bytes(2, "text_routing_tiny")
    graph += b"".join(field_bytes(5, t) for t in initializers)
    graph += field_bytes(11, value_info("input_ids", INT64, ["input_ids_dim0", "input_ids_dim1"]))
    graph += field_bytes(12, value_info("embedding", FLOAT, ["embedding_dim0", EMBEDDING_DIM]))
    graph += field_bytes(12, value_info("gate_logit", FLOAT, ["gate_logit_dim0"]))
    opset = field_bytes(1, "") + field_varint(2, OPSET)
    return (field_varint(1, 8) + field_bytes(2, "make_fixtures.py") + field_bytes(7, graph)
            + field_bytes(8, opset))


def write_json(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main():
    write_json(HERE / "wordpiece" / "tokenizer.json", wordpiece())
    write_json(HERE / "bytelevel-bpe" / "tokenizer.json", bytelevel_bpe())
    (HERE / "text_routing_tiny.onnx").write_bytes(text_routing_model(len(WORDPIECE_VOCAB)))


if __name__ == "__main__":
    main()
