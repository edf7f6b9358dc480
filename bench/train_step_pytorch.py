"""PyTorch eager reference for bench/train-throughput-resnet18.sh: the same training step on the same shapes.

Usage: /usr/bin/python3 bench/train_step_pytorch.py BATCH SIZE WARMUP STEPS THREADS
Prints one line: images_per_second=... step_ms_median=...
"""
import sys
import time

import torch
import torchvision

batch, size, warmup, steps, threads = (int(a) for a in sys.argv[1:6])
torch.set_num_threads(threads)
torch.manual_seed(1)
model = torchvision.models.resnet18(weights=None)
model.train()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = torch.nn.CrossEntropyLoss()
x = torch.randn(batch, 3, size, size)
y = torch.randint(0, 1000, (batch,))
times = []
for step in range(warmup + steps):
    start = time.perf_counter()
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    if step >= warmup:
        times.append((time.perf_counter() - start) * 1000)
times.sort()
median = times[len(times) // 2]
print(f"images_per_second={batch * 1000 / median:.2f} step_ms_median={median:.1f} torch={torch.__version__}")
