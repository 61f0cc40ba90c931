"""Tests for the shipped crisis, abuse and spam classifiers.

They check what the screening engine relies on: the models load offline from the package and
refuse altered files, probabilities are ordered the right way round on cases that matter on a
peer-support site (hyperbole, swearing about oneself, helpline numbers), explanations name words
that are really in the text, the manifest matches the files, and training is reproducible.
None of the texts below is in ``training_examples.jsonl`` (a test checks that too).
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from alongside.safety import classifiers, training
from alongside.safety.classifiers import MODEL_NAMES, ModelScore, predict, prepare_text

MODEL_DIR = Path(classifiers.__file__).resolve().parent / "data" / "classifiers"
DATASETS = Path(__file__).resolve().parents[4].parent / "shared" / "datasets"

CRISIS = "I've got the tablets lined up on the table and I'm going to swallow all of them tonight."
HYPERBOLE = "ugh this essay deadline is actually killing me, three thousand words by monday"
TARGETED = "You're a worthless idiot and everyone in here is sick of you, just leave."
SELF_SWEARING = "Honestly I feel like absolute shit this morning, fuck my anxiety."
PRIZE_SPAM = "URGENT! You have won a £500 Tesco voucher. Text WIN to 81234 now to claim your prize!"
ORDINARY = "Had my first counselling session today and it went better than I expected."
HELPLINE = "If tonight gets too much, Samaritans answer 24/7 on 116 123, and it's free to call."

TEST_TEXTS = (CRISIS, HYPERBOLE, TARGETED, SELF_SWEARING, PRIZE_SPAM, ORDINARY, HELPLINE)


def _manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((MODEL_DIR / "manifest.json").read_text("utf-8"))
    return manifest


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the cached models for one test; the original cache comes back afterwards."""
    monkeypatch.setattr(classifiers, "_state", None)


def test_models_load_offline_and_quickly(
    fresh_state: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("loading the classifiers must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    started = time.perf_counter()
    classifiers.load_models()
    elapsed = time.perf_counter() - started
    assert classifiers._state is not None
    assert set(classifiers._state.models) == set(MODEL_NAMES)
    # Measured at about 0.2 s; the slack is for loaded CI machines, not for a slower format.
    assert elapsed < 3.0


def test_load_is_idempotent_and_thread_safe(fresh_state: None) -> None:
    seen: list[object] = []

    def load() -> None:
        classifiers.load_models()
        seen.append(classifiers._state)

    threads = [threading.Thread(target=load) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 6
    assert all(state is seen[0] for state in seen)
    classifiers.load_models()
    assert classifiers._state is seen[0]


def test_model_version_comes_from_manifest() -> None:
    assert classifiers.model_version() == _manifest()["version"]
    assert classifiers.model_version()


@pytest.mark.parametrize(
    "text", [*TEST_TEXTS, "", "   ", "🙂🙂🙂", "word " * 6_000, "k.i.l.l m.y.s.e.l.f", "ok"]
)
def test_probabilities_are_probabilities(text: str) -> None:
    scores = predict(text)
    assert tuple(scores) == MODEL_NAMES
    for score in scores.values():
        assert isinstance(score, ModelScore)
        assert 0.0 <= score.probability <= 1.0
        assert len(score.top_terms) <= classifiers.MAX_TOP_TERMS
        assert all(isinstance(term, str) and term for term in score.top_terms)


def test_fast_path_matches_the_pipeline() -> None:
    """``predict`` skips scikit-learn's transform for speed; it must compute the same thing."""
    classifiers.load_models()
    assert classifiers._state is not None
    prepared = [prepare_text(text) for text in TEST_TEXTS]
    for name, model in classifiers._state.models.items():
        expected = model.pipeline.predict_proba(prepared)[:, 1]
        actual = [predict(text)[name].probability for text in TEST_TEXTS]
        np.testing.assert_allclose(actual, expected, atol=1e-6)


def test_clear_crisis_scores_above_hyperbole() -> None:
    crisis = predict(CRISIS)["crisis"].probability
    hyperbole = predict(HYPERBOLE)["crisis"].probability
    assert crisis > hyperbole
    assert crisis > 0.5
    assert hyperbole < 0.5


def test_disguised_crisis_language_is_understood() -> None:
    """Slang expansion happens inside ``predict``: callers pass raw text."""
    assert predict("honestly might just kms tonight")["crisis"].probability > 0.5
    assert (
        predict("honestly might just kms tonight")["crisis"].probability
        > predict("honestly might just go to bed early tonight")["crisis"].probability
    )


def test_targeted_insult_scores_above_self_directed_swearing() -> None:
    targeted = predict(TARGETED)["abuse"].probability
    swearing = predict(SELF_SWEARING)["abuse"].probability
    assert targeted > swearing
    assert targeted > 0.5
    assert swearing < 0.5


def test_crisis_in_a_long_post_is_not_diluted() -> None:
    """One alarming sentence in a long, ordinary post still dominates the crisis score."""
    filler = " ".join(
        f"On day {day} we walked to the shop, bought bread and talked about the weather."
        for day in range(40)
    )
    alone = predict(CRISIS)["crisis"].probability
    buried = predict(f"{filler} {CRISIS} {filler}")["crisis"].probability
    assert buried > 0.5
    assert buried > alone - 0.2
    assert predict(filler)["crisis"].probability < 0.5


def test_telling_someone_to_kill_themselves_is_abuse_not_the_writers_crisis() -> None:
    scores = predict("nobody likes you here, go kill yourself you loser")
    assert scores["abuse"].probability > 0.5
    assert scores["abuse"].probability > scores["crisis"].probability


def test_prize_spam_scores_high_and_ordinary_post_low() -> None:
    assert predict(PRIZE_SPAM)["spam"].probability > 0.8
    assert predict(ORDINARY)["spam"].probability < 0.2


def test_helpline_number_is_not_spam() -> None:
    assert predict(HELPLINE)["spam"].probability < 0.5
    assert predict(HELPLINE)["spam"].probability < predict(PRIZE_SPAM)["spam"].probability


@pytest.mark.parametrize(
    ("text", "model"), [(CRISIS, "crisis"), (TARGETED, "abuse"), (PRIZE_SPAM, "spam")]
)
def test_top_terms_are_words_from_the_text(text: str, model: str) -> None:
    terms = predict(text)[model].top_terms
    assert terms
    assert len(set(terms)) == len(terms)
    tokens = set(classifiers._WORD_RE.findall(prepare_text(text)))
    for term in terms:
        assert set(term.split()) <= tokens, term


def test_manifest_matches_the_shipped_files() -> None:
    manifest = _manifest()
    assert manifest["version"]
    assert set(manifest["models"]) == set(MODEL_NAMES)
    for name, entry in manifest["models"].items():
        path = MODEL_DIR / entry["file"]
        assert path.name == f"{name}.skops"
        assert _sha256(path) == entry["sha256"]
        assert path.stat().st_size == entry["bytes"]
        assert path.stat().st_size < 4 * 1024 * 1024
        metrics = entry["held_out_metrics"]
        assert 0.0 <= metrics["invented"]["brier"] <= 0.25
        assert metrics["invented"]["roc_auc"] > 0.8
    examples = training.INVENTED_FILE
    assert manifest["sources"]["training_examples.jsonl"]["sha256"] == _sha256(examples), (
        "training_examples.jsonl changed since the models were trained: rerun the training"
    )


def test_manifest_matches_the_current_normaliser() -> None:
    assert _manifest()["normaliser_fingerprint"] == training.normaliser_fingerprint(), (
        "normalise_for_model() output changed since the models were trained: rerun the training"
    )


@pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is not checked out")
def test_manifest_records_the_public_datasets_used() -> None:
    sources = _manifest()["sources"]
    for name in (training.CSSRS_FILE, training.DAVIDSON_FILE, training.SMS_FILE):
        assert sources[name]["sha256"] == _sha256(DATASETS / name)
        assert sources[name]["licence"]


def test_altered_model_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(classifiers.ClassifierLoadError, match="sha256"):
        classifiers._load_pipeline("crisis", "0" * 64)


def test_types_outside_the_allowlist_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifiers, "TRUSTED_TYPES", frozenset())
    entry = _manifest()["models"]["crisis"]
    with pytest.raises(classifiers.ClassifierLoadError, match="untrusted types"):
        classifiers._load_pipeline("crisis", entry["sha256"])


def test_predict_is_fast() -> None:
    """About 1 ms of CPU for all three models; the bound catches a return to slow paths."""
    classifiers.load_models()
    message = "I've been feeling really low this week and I don't know who to talk to about it."
    started = time.process_time()
    for index in range(200):
        predict(f"{message} {index}")
    per_call = (time.process_time() - started) / 200
    assert per_call < 0.006


def test_invented_examples_are_well_formed_and_not_reused_here() -> None:
    rows = [
        json.loads(line)
        for line in training.INVENTED_FILE.read_text("utf-8").splitlines()
        if line.strip()
    ]
    assert all(set(row) == {"text", "model", "label"} for row in rows)
    texts = [row["text"] for row in rows]
    assert len(texts) == len(set(texts))
    for name in MODEL_NAMES:
        labels = [row["label"] for row in rows if row["model"] == name]
        assert len(labels) >= 150
        assert 0.3 < sum(labels) / len(labels) < 0.7
    assert not set(TEST_TEXTS) & set(texts)


def test_training_is_reproducible(tmp_path: Path) -> None:
    rows = training.load_invented()
    rng = np.random.default_rng(7)
    picked = sorted(rng.choice(len(rows), size=240, replace=False).tolist())
    texts = [prepare_text(rows[i][1]) for i in picked]
    labels = [int(rows[i][0] == "crisis" and rows[i][2] == 1) for i in picked]
    config = training.ModelConfig(
        name="crisis", c=1.0, word_max_features=2_000, char_max_features=3_000
    )
    weights = np.ones(len(texts))
    first = training.train_model(texts, labels, weights, config, seed=11)
    second = training.train_model(texts, labels, weights, config, seed=11)
    assert training.parameters_fingerprint(first) == training.parameters_fingerprint(second)
    coef_first = first.named_steps["classifier"].calibrated_classifiers_[0].estimator.coef_
    coef_second = second.named_steps["classifier"].calibrated_classifiers_[0].estimator.coef_
    np.testing.assert_array_equal(coef_first, coef_second)
    np.testing.assert_array_equal(first.predict_proba(texts), second.predict_proba(texts))
    # The written files are identical too, so a rerun on unchanged data changes nothing.
    classifiers.dump_pipeline(first, tmp_path / "first.skops")
    classifiers.dump_pipeline(second, tmp_path / "second.skops")
    assert (tmp_path / "first.skops").read_bytes() == (tmp_path / "second.skops").read_bytes()


def test_truncated_cssrs_cells_are_recovered() -> None:
    assert training.parse_post_list("['first post', 'second po") == ["first post", "second po"]
    assert training.parse_post_list("['one', 'two']") == ["one", "two"]


def test_davidson_offensive_counts_only_when_aimed_at_someone() -> None:
    assert training.davidson_label(1, "you stupid bitch") == 1
    assert training.davidson_label(1, "this shit is so good lmao") is None
    assert training.davidson_label(0, "anything the annotators called hate") == 1
    assert training.davidson_label(2, "lovely weather") == 0


def test_first_person_filter() -> None:
    assert training.is_first_person("I don't think I can keep going")
    assert not training.is_first_person("You can do this, I believe in you and your strength")
