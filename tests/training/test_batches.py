import pytest
import torch

from gankit.data.base import TensorDataset
from gankit.errors import DataError
from gankit.training.batches import BatchStream


def dataset(n=10):
    return TensorDataset(torch.arange(n).float().view(n, 1), torch.arange(n), kind="points")


class DiskLike(TensorDataset):
    """The same data, but read item by item through a DataLoader."""

    @property
    def in_memory(self):
        return False


def take(stream, n):
    return [next(stream)[1].tolist() for _ in range(n)]


def test_each_epoch_is_a_permutation_without_the_remainder():
    stream = BatchStream(dataset(10), 3, seed=0, device=torch.device("cpu"))
    epoch = sum(take(stream, 3), [])
    assert len(set(epoch)) == 9  # drop_last: 3 batches of 3 from 10
    assert stream.state_dict() == {"epoch": 0, "index": 3}
    next(stream)
    assert stream.state_dict() == {"epoch": 1, "index": 1}


def test_resuming_from_a_position_gives_the_same_batches():
    reference = BatchStream(dataset(), 3, seed=4, device=torch.device("cpu"))
    expected = take(reference, 8)
    first = BatchStream(dataset(), 3, seed=4, device=torch.device("cpu"))
    take(first, 5)
    resumed = BatchStream(dataset(), 3, seed=4, device=torch.device("cpu"))
    resumed.load_state_dict(first.state_dict())
    assert take(resumed, 3) == expected[5:]


def test_disk_datasets_stream_the_same_batches_through_a_dataloader():
    memory = BatchStream(dataset(), 3, seed=1, device=torch.device("cpu"))
    disk = BatchStream(DiskLike(*dataset().tensors, kind="points"), 3, 1, torch.device("cpu"))
    assert take(disk, 7) == take(memory, 7)


def test_too_small_dataset_is_an_error():
    with pytest.raises(DataError, match="data.batch_size"):
        BatchStream(dataset(4), 8, seed=0, device=torch.device("cpu"))


@pytest.mark.parametrize("make", [dataset, lambda: DiskLike(*dataset().tensors, kind="points")])
def test_first_gives_the_first_samples_as_copies_without_moving_the_stream(make):
    stream = BatchStream(make(), 3, seed=0, device=torch.device("cpu"))
    samples, labels = stream.first(4)
    assert labels.tolist() == [0, 1, 2, 3] and samples.flatten().tolist() == [0, 1, 2, 3]
    assert stream.state_dict() == {"epoch": 0, "index": 0}
    if stream.dataset.in_memory:  # a slice would keep the whole data set alive
        assert samples.untyped_storage().data_ptr() != stream.dataset.samples.data_ptr()
