#!/usr/bin/python3
"""Writes the scikit-learn reference vectors for SequenceKit's scaler tests.

Run from the repository root with Debian's scikit-learn (python3-sklearn 1.2):
    /usr/bin/python3 tests/reference/generate_sklearn.py
Output (committed; the tests never need Python): tests/SequenceKit.Tests/Reference/data/sklearn_reference.json.
Non-finite numbers are written as the JSON extensions NaN / Infinity / -Infinity (Python's json default).
"""
import json, os, warnings
import numpy as np
import sklearn
from sklearn.preprocessing import MinMaxScaler, StandardScaler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "SequenceKit.Tests", "Reference", "data")
ulp = np.nextafter(1e9, 2e9)
columns = {
    "near_constant": [0.1 + 0.2, 0.3, 0.3, 0.1 + 0.2],
    "one_ulp_above_1e9": [1e9, ulp, 1e9, ulp],
    "offset_1e9": [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4, 1e9 + 5],
    "constant": [5.0, 5.0, 5.0],
    "tiny": [1e-300, 2e-300, 3e-300],
    "with_nan": [1.0, np.nan, 3.0, 5.0],
    "all_nan": [np.nan, np.nan, np.nan],
    "single_row": [7.5],
    "plus_minus_1e200": [1e200, -1e200],
    "plus_minus_1e308": [1e308, -1e308],
    "huge_mixed": [1.5e308, -1.7e308, 1e308, 0.0],
}


def lst(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


cases = []
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # overflow and all-NaN warnings are the point of some columns
    for name, values in columns.items():
        X = np.array(values, dtype=np.float64)[:, None]
        s = StandardScaler().fit(X)
        m = MinMaxScaler().fit(X)
        cases.append(dict(
            name=name, x=lst(X),
            standard=dict(mean=lst(s.mean_), var=lst(s.var_), scale=lst(s.scale_), transform=lst(s.transform(X))),
            minmax=dict(data_min=lst(m.data_min_), data_max=lst(m.data_max_), scale=lst(m.scale_), min=lst(m.min_),
                        transform=lst(m.transform(X))),
            # Where scikit-learn's own statistics overflow (var_ or data_range_ = inf), its output is not a reference.
            sklearn_overflows=bool(np.isinf(s.var_).any() or np.isinf(m.data_max_ - m.data_min_).any()),
        ))

with open(os.path.join(OUT, "sklearn_reference.json"), "w") as f:
    json.dump(dict(generator=f"tests/reference/generate_sklearn.py, scikit-learn {sklearn.__version__}, NumPy {np.__version__}",
                   columns=cases), f, indent=1)
print("wrote", os.path.normpath(os.path.join(OUT, "sklearn_reference.json")))
