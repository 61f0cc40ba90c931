"""Property tests of the three-level model: invariances and the two-level limit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import optimize

from alongside.evaluation.stats.multilevel import (
    MultilevelResult,
    profile_loglik,
    rma_multilevel,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Data:
    yi: np.ndarray
    vi: np.ndarray
    cluster: np.ndarray
    mods: np.ndarray


@st.composite
def three_level(draw: st.DrawFn, max_size: int = 5) -> Data:
    """Clusters of 1-max_size effect sizes with real between- and within-cluster spread."""
    sizes = draw(st.lists(st.integers(1, max_size), min_size=3, max_size=10))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    sigma_b, sigma_w = draw(st.sampled_from([(0.0, 0.0), (0.3, 0.1), (0.1, 0.3), (0.4, 0.4)]))
    m, k = len(sizes), sum(sizes)
    cluster = np.repeat(np.arange(m), sizes)
    vi = rng.uniform(0.01, 0.2, k)
    yi = (
        0.2
        + rng.normal(0, sigma_b, m)[cluster]
        + rng.normal(0, sigma_w, k)
        + rng.normal(0, np.sqrt(vi))
    )
    return Data(yi=yi, vi=vi, cluster=cluster, mods=rng.normal(size=k))


def assert_same_fit(a: MultilevelResult, b: MultilevelResult) -> None:
    assert a.converged and b.converged
    assert abs(a.ll - b.ll) <= 1e-8 * (1 + abs(a.ll))
    np.testing.assert_allclose(a.sigma2, b.sigma2, atol=1e-6, rtol=1e-5)
    np.testing.assert_allclose(a.beta, b.beta, atol=1e-6, rtol=1e-5)
    np.testing.assert_allclose(a.se, b.se, atol=1e-6, rtol=1e-5)
    assert a.qe == np.float64(b.qe) or abs(a.qe - b.qe) <= 1e-9 * (1 + abs(a.qe))


@SETTINGS
@given(data=three_level(), method=st.sampled_from(["REML", "ML"]), perm_seed=st.integers(0, 999))
def test_invariant_to_row_order(data: Data, method: str, perm_seed: int) -> None:
    perm = np.random.default_rng(perm_seed).permutation(data.yi.size)
    a = rma_multilevel(data.yi, data.vi, data.cluster, method=method, mods=data.mods)
    b = rma_multilevel(
        data.yi[perm], data.vi[perm], data.cluster[perm], method=method, mods=data.mods[perm]
    )
    assert_same_fit(a, b)
    np.testing.assert_allclose(a.fitted[perm], b.fitted, atol=1e-6)


@SETTINGS
@given(data=three_level(), perm_seed=st.integers(0, 999))
def test_invariant_to_relabelling_clusters(data: Data, perm_seed: int) -> None:
    n = int(data.cluster.max()) + 1
    new_names = np.random.default_rng(perm_seed).permutation(n)
    relabelled = np.array([f"site-{new_names[c]}" for c in data.cluster], dtype=object)
    a = rma_multilevel(data.yi, data.vi, data.cluster)
    b = rma_multilevel(data.yi, data.vi, relabelled)
    assert_same_fit(a, b)
    assert b.n_clusters == a.n_clusters == n


def two_level_reml(yi: np.ndarray, vi: np.ndarray) -> tuple[float, float]:
    """Direct two-level REML (intercept only): τ² and the restricted log-likelihood."""

    def negll(tau2: float) -> float:
        w = 1.0 / (vi + tau2)
        mu = np.sum(w * yi) / np.sum(w)
        rss = np.sum(w * (yi - mu) ** 2)
        return 0.5 * (np.sum(np.log(vi + tau2)) + np.log(np.sum(w)) + rss)

    upper = 10.0 * (np.var(yi) + np.max(vi))
    res = optimize.minimize_scalar(
        negll, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-12}
    )
    tau2 = float(res.x) if negll(float(res.x)) < negll(0.0) else 0.0
    return tau2, -negll(tau2)


@SETTINGS
@given(data=three_level(max_size=1))
def test_clusters_of_one_sum_to_the_two_level_tau2(data: Data) -> None:
    # Every cluster holds one effect size: the two variances are not separately identified,
    # but their sum is the two-level REML τ².
    res = rma_multilevel(data.yi, data.vi, data.cluster)
    tau2, ll2 = two_level_reml(data.yi, data.vi)
    assert res.converged
    assert abs(res.sigma2_total - tau2) <= 1e-5 + 1e-4 * tau2
    # Same likelihood up to the constants the direct version leaves out.
    k = data.yi.size
    const = -0.5 * (k - 1) * np.log(2 * np.pi) + 0.5 * np.log(k)
    assert abs(res.ll - (ll2 + const)) <= 1e-7 * (1 + abs(res.ll))


@SETTINGS
@given(data=three_level(), method=st.sampled_from(["REML", "ML"]))
def test_estimate_is_a_local_maximum(data: Data, method: str) -> None:
    res = rma_multilevel(data.yi, data.vi, data.cluster, method=method)
    for comp in (0, 1):
        est = res.sigma2[comp]
        step = max(1e-3 * est, 1e-6)
        grid = [x for x in (est - step, est + step) if x >= 0]
        assert np.all(profile_loglik(res, comp, grid) <= res.ll + 1e-9)


@SETTINGS
@given(
    data=three_level(),
    scale=st.floats(0.1, 10.0),
    shift=st.floats(-5.0, 5.0),
    method=st.sampled_from(["REML", "ML"]),
)
def test_equivariant_to_rescaling_the_outcome(
    data: Data, scale: float, shift: float, method: str
) -> None:
    # y -> a*y + b with v -> a²*v: variances scale by a², the pooled effect moves to a*mu + b.
    a = rma_multilevel(data.yi, data.vi, data.cluster, method=method)
    b = rma_multilevel(scale * data.yi + shift, scale**2 * data.vi, data.cluster, method=method)
    assert a.converged and b.converged
    np.testing.assert_allclose(
        b.sigma2, scale**2 * np.array(a.sigma2), atol=1e-6 * scale**2, rtol=1e-4
    )
    assert abs(b.estimate - (scale * a.estimate + shift)) <= 1e-5 * (1 + abs(shift) + scale)
    assert abs(b.se[0] - scale * a.se[0]) <= 1e-5 * scale
