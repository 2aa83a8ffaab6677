"""Writes small .npy files with NumPy itself, for SequenceDataset.FromNpy's tests (tests/SequenceKit.Tests/Reference/data/npy/).

Values follow simple formulas so the tests can state them by hand: sequence value = 100*row + 10*step + feature + 0.5.
"""
import os
import numpy as np
from numpy.lib import format as npformat

out = os.path.join(os.path.dirname(__file__), "..", "SequenceKit.Tests", "Reference", "data", "npy")
os.makedirs(out, exist_ok=True)
rows, steps, features = 6, 4, 2
seq = np.fromfunction(lambda r, t, f: 100 * r + 10 * t + f + 0.5, (rows, steps, features), dtype=np.float64)
np.save(os.path.join(out, "sequences_f8.npy"), seq)
np.save(os.path.join(out, "sequences_f4.npy"), seq.astype(np.float32))
np.save(os.path.join(out, "labels_i8.npy"), np.array([0, 1, 2, 0, 1, 2], dtype=np.int64))
np.save(os.path.join(out, "values_f4.npy"), np.arange(rows, dtype=np.float32) / 4)
np.save(os.path.join(out, "tokens_i4.npy"), np.arange(rows * 5, dtype=np.int32).reshape(rows, 5) % 7 + 1)
np.save(os.path.join(out, "lengths_i8.npy"), np.array([4, 3, 2, 4, 1, 4], dtype=np.int64))
np.save(os.path.join(out, "labels_5_rows.npy"), np.array([0, 1, 2, 0, 1], dtype=np.int64))
np.save(os.path.join(out, "fortran_f4.npy"), np.asfortranarray(seq[:, :, 0].astype(np.float32)))
np.save(os.path.join(out, "bigendian_f4.npy"), seq.astype(">f4"))
np.save(os.path.join(out, "uint8.npy"), np.zeros((rows, 3), dtype=np.uint8))
with open(os.path.join(out, "sequences_v2_f4.npy"), "wb") as f:
    npformat.write_array(f, seq.astype(np.float32), version=(2, 0))
data = open(os.path.join(out, "sequences_f4.npy"), "rb").read()
open(os.path.join(out, "truncated_f4.npy"), "wb").write(data[:-4])
print("wrote", sorted(os.listdir(out)))
