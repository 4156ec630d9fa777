import torch

from facessl.models.memory_queue import MemoryQueue


def test_queue_replaces_oldest_entries_in_order_and_wraps() -> None:
    queue = MemoryQueue(size=5, dim=2)
    queue.enqueue(torch.tensor([[1.0, 0], [2, 0], [3, 0]]))
    queue.enqueue(torch.tensor([[4.0, 0], [5, 0], [6, 0]]))
    # slots 0..4 after writing 1,2,3 then 4,5 and wrapping 6 into slot 0
    assert queue.keys[:, 0].tolist() == [6.0, 2.0, 3.0, 4.0, 5.0]
    assert int(queue.ptr) == 1


def test_queue_state_survives_a_state_dict_round_trip() -> None:
    a, b = MemoryQueue(4, 3), MemoryQueue(4, 3)
    a.enqueue(torch.ones(3, 3))
    b.load_state_dict(a.state_dict())
    assert torch.equal(a.keys, b.keys) and int(b.ptr) == 3
