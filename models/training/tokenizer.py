"""Deterministic hashing tokenizer shared with the Java runtime.

The Java side (models/src/main/java) re-implements this token for token; both sides are checked
against ``models/artifacts/goldens/tokenizer.json``. See docs/MODEL_CONTRACT.md, "Hashing tokenizer".
Any change here is a contract change: update the Java tokenizer, the contract and the goldens together.
"""

import unicodedata
from functools import lru_cache

# General categories that form words. Everything else (spaces, punctuation, symbols such as emoji,
# controls) separates words. Mn/Mc/Me are included so that combining marks that survive NFKC stay
# inside their word instead of splitting it.
WORD_CATEGORIES = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No"))

FNV64_OFFSET_BASIS = 0xCBF29CE484222325
FNV64_PRIME = 0x100000001B3
_MASK64 = 0xFFFFFFFFFFFFFFFF

DEFAULT_VOCAB_SIZE = 16384
DEFAULT_MAX_TOKENS = 256
NGRAM_MAX = 2


def fnv1a64(data: bytes) -> int:
    """64-bit FNV-1a as an unsigned Python int (Java: the same bits in a long, read unsigned)."""
    h = FNV64_OFFSET_BASIS
    for byte in data:
        h ^= byte
        h = (h * FNV64_PRIME) & _MASK64
    return h


def words(text: str) -> list:
    """NFKC, full lower-casing, then maximal runs of word-category code points."""
    normalized = unicodedata.normalize("NFKC", text).lower()
    result = []
    current = []
    # Python strings iterate by code point, which is what the contract means (Java must iterate
    # code points too, not UTF-16 chars, or supplementary characters would be split).
    for ch in normalized:
        if unicodedata.category(ch) in WORD_CATEGORIES:
            current.append(ch)
        elif current:
            result.append("".join(current))
            current = []
    if current:
        result.append("".join(current))
    return result


def terms(text: str) -> list:
    """Unigrams in order, then adjacent-word bigrams joined by one space, in order."""
    ws = words(text)
    return ws + [ws[i] + " " + ws[i + 1] for i in range(len(ws) - 1)]


@lru_cache(maxsize=1 << 20)
def term_id(term: str, vocab_size: int = DEFAULT_VOCAB_SIZE) -> int:
    """Id in [1, vocab_size - 1]; 0 is reserved for padding."""
    return 1 + fnv1a64(term.encode("utf-8")) % (vocab_size - 1)


def encode(text: str, vocab_size: int = DEFAULT_VOCAB_SIZE, max_tokens: int = DEFAULT_MAX_TOKENS) -> list:
    """Token ids of one text, truncated to ``max_tokens`` (possibly empty)."""
    return [term_id(t, vocab_size) for t in terms(text)[:max_tokens]]


def pad_batch(id_lists: list, min_length: int = 1) -> list:
    """Right-pad rows with 0 to the longest row (at least ``min_length``), as the Java batcher does."""
    width = max([min_length] + [len(ids) for ids in id_lists])
    return [list(ids) + [0] * (width - len(ids)) for ids in id_lists]


def config(vocab_size: int = DEFAULT_VOCAB_SIZE, max_tokens: int = DEFAULT_MAX_TOKENS) -> dict:
    """The tokenizer block of manifest.json."""
    return {
        "type": "hashing",
        "normalization": "NFKC",
        "lowercase": True,
        "ngram_max": NGRAM_MAX,
        "vocab_size": vocab_size,
        "max_tokens": max_tokens,
        "hash": "fnv1a64",
    }
