"""Run under `torchrun --nproc_per_node 2`: every loss, split over ranks, equals one process on the global batch.

For each loss, each rank computes (a) the single-process reference on the whole global batch with
no collectives, and (b) the data-parallel result: its slice of the batch, gradients averaged over
ranks exactly as the engine does. Rank 0 writes the largest differences to the JSON file argv[1].
"""

import json
import sys

import torch
import torch.distributed as dist
from torch import nn

from facessl import distributed
from facessl.losses import BYOLLoss, NTXentLoss, QueueInfoNCELoss

dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
g = torch.Generator().manual_seed(0)
N, IN, D = 8, 12, 6  # global batch, input and embedding sizes
x0, x1 = torch.randn(N, IN, generator=g), torch.randn(N, IN, generator=g)
queue = nn.functional.normalize(torch.randn(10, D, generator=g), dim=1)
torch.manual_seed(0)  # the same initial weights on every rank
init = nn.Linear(IN, D).state_dict()


def model() -> nn.Linear:
    m = nn.Linear(IN, D)
    m.load_state_dict(init)
    return m


losses = {
    "ntxent": lambda gather: (lambda a, b: NTXentLoss(0.3, gather_distributed=gather)(a, b)),
    "queue_infonce": lambda gather: (lambda a, b: QueueInfoNCELoss(0.2)(a, b.detach(), queue)),
    "byol": lambda gather: (lambda a, b: BYOLLoss()(a, b) + BYOLLoss()(b, a)),
}
report = {}
for name, make in losses.items():
    ref = model()
    ref_loss = make(False)(ref(x0), ref(x1))
    ref_loss.backward()

    net = model()
    n = N // world
    part = slice(rank * n, (rank + 1) * n)
    local_loss = make(True)(net(x0[part]), net(x1[part]))
    local_loss.backward()
    distributed.average_gradients(net.parameters())
    loss = distributed.all_reduce_mean(local_loss)
    report[name] = {
        "loss_diff": abs(loss.item() - ref_loss.item()),
        "grad_diff": max((a.grad - b.grad).abs().max().item() for a, b in zip(net.parameters(), ref.parameters())),
        "grad_scale": max(b.grad.abs().max().item() for b in ref.parameters()),
    }

# MoCo's shuffled BN: a row-wise function of the shuffled slice, unshuffled, equals it on the local slice.
local = torch.arange(4 * world, dtype=torch.float32).view(-1, 2)[rank * 2 : rank * 2 + 2] + 100 * rank
shuffled, perm = distributed.shuffle_across_ranks(local, torch.Generator().manual_seed(rank))
report["shuffle_roundtrip"] = (distributed.unshuffle_across_ranks(shuffled * 3, perm) - local * 3).abs().max().item()

if rank == 0:
    with open(sys.argv[1], "w") as f:
        json.dump(report, f)
dist.destroy_process_group()
