# lightonml's "Get started with the OPU" (examples/get_started.ipynb, lightonml 1.4), cell by
# cell, with `lightonml` replaced by `opusim` in the imports. Only the sizes differ from the
# notebook, so that the test stays short on a shared CI machine: 300 vectors of 1000 features
# (not 3000 of 10000), n_components 1000 (not 10000: the simulator computes every camera pixel it
# reads out) and 2-D samples of 30 x 30 (not 900 x 900: 3000 of those are 2.4 GB of input). It
# runs on the device in $OPUSIM_DEVICE, else sim:gen2; tests/python/test_get_started.py runs it.
import numpy as np
import torch

numpy_data = np.random.randint(0, 2, size=(300, 1000), dtype=np.uint8)
torch_data = torch.randint(0, 2, size=(300, 1000), dtype=torch.uint8)

# Lightonopu with numpy arrays or torch tensors
from opusim import OPU

opu = OPU(n_components=1000)

try:
    opu.transform(numpy_data)
except AssertionError as e:
    print(e)

opu.fit1d(numpy_data)
y_np = opu.transform(numpy_data)
print(repr(y_np))
print(y_np.context.as_dict())
print(repr(np.array(y_np)))

y_torch = opu.fit_transform1d(torch_data)
print(repr(y_torch))

data_2d = np.random.randint(0, 2, size=(300, 30, 30), dtype=np.uint8)
opu.fit2d(data_2d)
y = opu.transform(data_2d)
print(repr(y))
print(y.context.as_dict())

opu.close()

# Lightonml with numpy arrays
from opusim.projections.sklearn import OPUMap

opumap_np = OPUMap(n_components=1000)
output = opumap_np.fit_transform(numpy_data)
print(repr(output))
opumap_np.close()

# Lightonml with torch tensors
from opusim.projections.torch import OPUMap

opumap_torch = OPUMap(n_components=1000)
output = opumap_torch(torch_data)
print(repr(output))
opumap_torch.close()

# Simulating an OPU
opu = OPU(n_components=1000, max_n_features=1000, simulated=True)
