import doctest

import facessl.eval


def test_package_docstring_example_runs() -> None:
    failures, attempted = doctest.testmod(facessl.eval, verbose=False)
    assert attempted > 0 and failures == 0
