"Datasets end to end: CIFAR's own archive format, unsafe pickles, caches, bad input."
import io, pickle, tarfile
import numpy as np, pytest, torch
from vkd_nb.data import get_data, write_fake_cifar, DeviceLoader

def test_cifar_archive_roundtrip(tmp_path):
    write_fake_cifar(tmp_path, 'cifar100', n_train=40, n_test=10, seed=3)
    d = get_data('cifar100', root=tmp_path)
    assert (tmp_path/'cifar-100-python'/'train').is_file()          # extracted from the archive
    assert d.x_train.shape == (40, 3, 32, 32) and d.x_train.dtype == torch.uint8
    assert d.classes[:2] == ['class0', 'class1'] and d.num_classes == 100
    again = get_data('cifar100', root=tmp_path)                       # second call reads the extracted folder
    assert torch.equal(again.x_train, d.x_train) and torch.equal(again.y_test, d.y_test)
    tr, te = d.loaders(batch_size=16, device='cpu')
    xb, yb = next(iter(tr))
    assert tr.augment and xb.shape == (16, 3, 32, 32) and xb.dtype == torch.float32

def test_cifar_missing_names_archive_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError) as e: get_data('cifar10', root=tmp_path)
    assert 'cifar-10-python.tar.gz' in str(e.value) and str(tmp_path) in str(e.value)

class Evil:
    def __reduce__(self): return (print, ('pwned',))

def test_cifar_refuses_code_in_pickles(tmp_path, capsys):
    folder = tmp_path/'cifar-10-batches-py'; folder.mkdir()
    for f in [f'data_batch_{i}' for i in range(1, 6)] + ['test_batch', 'batches.meta']:
        (folder/f).write_bytes(pickle.dumps({b'data': Evil(), b'labels': [0]}))
    with pytest.raises(pickle.UnpicklingError, match='refusing'): get_data('cifar10', root=tmp_path)
    assert 'pwned' not in capsys.readouterr().out

def test_mnist1d_cache_is_deterministic_and_survives_corruption(tmp_path):
    a = get_data('mnist1d', root=tmp_path, num_samples=200, data_seed=5)
    cache = tmp_path/'mnist1d_n200_s5.pt'
    assert cache.is_file() and a.x_train.shape == (160, 1, 40)
    cache.write_bytes(b'garbage')                                     # a corrupt cache is regenerated
    b = get_data('mnist1d', root=tmp_path, num_samples=200, data_seed=5)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    state = np.random.get_state()[1].copy()
    get_data('mnist1d', root=tmp_path, num_samples=100, data_seed=1)    # generation leaves numpy's global RNG alone
    assert np.array_equal(state, np.random.get_state()[1])

@pytest.mark.parametrize('kw,msg', [(dict(name='imagenet'), 'choose one of'),
                                    (dict(name='mnist1d', num_samples=5), 'num_samples >= 20'),
                                    (dict(name='fake', num_classes=1), 'num_classes >= 2'),
                                    (dict(name='fake', colour=True), 'unexpected options')])
def test_bad_input(tmp_path, kw, msg):
    with pytest.raises((ValueError, TypeError), match=msg): get_data(root=tmp_path, **kw)

def test_loader_rejects_bad_batch_size():
    with pytest.raises(ValueError, match='batch_size must be >= 1'): DeviceLoader(torch.zeros(4, 2), torch.zeros(4), batch_size=0)
