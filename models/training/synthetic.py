"""Synthetic multimodal data with known ground truth.

Every entity has a latent class ``y`` in ``0..K-1``. It is observed through three views:

* text: a short sentence mixing words of the class vocabulary, a shared vocabulary and noise words;
* audio features (128-d) and image features (512-d): ``class_mean[y] + basis^T f + noise_std * e``
  with a low-rank nuisance (random basis, ``f ~ N(0, I)``) and isotropic noise ``e ~ N(0, I)``.

Per entity and modality the view may be absent (the producer sends no event) or corrupted (the view
is replaced by pure noise: noise words only, or ``N(0, corruption_std^2 I)``), with known rates. So the
gates have something to learn, and the demo can report live accuracy against ground truth.

All parameters are rounded to 6 significant digits *before* they are used, and written to
``generator.json`` together with a step-by-step sampling procedure (``SAMPLING``), so the Java demo
producer draws from exactly the same distribution with its own RNG.
"""

import json

import numpy as np

MODALITIES = ("text", "audio", "image")

# Values chosen so that each view alone is clearly imperfect (about 65-80 % test accuracy on clean
# views) while the three views together are nearly always right; see models/README.md for the numbers.
DEFAULTS = {
    "seed": 20240611,
    "num_classes": 8,
    "text": {
        "class_vocab_size": 30,
        "shared_vocab_size": 40,
        "noise_vocab_size": 80,
        "min_words": 6,
        "max_words": 14,
        "p_class": 0.10,
        "p_shared": 0.35,
    },
    "audio": {"dim": 128, "mean_std": 0.19, "nuisance_rank": 8, "nuisance_std": 1.0, "noise_std": 1.0},
    "image": {"dim": 512, "mean_std": 0.11, "nuisance_rank": 16, "nuisance_std": 0.6, "noise_std": 1.0},
    "absence_rate": {"text": 0.20, "audio": 0.25, "image": 0.20},
    "corruption_rate": {"text": 0.15, "audio": 0.20, "image": 0.15},
}

SAMPLING = [
    "All random draws are independent. U(0,1) is uniform on [0,1); N(0,1) is a standard normal; "
    "'pick from list L' means an index drawn uniformly from 0..len(L)-1. Arithmetic in double precision; "
    "feature vectors are finally stored as float32.",
    "1. Class: y = index drawn from the categorical distribution class_prior (uniform over 0..num_classes-1).",
    "2. Presence: for each modality m in the order text, audio, image: absent[m] = (U(0,1) < absence_rate[m]). "
    "If all three are absent, discard the three draws and repeat step 2 until at least one is present.",
    "3. Corruption: for each present modality m, in the same order: corrupted[m] = (U(0,1) < corruption_rate[m]).",
    "4. Text view (if present): n = integer uniform in [text.min_words, text.max_words] (both inclusive). "
    "If corrupted: n words, each picked from text.noise_words. Otherwise, for each of the n words: u = U(0,1); "
    "if u < text.p_class pick from text.class_words[y]; else if u < text.p_class + text.p_shared pick from "
    "text.shared_words; else pick from text.noise_words. The text is the n words joined by one space (U+0020), "
    "with its first character upper-cased (all words are lowercase ASCII a-z) and a final '.' appended.",
    "5. Feature view v in {audio, image} (if present), dimension d = v.dim, r = v.nuisance_rank: if corrupted, "
    "x[i] = v.corruption_std * e[i] with e[i] ~ N(0,1) for i in 0..d-1. Otherwise draw f[j] ~ N(0,1) for "
    "j in 0..r-1 and e[i] ~ N(0,1), and x[i] = v.class_means[y][i] + sum_j f[j] * v.nuisance_basis[j][i] "
    "+ v.noise_std * e[i].",
    "6. Ground truth for accuracy is y; the models never see absent views (mask 0) and do not know which "
    "views are corrupted (the gates have to tell).",
]


def _round6(x):
    """Round to 6 significant digits, returned as float64 (the value written to generator.json)."""
    arr = np.asarray(x, dtype=np.float64)
    return np.vectorize(lambda v: float(f"{v:.6g}"), otypes=[np.float64])(arr) if arr.size else arr


def _pseudo_words(rng, count):
    """Distinct pronounceable lowercase ASCII words (consonant-vowel syllables)."""
    consonants = "bdfgklmnprstvz"
    vowels = "aeiou"
    seen = set()
    out = []
    while len(out) < count:
        syllables = rng.integers(2, 4)
        word = "".join(consonants[rng.integers(len(consonants))] + vowels[rng.integers(len(vowels))]
                       for _ in range(syllables))
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out


class Generator:
    """The synthetic distribution; build with :meth:`create`, persist with :meth:`to_json`."""

    def __init__(self, params):
        self.params = params
        self.num_classes = params["num_classes"]
        self.class_prior = np.asarray(params["class_prior"], dtype=np.float64)
        t = params["text"]
        self.class_words = t["class_words"]
        self.shared_words = t["shared_words"]
        self.noise_words = t["noise_words"]
        self.vectors = {}
        for m in ("audio", "image"):
            v = params[m]
            self.vectors[m] = {
                "dim": v["dim"],
                "means": np.asarray(v["class_means"], dtype=np.float64),
                "basis": np.asarray(v["nuisance_basis"], dtype=np.float64),
                "noise_std": float(v["noise_std"]),
                "corruption_std": float(v["corruption_std"]),
            }

    @classmethod
    def create(cls, config=DEFAULTS):
        """Draws the distribution's parameters from ``config['seed']`` (all rounded to 6 digits)."""
        rng = np.random.default_rng(config["seed"])
        k = config["num_classes"]
        tc = config["text"]
        vocab = _pseudo_words(rng, k * tc["class_vocab_size"] + tc["shared_vocab_size"] + tc["noise_vocab_size"])
        n_cls = k * tc["class_vocab_size"]
        params = {
            "format": "fusion-synthetic-generator",
            "format_version": 1,
            "seed": config["seed"],
            "num_classes": k,
            "modalities": list(MODALITIES),
            "class_prior": [float(_round6(1.0 / k))] * k,
            "absence_rate": dict(config["absence_rate"]),
            "corruption_rate": dict(config["corruption_rate"]),
            "text": {
                "min_words": tc["min_words"],
                "max_words": tc["max_words"],
                "p_class": tc["p_class"],
                "p_shared": tc["p_shared"],
                "p_noise": float(_round6(1.0 - tc["p_class"] - tc["p_shared"])),
                "class_words": [vocab[i * tc["class_vocab_size"]:(i + 1) * tc["class_vocab_size"]] for i in range(k)],
                "shared_words": vocab[n_cls:n_cls + tc["shared_vocab_size"]],
                "noise_words": vocab[n_cls + tc["shared_vocab_size"]:],
            },
        }
        for m in ("audio", "image"):
            vc = config[m]
            d, r = vc["dim"], vc["nuisance_rank"]
            means = _round6(vc["mean_std"] * rng.standard_normal((k, d)))
            basis = _round6(vc["nuisance_std"] * rng.standard_normal((r, d)))
            noise_std = float(_round6(vc["noise_std"]))
            # Corrupted vectors get the same average per-coordinate power as clean ones, so a gate cannot
            # spot them by their norm alone and has to look at their structure.
            power = float(np.mean(means ** 2) + np.sum(basis ** 2) / d + noise_std ** 2)
            params[m] = {
                "dim": d,
                "nuisance_rank": r,
                "noise_std": noise_std,
                "corruption_std": float(_round6(np.sqrt(power))),
                "class_means": means.tolist(),
                "nuisance_basis": basis.tolist(),
            }
        params["sampling"] = SAMPLING
        return cls(params)

    @classmethod
    def from_json(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def to_json(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.params, f, separators=(",", ":"))
            f.write("\n")

    # ------------------------------------------------------------------ sampling

    def _text(self, rng, y, corrupted):
        t = self.params["text"]
        n = int(rng.integers(t["min_words"], t["max_words"] + 1))
        out = []
        for _ in range(n):
            if corrupted:
                lst = self.noise_words
            else:
                u = rng.random()
                if u < t["p_class"]:
                    lst = self.class_words[y]
                elif u < t["p_class"] + t["p_shared"]:
                    lst = self.shared_words
                else:
                    lst = self.noise_words
            out.append(lst[rng.integers(len(lst))])
        s = " ".join(out)
        return s[0].upper() + s[1:] + "."

    def _clean_vectors(self, rng, m, y):
        v = self.vectors[m]
        n = len(y)
        f = rng.standard_normal((n, v["basis"].shape[0]))
        e = rng.standard_normal((n, v["dim"]))
        return (v["means"][y] + f @ v["basis"] + v["noise_std"] * e).astype(np.float32)

    def _noise_vectors(self, rng, m, n):
        v = self.vectors[m]
        return (v["corruption_std"] * rng.standard_normal((n, v["dim"]))).astype(np.float32)

    def sample(self, n, rng, absence_rate=None, corruption_rate=None):
        """Draws ``n`` entities.

        Returns a dict with ``y`` [n], ``present`` and ``corrupted`` [n, 3] bool, ``text`` (list of str),
        ``audio`` [n, 128] and ``image`` [n, 512] float32. Views of absent modalities are still filled
        (drawn as if present) so that evaluation can switch modalities on and off for the same entities;
        ``present`` says what a producer would actually send. Rates default to the generator's own.
        """
        absence = absence_rate if absence_rate is not None else self.params["absence_rate"]
        corruption = corruption_rate if corruption_rate is not None else self.params["corruption_rate"]
        a = np.array([absence[m] for m in MODALITIES])
        c = np.array([corruption[m] for m in MODALITIES])
        y = rng.choice(self.num_classes, size=n, p=self.class_prior / self.class_prior.sum())
        present = np.ones((n, 3), dtype=bool)
        for i in range(n):
            while True:
                p = rng.random(3) >= a
                if p.any():
                    break
            present[i] = p
        corrupted = rng.random((n, 3)) < c
        texts = [self._text(rng, int(y[i]), bool(corrupted[i, 0])) for i in range(n)]
        views = {"text": texts}
        for j, m in ((1, "audio"), (2, "image")):
            x = self._clean_vectors(rng, m, y)
            bad = corrupted[:, j]
            x[bad] = self._noise_vectors(rng, m, int(bad.sum()))
            views[m] = x
        return {"y": y, "present": present, "corrupted": corrupted, **views}

    def corrupted_views(self, n, rng):
        """Pure-noise views for ``n`` entities (used to corrupt a chosen modality at evaluation)."""
        return {
            "text": [self._text(rng, 0, True) for _ in range(n)],
            "audio": self._noise_vectors(rng, "audio", n),
            "image": self._noise_vectors(rng, "image", n),
        }

    # ------------------------------------------------------------------ references

    def bayes_vector_accuracy(self, m, x, y):
        """Accuracy of the Bayes-optimal classifier (true Gaussian parameters) on clean views."""
        v = self.vectors[m]
        cov = v["basis"].T @ v["basis"] + v["noise_std"] ** 2 * np.eye(v["dim"])
        prec = np.linalg.inv(cov)
        mu = v["means"]
        w = mu @ prec
        b = -0.5 * np.sum(w * mu, axis=1) + np.log(self.class_prior)
        pred = np.argmax(x.astype(np.float64) @ w.T + b, axis=1)
        return float(np.mean(pred == y))

    def bayes_text_accuracy(self, texts, y, rng):
        """Accuracy of the Bayes-optimal classifier on clean texts (ties broken at random)."""
        t = self.params["text"]
        k = self.num_classes
        index = {}
        for c, ws in enumerate(self.class_words):
            for w in ws:
                index.setdefault(w, []).append(c)
        correct = 0
        for s, label in zip(texts, y):
            counts = np.zeros(k)
            for w in s[:-1].lower().split(" "):
                for c in index.get(w, ()):
                    counts[c] += 1
            # With disjoint class vocabularies, every class word has the same likelihood ratio, so the
            # posterior is maximal for the classes with the most class words.
            best = np.flatnonzero(counts == counts.max())
            correct += int(rng.choice(best) == label)
        return correct / len(y)
