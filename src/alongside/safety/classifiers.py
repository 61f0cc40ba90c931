"""Small calibrated text classifiers for crisis risk, abuse and spam, loaded offline.

The screening engine asks three questions of every piece of member text: is the author at risk,
is it aimed at hurting someone, is it advertising. Rules catch the obvious cases; these models
give a calibrated probability for the rest and name the words that drove it, so a moderator can
see *why* something was held rather than trusting a number.

The models are trained by ``alongside.safety.training`` and shipped inside the package
(``data/classifiers/``) so a self-hosted instance needs no network and no GPU. They are loaded
with ``skops.io`` against an explicit allowlist of scikit-learn types: a model file is code-like
input, and a tampered file must fail to load rather than run whatever it contains. The manifest
records the sha256 of every model file and loading refuses a file that does not match.

Text goes through :func:`prepare_text` before training and before prediction; it is the one place
both sides share, so a model never sees text shaped differently from what it learnt on.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import zipfile
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from alongside.safety.screening.normalise import normalise_for_model

__all__ = [
    "MODEL_NAMES",
    "ClassifierLoadError",
    "ModelScore",
    "load_models",
    "model_version",
    "predict",
    "prepare_text",
]

MODEL_NAMES: tuple[str, ...] = ("crisis", "abuse", "spam")

# The only types a model file may hold beyond skops' own safe set (builtins, numpy arrays and the
# common scikit-learn estimators such as Pipeline, TfidfVectorizer and LogisticRegression). A file
# holding anything else was not written by our training script and is refused.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.model_selection._split.StratifiedKFold",
    }
)
_FORMAT = "alongside-classifier-1"

MAX_TOP_TERMS = 5
# Training text was message-sized (C-SSRS posts were cut into runs of at most 400 characters).
WINDOW_CHARS = 500
MAX_INPUT_CHARS = 10_000
# Char n-grams considered when crediting words: the strongest few carry nearly all the weight and
# looking at every one would cost more than the rest of the prediction.
_CHAR_FEATURES_FOR_TERMS = 40
# Words that never help a moderator on their own ("i" is a strong crisis feature, but showing it
# explains nothing). They still count inside phrases such as "kill myself".
_DISPLAY_STOPWORDS: frozenset[str] = frozenset(
    re.findall(
        r"\w+",
        """
    a an the and or but if of to in on at by for with from as is am are was were be been being it
    its this that these those i im ive id ill me my mine myself we us our you your youre u ur he
    she they them his her their so just do does did dont not no yes too very can could would
    should will have has had get got go going what when where who how why all any some there here
    than then now up out about into over again also really like
    """,
    )
)
_WORD_RE = re.compile(r"\w+")

_MANIFEST_NAME = "manifest.json"
_PACKAGE = "alongside.safety"


class ClassifierLoadError(RuntimeError):
    """A model file is missing, altered, or contains types outside the allowlist."""


@dataclass(frozen=True)
class ModelScore:
    """One model's view of one text."""

    probability: float  # calibrated probability of the positive class, 0..1
    top_terms: tuple[str, ...]  # up to 5 terms that pushed the score up, most first


@dataclass(frozen=True)
class _Features:
    """One fitted TfidfVectorizer reduced to what scoring needs.

    ``TfidfVectorizer.transform`` spends most of its time on input validation and sparse-matrix
    bookkeeping, about 0.3 ms per call; three models with two vectorisers each would use the
    whole latency budget before any scoring. For ``sublinear_tf`` with l2 norm the arithmetic is
    short enough to do here, and a test checks it against the pipeline's own ``predict_proba``.
    """

    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    names: np.ndarray

    @classmethod
    def from_vectoriser(cls, vectoriser: TfidfVectorizer, names: np.ndarray) -> _Features:
        if not (vectoriser.sublinear_tf and vectoriser.norm == "l2" and vectoriser.use_idf):
            raise ClassifierLoadError("vectoriser settings differ from the training script's")
        return cls(
            analyzer=vectoriser.build_analyzer(),
            vocabulary=vectoriser.vocabulary_,
            idf=np.asarray(vectoriser.idf_, dtype=np.float64),
            names=names,
        )

    def transform(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Feature indices and tf-idf values (l2-normalised) of ``text``."""
        counts: dict[int, int] = {}
        vocabulary = self.vocabulary
        for gram in self.analyzer(text):
            index = vocabulary.get(gram)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float64)
        indices = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        values = (np.log(tf) + 1.0) * self.idf[indices]
        norm = float(np.sqrt(values @ values))
        return indices, values / norm if norm > 0 else values


@dataclass(frozen=True)
class _LoadedModel:
    """The pieces of a fitted pipeline that prediction needs, pulled out once at load time.

    The pipeline itself is kept so tests can check the fast path against ``predict_proba``.
    """

    name: str
    pipeline: Pipeline
    word: _Features
    char: _Features
    word_coef: np.ndarray
    char_coef: np.ndarray
    intercept: float
    calibrator: Any

    def decision(self, text: str) -> tuple[float, _Vector, _Vector]:
        """The logistic regression's decision value, with the feature vectors that made it."""
        # Each vectoriser normalises its own block; FeatureUnion only concatenates them, so the
        # decision is the sum of the two blocks' dot products with their coefficients.
        word_idx, word_val = self.word.transform(text)
        char_idx, char_val = self.char.transform(text)
        value = (
            float(word_val @ self.word_coef[word_idx])
            + float(char_val @ self.char_coef[char_idx])
            + self.intercept
        )
        return value, (word_idx, word_val), (char_idx, char_val)

    def probability(self, decision: float) -> float:
        calibrated = self.calibrator.predict(np.array([decision]))
        return float(np.clip(calibrated[0], 0.0, 1.0))


_Vector = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class _State:
    manifest: dict[str, Any]
    models: dict[str, _LoadedModel]


_state: _State | None = None
_lock = threading.Lock()


def prepare_text(text: str) -> str:
    """The exact string the models are trained and scored on.

    ``normalise_for_model`` undoes disguises ("kms", "k.i.l.l") and casefolds; apostrophes are
    then dropped because the public training corpora spell "dont" and "im" without them while
    members write "don't" and "I'm", and the two must land on the same feature.
    """
    return normalise_for_model(text).replace("'", "")


def _data_dir() -> Any:
    return resources.files(_PACKAGE).joinpath("data", "classifiers")


def _read_manifest() -> dict[str, Any]:
    try:
        raw = _data_dir().joinpath(_MANIFEST_NAME).read_text("utf-8")
    except FileNotFoundError as error:
        raise ClassifierLoadError("manifest.json is missing; run the training") from error
    manifest: dict[str, Any] = json.loads(raw)
    return manifest


def dump_pipeline(pipeline: Pipeline, path: Path) -> None:
    """Write a fitted pipeline in the on-disk layout :func:`_load_pipeline` reads.

    skops writes a vectoriser's ``vocabulary_`` dict entry by entry into its JSON schema, which
    for 45,000 n-grams makes a 50 MB file that takes seconds to load. The vocabularies are
    therefore stored as plain string arrays (ordered by feature index) next to the pipeline and
    turned back into dicts on load. The archive is then made byte-for-byte reproducible (see
    :func:`_canonical_archive`), so retraining on unchanged data changes no file.
    """
    copy = deepcopy(pipeline)
    vocabularies: dict[str, np.ndarray] = {}
    for name, vectoriser in copy.named_steps["features"].transformer_list:
        vocabularies[name] = np.asarray(vectoriser.get_feature_names_out(), dtype=str)
        vectoriser.vocabulary_ = {}
        # A cached id() of the stop-word list; scikit-learn recomputes it when absent.
        vectoriser.__dict__.pop("_stop_words_id", None)
    payload = {"format": _FORMAT, "pipeline": copy, "vocabularies": vocabularies}
    path.write_bytes(_canonical_archive(sio.dumps(payload)))


_ARCHIVE_IDS = re.compile(r'("__id__": |"file": ")(\d+)')


def _canonical_archive(raw: bytes) -> bytes:
    """Renumber skops' object ids in order of appearance and fix the archive's timestamps.

    skops names array files and memo entries by ``id()`` of the live objects and stamps the
    zip entries with the current time, so two identical trainings give different bytes.
    """
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        schema = source.read("schema.json").decode("utf-8")
        members = {name: source.read(name) for name in source.namelist()}
    numbers: dict[str, str] = {}

    def renumber(match: re.Match[str]) -> str:
        number = numbers.setdefault(match.group(2), str(len(numbers) + 1))
        return match.group(1) + number

    schema = _ARCHIVE_IDS.sub(renumber, schema)
    renamed = {"schema.json": schema.encode("utf-8")}
    for name, data in members.items():
        if name != "schema.json":
            renamed[f"{numbers[name.removesuffix('.npy')]}.npy"] = data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ["schema.json", *sorted(set(renamed) - {"schema.json"})]:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, renamed[name])
    return out.getvalue()


def _load_pipeline(name: str, expected_sha256: str) -> tuple[Pipeline, dict[str, np.ndarray]]:
    try:
        data = _data_dir().joinpath(f"{name}.skops").read_bytes()
    except FileNotFoundError as error:
        raise ClassifierLoadError(f"model file {name}.skops is missing") from error
    if hashlib.sha256(data).hexdigest() != expected_sha256:
        raise ClassifierLoadError(f"{name}.skops does not match the sha256 in manifest.json")
    found = set(sio.get_untrusted_types(data=data))
    unexpected = sorted(found - TRUSTED_TYPES)
    if unexpected:
        raise ClassifierLoadError(f"{name}.skops contains untrusted types: {unexpected}")
    payload = sio.loads(data, trusted=sorted(found))
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise ClassifierLoadError(f"{name}.skops is not in the expected format")
    pipeline = payload["pipeline"]
    vocabularies: dict[str, np.ndarray] = payload["vocabularies"]
    if not isinstance(pipeline, Pipeline):
        raise ClassifierLoadError(f"{name}.skops does not hold a Pipeline")
    for step, vectoriser in pipeline.named_steps["features"].transformer_list:
        terms = vocabularies[step].tolist()
        vectoriser.vocabulary_ = {term: index for index, term in enumerate(terms)}
    return pipeline, vocabularies


def _unpack(name: str, pipeline: Pipeline, vocabularies: dict[str, np.ndarray]) -> _LoadedModel:
    features = pipeline.named_steps["features"]
    classifier = pipeline.named_steps["classifier"]
    if not isinstance(features, FeatureUnion) or not isinstance(classifier, CalibratedClassifierCV):
        raise ClassifierLoadError(f"{name}.skops has an unexpected pipeline layout")
    word = dict(features.transformer_list)["word"]
    char = dict(features.transformer_list)["char"]
    if len(classifier.calibrated_classifiers_) != 1:
        raise ClassifierLoadError(f"{name}.skops must be calibrated with ensemble=False")
    calibrated = classifier.calibrated_classifiers_[0]
    coef = np.asarray(calibrated.estimator.coef_, dtype=np.float64).ravel()
    word_size = len(word.vocabulary_)
    return _LoadedModel(
        name=name,
        pipeline=pipeline,
        word=_Features.from_vectoriser(word, vocabularies["word"]),
        char=_Features.from_vectoriser(char, vocabularies["char"]),
        word_coef=coef[:word_size],
        char_coef=coef[word_size:],
        intercept=float(np.asarray(calibrated.estimator.intercept_).ravel()[0]),
        calibrator=calibrated.calibrators[0],
    )


def load_models() -> None:
    """Load all three models once; later calls return at once. Safe to call from any thread."""
    _get_state()


def _get_state() -> _State:
    global _state
    state = _state
    if state is not None:
        return state
    with _lock:
        if _state is None:
            manifest = _read_manifest()
            models = {
                name: _unpack(name, *_load_pipeline(name, manifest["models"][name]["sha256"]))
                for name in MODEL_NAMES
            }
            _state = _State(manifest=manifest, models=models)
        return _state


def model_version() -> str:
    """The version string of the shipped models, recorded with every screening decision."""
    state = _state
    manifest = state.manifest if state is not None else _read_manifest()
    return str(manifest["version"])


def predict(text: str) -> dict[str, ModelScore]:
    """Score raw member text with every model; normalisation happens here, not in the caller.

    Text longer than :data:`WINDOW_CHARS` is scored in windows of two sentences and each model
    reports its highest-scoring window: the models learnt on message-sized text, and one
    sentence of crisis in a long post would otherwise be diluted by everything around it. Only
    the first :data:`MAX_INPUT_CHARS` characters are scored, which bounds the cost of a huge
    paste; the screening rules still see the whole text.
    """
    state = _get_state()
    prepared = prepare_text(text[:MAX_INPUT_CHARS])
    best: dict[str, tuple[float, str, float, _Vector, _Vector]] = {}
    for window in _windows(prepared):
        for name in MODEL_NAMES:
            model = state.models[name]
            decision, word_x, char_x = model.decision(window)
            if name not in best or decision > best[name][0]:
                best[name] = (decision, window, model.probability(decision), word_x, char_x)
    owners: dict[str, dict[str, tuple[str, ...]]] = {}
    scores: dict[str, ModelScore] = {}
    for name in MODEL_NAMES:
        _decision, window, probability, word_x, char_x = best[name]
        if window not in owners:
            owners[window] = _char_ngram_owners(window)
        scores[name] = ModelScore(
            probability=probability,
            top_terms=_top_terms(state.models[name], word_x, char_x, owners[window]),
        )
    return scores


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


def _windows(prepared: str) -> list[str]:
    """Overlapping pairs of adjacent sentences, each at most ``WINDOW_CHARS`` long.

    Pairs rather than single sentences keep a little context ("I wanted to die. That was ten
    years ago."), and overlapping them means every sentence is seen next to both neighbours.
    """
    if len(prepared) <= WINDOW_CHARS:
        return [prepared]
    sentences: list[str] = []
    for sentence in _SENTENCE_BREAK.split(prepared):
        while len(sentence) > WINDOW_CHARS:
            cut = sentence.rfind(" ", 0, WINDOW_CHARS)
            cut = cut if cut > 0 else WINDOW_CHARS
            sentences.append(sentence[:cut])
            sentence = sentence[cut:].lstrip()
        if sentence:
            sentences.append(sentence)
    windows: list[str] = []
    covered = False  # whether this sentence was already scored as the second of a pair
    for index, sentence in enumerate(sentences):
        following = sentences[index + 1] if index + 1 < len(sentences) else ""
        if following and len(sentence) + 1 + len(following) <= WINDOW_CHARS:
            windows.append(f"{sentence} {following}")
            covered = True
        else:
            if not covered:
                windows.append(sentence)
            covered = False
    return list(dict.fromkeys(windows))


def _char_ngram_owners(prepared: str) -> dict[str, tuple[str, ...]]:
    """Map every 2-5 char n-gram ``char_wb`` can produce to the words it came from.

    Char n-grams ("ll mys") are what catch misspellings, but a moderator needs words; a char
    feature's contribution is shared among the words that contain it.
    """
    owners: dict[str, list[str]] = {}
    for raw in dict.fromkeys(prepared.split()):
        words = _WORD_RE.findall(raw)
        if not words:
            continue
        display = " ".join(words)
        padded = f" {raw} "
        for size in range(2, 6):
            for start in range(len(padded) - size + 1):
                bucket = owners.setdefault(padded[start : start + size], [])
                if display not in bucket:
                    bucket.append(display)
    return {gram: tuple(words) for gram, words in owners.items()}


def _top_terms(
    model: _LoadedModel,
    word_x: _Vector,
    char_x: _Vector,
    owners: dict[str, tuple[str, ...]],
) -> tuple[str, ...]:
    """Up to five words or phrases with the largest positive contribution (value x coefficient).

    Char n-gram contributions are credited to the words that contain them. A phrase ("kill
    myself") is ranked by its own weight plus its words' positive weight, so a moderator sees
    the phrase rather than its parts; words already shown inside a phrase are not repeated.
    """
    word_idx, word_val = word_x
    char_idx, char_val = char_x
    words: dict[str, float] = {}
    phrases: dict[str, float] = {}
    word_contrib = word_val * model.word_coef[word_idx]
    for index, value in zip(word_idx.tolist(), word_contrib.tolist(), strict=True):
        term = str(model.word.names[index])
        target = phrases if " " in term else words
        target[term] = target.get(term, 0.0) + value
    char_contrib = char_val * model.char_coef[char_idx]
    positive = np.flatnonzero(char_contrib > 0)
    if positive.size > _CHAR_FEATURES_FOR_TERMS:
        strongest = np.argpartition(-char_contrib[positive], _CHAR_FEATURES_FOR_TERMS)
        positive = positive[strongest[:_CHAR_FEATURES_FOR_TERMS]]
    for position in positive.tolist():
        gram = str(model.char.names[char_idx[position]])
        holders = owners.get(gram, ())
        for word in holders:
            words[word] = words.get(word, 0.0) + float(char_contrib[position]) / len(holders)

    scores = {term: value for term, value in words.items() if value > 0}
    for phrase, value in phrases.items():
        if value > 0:
            scores[phrase] = value + sum(max(words.get(part, 0.0), 0.0) for part in phrase.split())

    chosen: list[str] = []
    covered: set[str] = set()
    for term, _score in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
        parts = term.split()
        if all(part in _DISPLAY_STOPWORDS or len(part) < 2 for part in parts):
            continue
        if all(part in covered or part in _DISPLAY_STOPWORDS for part in parts):
            continue
        chosen.append(term)
        covered.update(parts)
        if len(chosen) == MAX_TOP_TERMS:
            break
    return tuple(chosen)
