"""Property tests (hypothesis) for rma(): invariances that any correct implementation keeps."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from alongside.evaluation.stats.rma import TAU2_METHODS, rma

EXACT_METHODS = ("FE", "DL", "HE", "HS", "SJ", "PM")  # closed form or solved to ~1e-12
ALL_METHODS = TAU2_METHODS

effects = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False)
variances = st.floats(min_value=0.005, max_value=1.0, allow_nan=False, allow_infinity=False)


@st.composite
def studies(draw: st.DrawFn, min_k: int = 3, max_k: int = 25) -> tuple[np.ndarray, np.ndarray]:
    k = draw(st.integers(min_value=min_k, max_value=max_k))
    yi = np.array(draw(st.lists(effects, min_size=k, max_size=k)))
    vi = np.array(draw(st.lists(variances, min_size=k, max_size=k)))
    return yi, vi


@settings(max_examples=60, deadline=None)
@given(data=studies(), method=st.sampled_from(ALL_METHODS), seed=st.integers(0, 2**32 - 1))
def test_invariant_to_study_order(
    data: tuple[np.ndarray, np.ndarray], method: str, seed: int
) -> None:
    yi, vi = data
    perm = np.random.default_rng(seed).permutation(yi.size)
    a = rma(yi, vi, method=method)
    b = rma(yi[perm], vi[perm], method=method)
    assert math.isclose(a.estimate, b.estimate, rel_tol=1e-7, abs_tol=1e-9)
    assert math.isclose(a.tau2, b.tau2, rel_tol=1e-7, abs_tol=1e-9)
    assert math.isclose(a.qe, b.qe, rel_tol=1e-9, abs_tol=1e-9)
    assert np.allclose(a.weights[perm], b.weights, rtol=1e-6, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    value=effects,
    vi=st.lists(variances, min_size=2, max_size=20),
    method=st.sampled_from(ALL_METHODS),
)
def test_fixed_effect_limit_when_tau2_is_zero(value: float, vi: list[float], method: str) -> None:
    """All yi equal: Q = 0, every estimator gives tau^2 = 0 and RE collapses to FE."""
    yi = np.full(len(vi), value)
    fe = rma(yi, vi, method="FE")
    re = rma(yi, vi, method=method)
    assert re.tau2 == 0.0
    assert math.isclose(re.estimate, fe.estimate, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(float(re.se[0]), float(fe.se[0]), rel_tol=1e-12)
    assert np.allclose(re.weights, fe.weights)
    assert re.i2 == 0.0


@settings(max_examples=80, deadline=None)
@given(data=studies(min_k=2), method=st.sampled_from(ALL_METHODS))
def test_estimate_within_observed_range(data: tuple[np.ndarray, np.ndarray], method: str) -> None:
    yi, vi = data
    r = rma(yi, vi, method=method)
    assert yi.min() - 1e-9 <= r.estimate <= yi.max() + 1e-9


@settings(max_examples=80, deadline=None)
@given(data=studies(min_k=2), method=st.sampled_from(ALL_METHODS))
def test_weights_sum_to_100(data: tuple[np.ndarray, np.ndarray], method: str) -> None:
    yi, vi = data
    r = rma(yi, vi, method=method)
    assert math.isclose(float(r.weights.sum()), 100.0, rel_tol=1e-12)
    assert np.all(r.weights > 0)
    assert 0.0 <= r.i2 < 100.0
    assert r.h2 >= 1.0 - 1e-12 or method in ("FE", "EE")


@settings(max_examples=60, deadline=None)
@given(
    data=studies(),
    c=st.floats(min_value=0.1, max_value=10.0).flatmap(lambda x: st.sampled_from([x, -x])),
    method=st.sampled_from(EXACT_METHODS),
)
def test_scaling_effects_scales_estimate_and_keeps_i2(
    data: tuple[np.ndarray, np.ndarray], c: float, method: str
) -> None:
    """y -> c y, v -> c^2 v: estimate and SE scale by c (|c|), tau^2 by c^2, I^2 unchanged."""
    yi, vi = data
    a = rma(yi, vi, method=method)
    b = rma(c * yi, c * c * vi, method=method)
    assert math.isclose(b.estimate, c * a.estimate, rel_tol=1e-7, abs_tol=1e-9)
    assert math.isclose(float(b.se[0]), abs(c) * float(a.se[0]), rel_tol=1e-7)
    assert math.isclose(b.tau2, c * c * a.tau2, rel_tol=1e-6, abs_tol=1e-10)
    assert math.isclose(b.i2, a.i2, rel_tol=1e-6, abs_tol=1e-7)
    assert math.isclose(b.qe, a.qe, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=30, deadline=None)
@given(data=studies(min_k=4), method=st.sampled_from(("REML", "ML", "EB")))
def test_scaling_iterative_estimators(data: tuple[np.ndarray, np.ndarray], method: str) -> None:
    """Iterative estimators stop at an absolute tolerance, so scale invariance holds loosely."""
    yi, vi = data
    a = rma(yi, vi, method=method)
    b = rma(2.0 * yi, 4.0 * vi, method=method)
    assert math.isclose(b.estimate, 2.0 * a.estimate, rel_tol=1e-3, abs_tol=1e-3)
    assert abs(b.i2 - a.i2) < 0.5


@settings(max_examples=40, deadline=None)
@given(data=studies(min_k=5), method=st.sampled_from(("DL", "REML")))
def test_knha_uses_same_estimate_with_t_reference(
    data: tuple[np.ndarray, np.ndarray], method: str
) -> None:
    yi, vi = data
    z = rma(yi, vi, method=method)
    t = rma(yi, vi, method=method, test="knha")
    assert math.isclose(z.estimate, t.estimate)
    assert t.ddf == yi.size - 1
    # KH variance is the z variance times the weighted residual factor (not truncated at 1).
    factor = float(np.sum((yi - z.estimate) ** 2 / (vi + z.tau2)) / (yi.size - 1))
    assert math.isclose(float(t.se[0]) ** 2, float(z.se[0]) ** 2 * factor, rel_tol=1e-9)
