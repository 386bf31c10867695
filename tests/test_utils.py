"""add_to_class: how a later chapter extends a class an earlier chapter exported."""

import pytest

from scratchnet.utils import add_to_class


def test_adds_a_method_and_leaves_no_module_level_function():
    class Layer:
        def __init__(self):
            self.x = 2

    @add_to_class(Layer)
    def double(self):
        return 2 * self.x

    assert Layer().double() == 4
    assert double is None


def test_rejects_a_non_class_and_a_non_function():
    with pytest.raises(TypeError, match="expected a class, got int"):
        add_to_class(3)
    with pytest.raises(TypeError, match="expected a function, got str"):
        add_to_class(object)("not a function")
