"""Property tests (hypothesis) for the effect-size formulas."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from alongside.evaluation.stats.effect_sizes import escalc, hedges_correction

means = st.floats(min_value=-100, max_value=100, allow_nan=False)
sds = st.floats(min_value=0.1, max_value=50, allow_nan=False)
sizes = st.integers(min_value=3, max_value=500)
counts = st.integers(min_value=0, max_value=200)

FAST = settings(max_examples=60, deadline=None)


@FAST
@given(m1=means, sd1=sds, n1=sizes, m2=means, sd2=sds, n2=sizes)
def test_swapping_groups_flips_smd_and_keeps_vi(m1, sd1, n1, m2, sd2, n2):
    ab = escalc("SMD", m1i=[m1], sd1i=[sd1], n1i=[n1], m2i=[m2], sd2i=[sd2], n2i=[n2])
    ba = escalc("SMD", m1i=[m2], sd1i=[sd2], n1i=[n2], m2i=[m1], sd2i=[sd1], n2i=[n1])
    np.testing.assert_allclose(ba.yi, -ab.yi, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ba.vi, ab.vi, rtol=1e-12)
    assert ab.vi[0] > 0


@FAST
@given(a=counts, b=counts, c=counts, d=counts, measure=st.sampled_from(["RR", "OR", "RD"]))
def test_swapping_groups_flips_binary_measures_and_keeps_vi(a, b, c, d, measure):
    if a + b == 0 or c + d == 0 or (a == c == 0) or (b == d == 0):
        return  # empty group or double-zero table: covered by the example tests
    ab = escalc(measure, ai=[a], bi=[b], ci=[c], di=[d])
    ba = escalc(measure, ai=[c], bi=[d], ci=[a], di=[b])
    np.testing.assert_allclose(ba.yi, -ab.yi, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ba.vi, ab.vi, rtol=1e-12, atol=1e-15)


@FAST
@given(m_pre=means, m_post=means, sd=sds, n=sizes, r=st.floats(min_value=-0.9, max_value=0.95))
def test_swapping_time_points_flips_smcc_and_keeps_vi(m_pre, m_post, sd, n, r):
    fwd = escalc("SMCC", m1i=[m_post], m2i=[m_pre], sd1i=[sd], sd2i=[sd * 1.3], ni=[n], ri=[r])
    rev = escalc("SMCC", m1i=[m_pre], m2i=[m_post], sd1i=[sd * 1.3], sd2i=[sd], ni=[n], ri=[r])
    np.testing.assert_allclose(rev.yi, -fwd.yi, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rev.vi, fwd.vi, rtol=1e-12)


@FAST
@given(shift=means, scale=st.floats(min_value=0.01, max_value=100))
def test_smd_is_invariant_to_linear_rescaling_of_the_outcome(shift, scale):
    base = escalc("SMD", m1i=[5.0], sd1i=[2.0], n1i=[20], m2i=[4.0], sd2i=[3.0], n2i=[25])
    moved = escalc(
        "SMD",
        m1i=[5.0 * scale + shift], sd1i=[2.0 * scale], n1i=[20],
        m2i=[4.0 * scale + shift], sd2i=[3.0 * scale], n2i=[25],
    )  # fmt: skip
    np.testing.assert_allclose(moved.yi, base.yi, rtol=1e-9)
    np.testing.assert_allclose(moved.vi, base.vi, rtol=1e-9)


@FAST
@given(m=st.floats(min_value=1.5, max_value=1e7))
def test_j_is_below_one_and_increasing(m):
    j = hedges_correction(np.array([m, m * 2]))
    assert 0 < j[0] < 1
    assert j[0] <= j[1] <= 1


def test_j_tends_to_one_as_m_grows():
    m = np.array([100, 1_000, 10_000, 100_000])
    gap = 1 - hedges_correction(m)
    assert np.all(np.diff(gap) < 0)
    np.testing.assert_allclose(gap * m, 0.75, rtol=0.02)  # J(m) = 1 - 3/(4m) + O(m⁻²)
