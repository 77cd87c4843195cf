from __future__ import annotations

import gc

import pytest
from django.core.exceptions import ImproperlyConfigured

from chancetap.runtime.gc_tuning import DEFAULT, gc_thresholds, gc_tune


def test_thresholds_are_parsed_and_bad_values_refused() -> None:
    assert gc_thresholds(DEFAULT) == (50000, 20, 100)
    assert gc_thresholds(" 1000,10,10 ") == (1000, 10, 10)
    assert gc_thresholds("default") is None
    for bad in ("", "1,2", "1,2,3,4", "a,b,c", "0,10,10", "100,-1,10", "1e3,1,1"):
        with pytest.raises(ImproperlyConfigured, match="WEB_GC_THRESHOLD"):
            gc_thresholds(bad)


def test_tune_freezes_start_up_objects_and_sets_thresholds(monkeypatch) -> None:
    before = gc.get_threshold()
    try:
        monkeypatch.setenv("WEB_GC_THRESHOLD", "40000,15,50")
        assert gc_tune() == (40000, 15, 50)
        assert gc.get_threshold() == (40000, 15, 50)
        assert gc.get_freeze_count() > 0
        monkeypatch.setenv("WEB_GC_THRESHOLD", "default")
        gc.set_threshold(*before)
        assert gc_tune() is None
        assert gc.get_threshold() == before
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
