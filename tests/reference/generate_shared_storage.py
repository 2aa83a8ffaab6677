#!/usr/bin/python3
"""Writes a PyTorch state_dict whose tensors are views of ONE storage, as torch.save writes them when a module's
parameters are slices of a shared buffer (tied or packed weights).

Run from the repository root with Debian's PyTorch (python3-torch 1.13):
    /usr/bin/python3 tests/reference/generate_shared_storage.py
Output (committed; the tests never need Python):
    tests/SequenceKit.Tests/Reference/data/shared_storage_views.pth   for Input.Vector(4) -> Dense(2): '1.weight' [2, 4], '1.bias' [2]
The values torch.load gives are printed; WeightFileTests.A_pytorch_file_whose_tensors_are_views_of_one_storage_loads_as_torch_loads_it
asserts them.
"""
import os
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "SequenceKit.Tests", "Reference", "data")
os.makedirs(OUT, exist_ok=True)

base = torch.arange(20, dtype=torch.float32).reshape(4, 5) / 4         # one storage of 20 floats: 0, 0.25, ..., 4.75
weight = base[:, 1:3].t()                                              # [2, 4], strides (1, 5), offset 1: not contiguous
bias = base[3, 3:5]                                                    # [2], stride (1,), offset 18
assert weight.storage().data_ptr() == bias.storage().data_ptr() == base.storage().data_ptr()
path = os.path.join(OUT, "shared_storage_views.pth")
torch.save({"1.weight": weight, "1.bias": bias}, path)

loaded = torch.load(path)
assert loaded["1.weight"].storage().data_ptr() == loaded["1.bias"].storage().data_ptr(), "torch.save kept one storage"
for name, tensor in loaded.items():
    print(name, list(tensor.shape), "offset", tensor.storage_offset(), "stride", tensor.stride(), tensor.tolist())

# A hostile copy: the bias view's storage offset 18 patched to 200, past the 20-element storage. torch.load refuses
# it (printed below); SequenceKit must refuse it too, before any weight changes.
import zipfile
hostile = os.path.join(OUT, "shared_storage_views_out_of_range.pth")
with zipfile.ZipFile(path) as source, zipfile.ZipFile(hostile, "w", zipfile.ZIP_STORED) as target:
    for info in source.infolist():
        data = source.read(info.filename)
        if info.filename.endswith("data.pkl"):
            assert data.count(b"QK\x12") == 1, "the bias's offset follows its persistent id"
            data = data.replace(b"QK\x12", b"QK\xc8")
        target.writestr(info, data)
try:
    torch.load(hostile)
    print("torch.load accepted the out-of-range view")
except Exception as e:
    print("torch.load refuses the out-of-range view:", type(e).__name__, str(e).splitlines()[0])
