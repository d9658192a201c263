"""python -m ember.run: unmodified PyTorch scripts print, on ember, what they print on torch.

Each script runs twice in a fresh interpreter: ``python script.py`` (real torch) and
``python -m ember.run script.py`` (ember standing in for torch); the outputs must match.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WHY = "is not in ember yet (ember runs this script in place of PyTorch)"

TRAINING = """
    import sys
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch import optim
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    x = torch.randn(32, 4)
    y = (x[:, 0] + x[:, 1] > 0).long()


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(4, 8)
            self.out = nn.Linear(8, 2)

        def forward(self, x):
            return self.out(F.relu(self.hidden(x)))


    model = Net()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
    for epoch in range(int(sys.argv[1])):
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(epoch, f"{loss.item():.5f}")
    with torch.no_grad():
        print(model(x[:3]).argmax(dim=1), (model(x).argmax(1) == y).float().mean().item())
    print(sys.argv[1:], __name__, isinstance(x, torch.Tensor), type(model.out).__name__)
    print(model.hidden.weight.grad.shape, loss.grad_fn.name())
"""

AUTOGRAD = """
    import torch
    from torch.autograd import Function


    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2


    x = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    y = Cube.apply(x).sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    print(g)
    g.sum().backward()
    print(x.grad)
    print(torch.autograd.functional.hessian(lambda t: (t ** 3).sum(), x.detach()))
    print(torch.__name__, hasattr(torch.nn, "Linear"), isinstance(x, torch.Tensor))
"""


def run(args, cwd):
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def write(tmp_path, source, name="script.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def seed_tour_as_torch_script():
    """examples/seed_tour.py as the seed notebook has it: with `import torch`."""
    source = (EXAMPLES / "seed_tour.py").read_text()
    assert "import ember as torch\n" in source
    return source.replace("import ember as torch\n", "import torch\n")


@pytest.mark.parametrize("source, args", [(TRAINING, ["3", "extra"]), (AUTOGRAD, []),
                                          (None, [])], ids=["training", "autograd", "seed"])
def test_script_prints_what_torch_prints(tmp_path, source, args):
    script = write(tmp_path, source if source is not None else seed_tour_as_torch_script())
    on_torch = run([str(script), *args], tmp_path)
    assert on_torch.returncode == 0, on_torch.stderr
    on_ember = run(["-m", "ember.run", str(script), *args], tmp_path)
    assert on_ember.returncode == 0, on_ember.stderr
    assert on_ember.stdout == on_torch.stdout
    assert on_ember.stdout.strip()


@pytest.mark.parametrize("source, error", [
    ("import torch\nprint(torch.fft.fft(torch.ones(4)))",
     f"AttributeError: torch.fft {WHY}"),
    ("import torch.fft", f"ModuleNotFoundError: torch.fft {WHY}"),
    ("from torch import fft", f"ModuleNotFoundError: torch.fft {WHY}"),
    ("import torch.nn as nn\nnn.NoSuchLayer(3)", f"AttributeError: torch.nn.NoSuchLayer {WHY}"),
    ("from torch.nn import NoSuchLayer", f"ModuleNotFoundError: torch.nn.NoSuchLayer {WHY}"),
    # a plain module (not a package): Python's own message, naming ember's file
    ("from torch.nn.functional import nope",
     "ImportError: cannot import name 'nope' from 'torch.nn.functional' (/"),
], ids=["attribute", "import", "from-import", "nn-attribute", "nn-from-import",
        "module-from-import"])
def test_missing_torch_feature_fails_clearly(tmp_path, source, error):
    script = write(tmp_path, source)
    done = run(["-m", "ember.run", str(script)], tmp_path)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(error), done.stderr


def test_a_script_can_test_for_missing_features(tmp_path):
    script = write(tmp_path, """
        import torch
        fft = getattr(torch, "fft", None)
        print(fft, hasattr(torch.nn, "NoSuchLayer"), "Linear" in dir(torch.nn))
    """)
    done = run(["-m", "ember.run", str(script)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "None False True\n"


def test_the_script_is_main_with_its_folder_on_the_path(tmp_path):
    write(tmp_path, "VALUE = 42\n", "helper.py")
    script = write(tmp_path, """
        import sys
        import helper
        import torch
        import ember
        print(__name__, sys.argv, helper.VALUE, torch.Tensor is ember.Tensor)
        print(torch.nn.functional.relu is ember.nn.functional.relu)
    """)
    done = run(["-m", "ember.run", str(script), "--flag", "x"], Path("/"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"__main__ {[str(script), '--flag', 'x']} 42 True",
                                        "True"]


def test_run_module(tmp_path):
    write(tmp_path, "import sys, torch\nprint(__name__, sys.argv[1:], torch.ones(2))\n",
          "mymod.py")
    done = run(["-m", "ember.run", "-m", "mymod", "a"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "__main__ ['a'] tensor([1., 1.])\n"


def test_usage_and_missing_file(tmp_path):
    done = run(["-m", "ember.run"], tmp_path)
    assert done.returncode == 2 and "usage: python -m ember.run" in done.stdout
    done = run(["-m", "ember.run", "nope.py"], tmp_path)
    assert done.returncode == 1 and "nope.py" in done.stderr


def test_install_torch_alias_in_a_notebook():
    code = textwrap.dedent("""
        from ember.compat import install_torch_alias, uninstall_torch_alias
        install_torch_alias()
        install_torch_alias()  # twice is harmless
        import torch, torch.nn as nn, torch.optim, ember
        from torch.utils.data import DataLoader
        from torch import *  # noqa
        assert torch.Tensor is ember.Tensor and DataLoader is ember.utils.data.DataLoader
        assert nn.Linear is ember.nn.Linear and torch.optim.Adam is ember.optim.Adam
        assert tensor is ember.tensor
        uninstall_torch_alias()
        import sys
        assert "torch" not in sys.modules
        print("ok")
    """)
    done = run(["-c", code], Path("/"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"


def test_install_after_real_torch_is_refused():
    import torch  # noqa: F401  (the oracle is imported in this process)

    from ember.compat import install_torch_alias

    with pytest.raises(RuntimeError, match="before the first `import torch`"):
        install_torch_alias()
