"""Reproducible training of the crisis, abuse and spam classifiers shipped with Alongside.

Run from the repository root::

    python -m alongside.safety.training --datasets ../shared/datasets \\
        --out src/alongside/safety/data/classifiers

Why it is built this way:

* **Three public corpora teach vocabulary; our own invented examples teach the domain.** None of
  the public sets is peer-support text (Reddit C-SSRS users, 2017 tweets, SMS), so the invented
  examples in ``data/training_examples.jsonl`` carry a fixed share of the total sample weight that
  does not shrink as the public sets grow. Each model's invented rows for the *other* models are
  added as extra negatives (a goodbye post is not spam; "kill yourself loser" is abuse, not the
  author's crisis).
* **Labels are mapped for a peer-support site, not copied.** See :func:`load_cssrs` and
  :func:`davidson_label` for what counts as crisis and as abuse, and why swearing alone is not
  abuse here.
* **Everything is deterministic.** Inputs are sorted, every random choice takes :data:`SEED`, and
  the same data and code produce the same coefficients (a test checks this). The held-out split is
  by user for C-SSRS, since its labels describe users, not posts.
* **Metrics come from a held-out split; the shipped model is then refitted on every row** with the
  same settings, because the invented examples are too few to leave a fifth of them unused.
  Thresholds are not chosen here: the project's development set decides them.
"""

from __future__ import annotations

import argparse
import ast
import csv
import datetime as dt
import hashlib
import html
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import sklearn
import skops
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    brier_score_loss,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline

from alongside.safety.classifiers import MODEL_NAMES, dump_pipeline, prepare_text
from alongside.safety.screening.normalise import normalise_for_model

SEED = 20261121
HOLDOUT_FRACTION = 0.2
CSSRS_FILE = "reddit_cssrs_500_users.csv"
DAVIDSON_FILE = "davidson2017_hate_offensive.csv"
SMS_FILE = "sms_spam_collection.tsv"
INVENTED_FILE = Path(__file__).resolve().parent / "data" / "training_examples.jsonl"

# C-SSRS levels that make a user a crisis positive. "Indicator" users show risk factors without
# ideation (low mood, loneliness); the screening must not flag ordinary distress as crisis, so they
# are negatives, alongside "Supportive" users who mostly write to others.
CSSRS_POSITIVE = frozenset({"Ideation", "Behavior", "Attempt"})
CSSRS_NEGATIVE = frozenset({"Supportive", "Indicator"})
CHUNK_CHARS = 400

# At-risk users write mostly about other things (work, games, replies to others); a positive
# user's run is only used for training when it mentions death, self-harm or a means, which
# keeps label noise down. Negative users' runs are all kept, so the same words in recovery
# stories and support replies are learnt as negatives too. Held-out runs are not filtered.
_RISK_WORDS = re.compile(
    r"\b(?:die|dying|dead|death|suicid\w*|kill\w*|end (?:it|my life|things)|overdos\w*|pills?|"
    r"cut(?:ting)?|self.?harm\w*|hurt(?:ing)? myself|hang\w*|jump\w*|alive|living|"
    r"goodbye|burden|disappear|gone|note|plan\w*|attempt\w*|rope|bridge|gun|wrists?|blades?)\b",
    re.IGNORECASE,
)
# scikit-learn's default token pattern drops one-letter words; "i" is a crisis signal.
_WORD_TOKENS = r"(?u)\b\w+\b"
_FIRST_PERSON = frozenset(["i", "im", "ive", "id", "ill", "me", "my", "mine", "myself"])
_SECOND_PERSON = frozenset(["you", "your", "youre", "youve", "yourself", "yours", "u", "ur"])

# Davidson's "offensive" class is mostly profanity and slang. Only offensive tweets where an insult
# sits next to a second-person address ("you stupid bitch", "bitch, you ...") count as abuse;
# the rest of that class is dropped as ambiguous rather than guessed either way.
_INSULT = (
    r"(?:bitch\w*|hoes?|whore\w*|slut\w*|cunt\w*|fag\w*|retard\w*|idiot\w*|stupid|dumb\w*|"
    r"loser\w*|ugly|trash|pussy|dick\w*|bastard\w*|twat\w*|skank\w*|thot\w*|moron\w*|nigger\w*|"
    r"coon\w*|wetback\w*|spic\w*|tranny|dyke\w*|queer\w*|chink\w*|cracker\w*|clown\w*|pathetic|"
    r"worthless|scum)"
)
_ADDRESS = r"(?:you|u|ur|your|youre|you're|ya|yall|y'all)"
_TARGETED_INSULT = re.compile(
    rf"\b{_ADDRESS}\b(?:\W+\w+){{0,3}}?\W+{_INSULT}\b|\b{_INSULT}\b\W+(?:\w+\W+)?{_ADDRESS}\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ModelConfig:
    """Hyperparameters and how the total sample weight is shared between sources.

    ``shares`` maps a source group to its fraction of the total weight. Fixing the shares keeps
    the invented examples influential however many public rows there are.
    """

    name: str
    c: float
    word_max_features: int
    char_max_features: int
    shares: dict[str, float] = field(default_factory=dict)
    min_df: int = 2


CONFIGS: dict[str, ModelConfig] = {
    "crisis": ModelConfig(
        name="crisis",
        c=1.0,
        word_max_features=20_000,
        char_max_features=25_000,
        shares={"public": 0.30, "invented": 0.55, "invented_cross": 0.15},
    ),
    "abuse": ModelConfig(
        name="abuse",
        c=1.0,
        word_max_features=20_000,
        char_max_features=25_000,
        shares={"public": 0.35, "reddit_negatives": 0.15, "invented": 0.40, "invented_cross": 0.10},
    ),
    "spam": ModelConfig(
        name="spam",
        c=2.0,
        word_max_features=15_000,
        char_max_features=20_000,
        shares={"public": 0.40, "reddit_negatives": 0.10, "invented": 0.40, "invented_cross": 0.10},
    ),
}

# Normaliser output over these strings is hashed into the manifest: if ``normalise_for_model``
# changes, the hash no longer matches and the models must be retrained (a test checks it).
NORMALISER_PROBES: tuple[str, ...] = (
    "kms tonight",
    "I want to unalive myself",
    "thinking about ctb",
    "u r a l0ser, k.y.s",
    "This exam is KILLING me!!!",
    "Free entry in 2 a wkly comp to win FA Cup final tkts. Text FA to 87121",
    "I\u2019m fine \U0001f642 honestly, don't worry",
    "s.u.i.c.i.d.e is on my mind",
    "f*ck this week",
    "Visit https://example.com/Deals NOW",
)


@dataclass(frozen=True)
class Example:
    """One training or evaluation row, already prepared for the models."""

    text: str
    label: int
    group: str  # weight group: public, reddit_negatives, invented, invented_cross
    weight: float = 1.0  # relative weight inside its group
    user: str = ""  # C-SSRS user, for user-level evaluation


@dataclass(frozen=True)
class CssrsUser:
    user: str
    level: str
    chunks: tuple[str, ...]


# --- reading the sources -------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_post_list(raw: str) -> list[str]:
    """Parse a C-SSRS ``Post`` cell, a Python list literal.

    28 cells were cut at 32,759 characters (a spreadsheet's cell limit), leaving an unterminated
    string; for those the cut final post is closed off, or dropped when that is not possible.
    """
    for suffix in ("", "']", '"]'):
        try:
            value = ast.literal_eval(raw + suffix)
        except (SyntaxError, ValueError):
            continue
        if isinstance(value, list):
            return [str(item) for item in value]
    cut = max(raw.rfind(separator) for separator in ("', '", '", "', "', \"", "\", '"))
    if cut <= 0:
        return []
    value = ast.literal_eval(raw[: cut + 1] + "]")
    return [str(item) for item in value]


_BYTE_ESCAPES = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")


def clean_reddit(text: str) -> str:
    """Undo HTML entities and literal ``\\xe2\\x80\\x9c`` byte escapes left in the corpus."""

    def decode(match: re.Match[str]) -> str:
        raw = bytes(int(part, 16) for part in match.group(0).split("\\x")[1:])
        return raw.decode("utf-8", errors="ignore")

    text = _BYTE_ESCAPES.sub(decode, text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?])\s*(?=[A-Z\"'(])|\n+")


def chunk_post(text: str, max_chars: int = CHUNK_CHARS) -> list[str]:
    """Split a long post into runs of whole sentences of at most ``max_chars``.

    Members write messages, not essays; training on whole multi-page posts would teach the models
    the shape of a long Reddit post instead of the words that matter.
    """
    text = clean_reddit(text)
    if len(text) <= max_chars:
        return [text] if text else []
    chunks: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        if current and len(current) + 1 + len(sentence) > max_chars:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        chunks.append(current)
    return chunks


def is_first_person(text: str) -> bool:
    """True when the text talks about the writer more than to someone else.

    C-SSRS labels describe a user, and at-risk users also write many replies supporting others;
    those replies are not evidence of the writer's own risk, so they are left out of positives.
    """
    tokens = re.findall(r"[a-z]+", text.lower().replace("'", ""))
    first = sum(token in _FIRST_PERSON for token in tokens)
    second = sum(token in _SECOND_PERSON for token in tokens)
    return first >= 1 and first >= second


def load_cssrs(path: Path) -> list[CssrsUser]:
    users: list[CssrsUser] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            chunks = [chunk for post in parse_post_list(row["Post"]) for chunk in chunk_post(post)]
            users.append(CssrsUser(row["User"], row["Label"].strip(), tuple(chunks)))
    return sorted(users, key=lambda user: user.user)


def clean_tweet(text: str) -> str:
    """Drop retweet markers, @handles and links, which carry no meaning for our members."""
    text = html.unescape(html.unescape(text))
    text = re.sub(r"\bRT\b", " ", text)
    text = re.sub(r"@\w+:?", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    return re.sub(r"\s+", " ", text).strip(" :")


def davidson_label(crowd_class: int, text: str) -> int | None:
    """Abuse label for a Davidson tweet, or None to leave it out (see module constants)."""
    if crowd_class == 0:
        return 1
    if crowd_class == 2:
        return 0
    return 1 if _TARGETED_INSULT.search(text) else None


def load_davidson(path: Path) -> list[tuple[str, int]]:
    rows: list[tuple[str, int]] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = clean_tweet(row["tweet"])
            label = davidson_label(int(row["class"]), text)
            if text and label is not None:
                rows.append((text, label))
    return sorted(set(rows))


def load_sms(path: Path) -> list[tuple[str, int]]:
    rows: list[tuple[str, int]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            kind, _, text = line.rstrip("\n").partition("\t")
            if kind in {"ham", "spam"} and text.strip():
                rows.append((text.strip(), int(kind == "spam")))
    return sorted(set(rows))


def load_invented(path: Path = INVENTED_FILE) -> list[tuple[str, str, int]]:
    """Read the invented examples as (model, text, label), rejecting malformed lines loudly."""
    rows: list[tuple[str, str, int]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("model") not in MODEL_NAMES or item.get("label") not in (0, 1):
                raise ValueError(f"{path}:{number}: bad model or label")
            rows.append((str(item["model"]), str(item["text"]), int(item["label"])))
    return sorted(set(rows))


# --- building the data sets ----------------------------------------------------------------------


@dataclass
class Sources:
    """Every source, read and split once, so the three models share one held-out partition."""

    cssrs_train: list[CssrsUser]
    cssrs_test: list[CssrsUser]
    davidson_train: list[tuple[str, int]]
    davidson_test: list[tuple[str, int]]
    sms_train: list[tuple[str, int]]
    sms_test: list[tuple[str, int]]
    invented_train: list[tuple[str, str, int]]
    invented_test: list[tuple[str, str, int]]
    hashes: dict[str, str]

    def merged(self) -> Sources:
        """Every row on the training side, for the shipped model's final refit."""
        return Sources(
            cssrs_train=sorted(self.cssrs_train + self.cssrs_test, key=lambda u: u.user),
            cssrs_test=[],
            davidson_train=sorted(self.davidson_train + self.davidson_test),
            davidson_test=[],
            sms_train=sorted(self.sms_train + self.sms_test),
            sms_test=[],
            invented_train=sorted(self.invented_train + self.invented_test),
            invented_test=[],
            hashes=self.hashes,
        )


def _split(rows: Sequence[Any], strata: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    train, test = train_test_split(
        list(rows), test_size=HOLDOUT_FRACTION, random_state=SEED, stratify=list(strata)
    )
    return sorted(train), sorted(test)


def read_sources(datasets: Path, invented: Path = INVENTED_FILE) -> Sources:
    users = [
        user
        for user in load_cssrs(datasets / CSSRS_FILE)
        if user.level in CSSRS_POSITIVE | CSSRS_NEGATIVE
    ]
    by_name = {user.user: user for user in users}
    user_train, user_test = _split([u.user for u in users], [u.level for u in users])
    davidson = load_davidson(datasets / DAVIDSON_FILE)
    sms = load_sms(datasets / SMS_FILE)
    rows = load_invented(invented)
    davidson_train, davidson_test = _split(davidson, [label for _, label in davidson])
    sms_train, sms_test = _split(sms, [label for _, label in sms])
    invented_train, invented_test = _split(rows, [f"{m}:{label}" for m, _, label in rows])
    return Sources(
        cssrs_train=[by_name[name] for name in user_train],
        cssrs_test=[by_name[name] for name in user_test],
        davidson_train=davidson_train,
        davidson_test=davidson_test,
        sms_train=sms_train,
        sms_test=sms_test,
        invented_train=invented_train,
        invented_test=invented_test,
        hashes={
            name: sha256_file(datasets / name) for name in (CSSRS_FILE, DAVIDSON_FILE, SMS_FILE)
        }
        | {"training_examples.jsonl": sha256_file(invented)},
    )


def cssrs_examples(users: Sequence[CssrsUser], *, for_training: bool = True) -> list[Example]:
    """Crisis rows from C-SSRS users' first-person runs; every user carries the same weight.

    The first-person filter applies to both classes: filtering only positives would teach the
    model that writing "I" is itself a risk sign, since negatives would then be mostly replies
    to others. ``for_training`` adds the risk-word filter on positives (see ``_RISK_WORDS``).
    """
    examples: list[Example] = []
    for user in users:
        label = int(user.level in CSSRS_POSITIVE)
        chunks = [
            chunk
            for chunk in user.chunks
            if is_first_person(chunk)
            and (not label or not for_training or _RISK_WORDS.search(chunk))
        ]
        if not chunks:
            continue
        examples.extend(
            Example(chunk, label, "public", 1.0 / len(chunks), user.user) for chunk in chunks
        )
    return examples


def reddit_negatives(users: Sequence[CssrsUser], limit: int) -> list[Example]:
    """Reddit peer-support chunks as negatives for abuse and spam.

    They swear, talk about pain and mention suicide without attacking anyone or selling anything:
    the closest public text to what our members write.
    """
    chunks = sorted({chunk for user in users for chunk in user.chunks})
    rng = np.random.default_rng(SEED)
    picked = rng.choice(len(chunks), size=min(limit, len(chunks)), replace=False)
    return [Example(chunks[i], 0, "reddit_negatives") for i in sorted(picked)]


def invented_examples(rows: Sequence[tuple[str, str, int]], model: str) -> list[Example]:
    own = [Example(text, label, "invented") for m, text, label in rows if m == model]
    cross = [Example(text, 0, "invented_cross") for m, text, _label in rows if m != model]
    return own + cross


def model_examples(name: str, sources: Sources, *, test: bool) -> dict[str, list[Example]]:
    """The rows for one model, by evaluation set name (training uses them all together)."""
    users = sources.cssrs_test if test else sources.cssrs_train
    invented = invented_examples(sources.invented_test if test else sources.invented_train, name)
    sets: dict[str, list[Example]] = {
        "invented": [e for e in invented if e.group == "invented"],
        "invented_other_models": [e for e in invented if e.group == "invented_cross"],
    }
    if name == "crisis":
        sets["cssrs"] = cssrs_examples(users, for_training=not test)
    elif name == "abuse":
        davidson = sources.davidson_test if test else sources.davidson_train
        sets["davidson"] = [Example(text, label, "public") for text, label in davidson]
        sets["reddit_negatives"] = reddit_negatives(users, 1000 if test else 4000)
    else:
        sms = sources.sms_test if test else sources.sms_train
        sets["sms"] = [Example(text, label, "public") for text, label in sms]
        sets["reddit_negatives"] = reddit_negatives(users, 1000 if test else 3000)
    return sets


def weights_for(examples: Sequence[Example], shares: dict[str, float]) -> np.ndarray:
    """Sample weights giving each group its share of the total; mean weight is 1."""
    totals: dict[str, float] = defaultdict(float)
    for example in examples:
        totals[example.group] += example.weight
    present = {group: share for group, share in shares.items() if totals.get(group)}
    scale = sum(present.values())
    n = len(examples)
    return np.array(
        [
            example.weight / totals[example.group] * present[example.group] / scale * n
            for example in examples
        ],
        dtype=np.float64,
    )


# --- fitting and evaluation ----------------------------------------------------------------------


def build_features(config: ModelConfig, n_documents: int) -> FeatureUnion:
    """Word 1-2 grams for readable explanations, char 2-5 grams for misspellings and slang."""
    min_df = config.min_df if n_documents >= 50 else 1
    word = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        token_pattern=_WORD_TOKENS,
        min_df=min_df,
        max_df=0.9,
        max_features=config.word_max_features,
        sublinear_tf=True,
        dtype=np.float32,
    )
    char = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        min_df=min_df,
        max_df=0.9,
        max_features=config.char_max_features,
        sublinear_tf=True,
        dtype=np.float32,
    )
    return FeatureUnion([("word", word), ("char", char)])


def train_model(
    texts: Sequence[str],
    labels: Sequence[int],
    weights: Sequence[float] | np.ndarray,
    config: ModelConfig,
    seed: int = SEED,
) -> Pipeline:
    """Fit features, a logistic regression and a sigmoid calibration on prepared texts.

    The vectorisers are fitted once on all texts (they see no labels); ``CalibratedClassifierCV``
    with ``ensemble=False`` then fits the calibration on out-of-fold decisions and refits one
    logistic regression on everything, so the shipped model is a single linear model whose
    coefficients explain its score.
    """
    features = build_features(config, len(texts))
    matrix = features.fit_transform(list(texts))
    y = np.asarray(labels, dtype=np.int64)
    folds = max(2, min(5, int(np.bincount(y, minlength=2).min())))
    classifier = CalibratedClassifierCV(
        LogisticRegression(C=config.c, solver="liblinear", max_iter=2000, random_state=seed),
        method="sigmoid",
        cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed),
        ensemble=False,
    )
    classifier.fit(matrix, y, sample_weight=np.asarray(weights, dtype=np.float64))
    return Pipeline([("features", features), ("classifier", classifier)])


def reliability(labels: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> dict[str, Any]:
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(probabilities, edges[1:-1]), 0, bins - 1)
    table = []
    ece = 0.0
    for b in range(bins):
        mask = index == b
        if not mask.any():
            continue
        mean_p = float(probabilities[mask].mean())
        frac = float(labels[mask].mean())
        ece += mask.mean() * abs(mean_p - frac)
        table.append(
            {
                "bin": [round(float(edges[b]), 2), round(float(edges[b + 1]), 2)],
                "count": int(mask.sum()),
                "mean_predicted": round(mean_p, 4),
                "fraction_positive": round(frac, 4),
            }
        )
    return {"expected_calibration_error": round(float(ece), 4), "bins": table}


def evaluate(model: Pipeline, examples: Sequence[Example]) -> dict[str, Any]:
    """Held-out metrics at a 0.5 cut, plus ranking quality and calibration."""
    y = np.array([example.label for example in examples])
    p = model.predict_proba([example.text for example in examples])[:, 1]
    predicted = (p >= 0.5).astype(int)
    result: dict[str, Any] = {"n": len(y), "positives": int(y.sum())}
    if 0 < y.sum() < len(y):
        result |= {
            "precision": round(float(precision_score(y, predicted, zero_division=0)), 4),
            "recall": round(float(recall_score(y, predicted, zero_division=0)), 4),
            "f1": round(float(f1_score(y, predicted, zero_division=0)), 4),
            "roc_auc": round(float(roc_auc_score(y, p)), 4),
        }
    else:
        result["false_positive_rate"] = round(float(predicted.mean()), 4)
    result["brier"] = round(float(brier_score_loss(y, p, pos_label=1)), 4)
    result["reliability"] = reliability(y, p)
    users = [example.user for example in examples]
    if all(users):
        result["user_level"] = user_level_metrics(users, y, p)
    return result


def user_level_metrics(users: Sequence[str], y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """C-SSRS labels describe users: score a user by the mean of their three riskiest chunks."""
    scores: dict[str, list[float]] = defaultdict(list)
    label: dict[str, int] = {}
    for user, truth, prob in zip(users, y, p, strict=True):
        scores[user].append(float(prob))
        label[user] = int(truth)
    names = sorted(scores)
    user_y = np.array([label[name] for name in names])
    user_p = np.array([np.mean(sorted(scores[name])[-3:]) for name in names])
    return {
        "n_users": len(names),
        "positive_users": int(user_y.sum()),
        "roc_auc": round(float(roc_auc_score(user_y, user_p)), 4),
    }


def prepared(examples: Sequence[Example]) -> list[Example]:
    return [Example(prepare_text(e.text), e.label, e.group, e.weight, e.user) for e in examples]


def fit_on(examples: Sequence[Example], config: ModelConfig) -> Pipeline:
    weights = weights_for(examples, config.shares)
    return train_model(
        [e.text for e in examples], [e.label for e in examples], weights, config, SEED
    )


def _label_counts(examples: Sequence[Example]) -> dict[str, int]:
    return dict(sorted(Counter(str(example.label) for example in examples).items()))


def counts(examples: Sequence[Example]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for example in examples:
        table[example.group][str(example.label)] += 1
    return {group: dict(sorted(c.items())) for group, c in sorted(table.items())}


def parameters_fingerprint(model: Pipeline) -> str:
    """A digest of what the model computes: vocabularies, idf, coefficients and calibration.

    The ``.skops`` bytes differ between identical trainings (skops names array files by object
    id and stamps the time), so reproducibility is checked on this digest instead.
    """
    digest = hashlib.sha256()
    for name, vectoriser in model.named_steps["features"].transformer_list:
        digest.update(name.encode())
        digest.update("\n".join(vectoriser.get_feature_names_out()).encode("utf-8"))
        digest.update(np.ascontiguousarray(vectoriser.idf_, dtype=np.float64).tobytes())
    calibrated = model.named_steps["classifier"].calibrated_classifiers_[0]
    for array in (
        calibrated.estimator.coef_,
        calibrated.estimator.intercept_,
        [calibrated.calibrators[0].a_, calibrated.calibrators[0].b_],
    ):
        digest.update(np.round(np.asarray(array, dtype=np.float64), 10).tobytes())
    return digest.hexdigest()


def normaliser_fingerprint() -> str:
    joined = "\n".join(normalise_for_model(probe) for probe in NORMALISER_PROBES)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


SOURCES_INFO: dict[str, dict[str, str]] = {
    CSSRS_FILE: {
        "licence": "CC BY 4.0",
        "citation": "Gaur et al., Knowledge-aware Assessment of Severity of Suicide Risk for "
        "Early Intervention, WWW 2019; doi:10.5281/zenodo.2667859",
        "used_for": "crisis (users); abuse and spam (negatives)",
    },
    DAVIDSON_FILE: {
        "licence": "MIT",
        "citation": "Davidson, Warmsley, Macy & Weber, Automated Hate Speech Detection and the "
        "Problem of Offensive Language, ICWSM 2017",
        "used_for": "abuse",
    },
    SMS_FILE: {
        "licence": "CC BY 4.0",
        "citation": "Almeida, Gomez Hidalgo & Yamakami, Contributions to the Study of SMS Spam "
        "Filtering, DocEng 2011 (UCI repository)",
        "used_for": "spam",
    },
    "training_examples.jsonl": {
        "licence": "project's own",
        "citation": "invented peer-support examples written for Alongside; no real posts",
        "used_for": "crisis, abuse, spam",
    },
}

LABELLING: dict[str, str] = {
    "crisis": "C-SSRS users at Ideation/Behavior/Attempt = 1, Supportive/Indicator = 0; posts cut "
    "into <=400-char sentence runs; only first-person runs are used, and for training a positive "
    "user's run must also mention death, self-harm or a means; each user weighs the same. "
    "Held-out C-SSRS metrics use every first-person run with its user's label, so chunk-level "
    "figures are a noisy lower bound and user_level is the meaningful one.",
    "abuse": "Davidson hate = 1, neither = 0, offensive = 1 only when an insult sits next to a "
    "second-person address, otherwise dropped; Reddit peer-support runs = 0.",
    "spam": "SMS spam = 1, ham = 0; Reddit peer-support runs = 0.",
}


def train_all(datasets: Path, out: Path, *, version: str, trained_on: str) -> dict[str, Any]:
    sources = read_sources(datasets)
    everything = sources.merged()
    manifest: dict[str, Any] = {
        "version": version,
        "trained_on": trained_on,
        "seed": SEED,
        "libraries": {
            "scikit-learn": sklearn.__version__,
            "skops": skops.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
        },
        "normaliser_fingerprint": normaliser_fingerprint(),
        "sources": {
            name: {"sha256": digest} | SOURCES_INFO[name]
            for name, digest in sorted(sources.hashes.items())
        },
        "evaluation": "metrics are for a model fitted with the same settings on the training "
        f"split ({1 - HOLDOUT_FRACTION:.0%}; C-SSRS split by user); the shipped model is refitted "
        "on all rows. Cut at probability 0.5; choose real thresholds on the development set.",
        "models": {},
    }
    out.mkdir(parents=True, exist_ok=True)
    for name in MODEL_NAMES:
        config = CONFIGS[name]
        train_sets = model_examples(name, sources, test=False)
        test_sets = model_examples(name, sources, test=True)
        train_rows = prepared([e for rows in train_sets.values() for e in rows])
        held_out = fit_on(train_rows, config)
        metrics = {key: evaluate(held_out, prepared(rows)) for key, rows in test_sets.items()}
        final_sets = model_examples(name, everything, test=False)
        final_rows = prepared([e for rows in final_sets.values() for e in rows])
        model = fit_on(final_rows, config)
        path = out / f"{name}.skops"
        dump_pipeline(model, path)
        features = model.named_steps["features"]
        manifest["models"][name] = {
            "file": path.name,
            "sha256": sha256_file(path),
            "parameters_sha256": parameters_fingerprint(model),
            "bytes": path.stat().st_size,
            "labelling": LABELLING[name],
            "hyperparameters": {
                "C": config.c,
                "word_ngrams": [1, 2],
                "char_wb_ngrams": [2, 5],
                "word_features": len(dict(features.transformer_list)["word"].vocabulary_),
                "char_features": len(dict(features.transformer_list)["char"].vocabulary_),
                "weight_shares": config.shares,
                "calibration": "CalibratedClassifierCV(sigmoid, ensemble=False)",
            },
            "examples": {
                "train_split": counts(train_rows),
                "held_out": {key: _label_counts(rows) for key, rows in test_sets.items()},
                "shipped_model": counts(final_rows),
            },
            "held_out_metrics": metrics,
        }
        print(f"{name}: " + json.dumps({k: _summary(v) for k, v in metrics.items()}))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _summary(metrics: dict[str, Any]) -> dict[str, Any]:
    keys = ("n", "precision", "recall", "roc_auc", "brier", "false_positive_rate")
    summary = {key: metrics[key] for key in keys if key in metrics}
    if "user_level" in metrics:
        summary["user_auc"] = metrics["user_level"]["roc_auc"]
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--datasets", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--out", type=Path, default=Path("src/alongside/safety/data/classifiers"))
    today = dt.datetime.now(dt.UTC).date()
    parser.add_argument("--date", default=today.isoformat(), help="training date (YYYY-MM-DD)")
    parser.add_argument("--version", default=None, help="default: date as YYYY.MM.DD-1")
    args = parser.parse_args(argv)
    trained_on = dt.date.fromisoformat(args.date)
    version = args.version or f"{trained_on:%Y.%m.%d}-1"
    train_all(args.datasets, args.out, version=version, trained_on=trained_on.isoformat())
    return 0


if __name__ == "__main__":
    sys.exit(main())
