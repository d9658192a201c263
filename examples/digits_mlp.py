"""Train a small MLP on handwritten digits with ember, written as a PyTorch script.

The data set is scikit-learn's ``load_digits``: 1,797 8x8 images of the digits 0-9,
shipped with scikit-learn (no download). 80% train, 20% test. A tqdm bar per epoch
shows the running loss and accuracy; the test accuracy is printed at the end, and the
loss/accuracy curves are drawn to ``demo-output/training.png``.

Run: python examples/digits_mlp.py [--epochs N] [--out DIR] [--no-plot]

``train`` and ``plot_curves`` are shared with ``digits_cnn.py``.
"""

import argparse
import time
from pathlib import Path

from tqdm import tqdm

import ember as torch
from ember import nn
from ember.utils.data import DataLoader, TensorDataset


def digits_datasets(seed=0):
    """Train and test sets of (64 standardized pixel values, label) pairs."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    images, labels = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=0.2, random_state=seed, stratify=labels)
    x_train = torch.tensor(x_train, dtype=torch.float32)
    x_test = torch.tensor(x_test, dtype=torch.float32)
    # Each pixel to mean 0, std 1 over the training images (the border pixels that are
    # always 0 stay 0): Adam then trains in a few epochs.
    mean, std = x_train.mean(dim=0), x_train.std(dim=0)
    std[std == 0] = 1.0
    as_set = lambda x, y: TensorDataset((x - mean) / std, torch.tensor(y, dtype=torch.int64))
    return as_set(x_train, y_train), as_set(x_test, y_test)


def accuracy(model, dataset) -> float:
    """The fraction of ``dataset`` that ``model`` classifies right."""
    x, y = dataset.tensors
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def train(model, epochs, lr, batch_size=64, name="model") -> dict:
    """Train ``model`` with Adam (learning rate on a cosine schedule) and cross-entropy;
    returns the per-epoch curves."""
    train_set, test_set = digits_datasets()
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    loss_fn = nn.CrossEntropyLoss()
    history = {"loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(epochs):
        model.train()
        seen = correct = 0
        total_loss = 0.0
        bar = tqdm(loader, desc=f"{name} epoch {epoch + 1:2d}/{epochs}", unit="batch")
        for x, y in bar:
            logits = model(x)
            loss = loss_fn(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

            seen += len(y)
            total_loss += loss.item() * len(y)
            correct += (logits.argmax(dim=1) == y).sum().item()
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}")
        schedule.step()
        history["loss"].append(total_loss / seen)
        history["train_acc"].append(correct / seen)
        history["test_acc"].append(accuracy(model, test_set))
    return history


def plot_curves(histories: dict, path) -> Path:
    """Loss and accuracy per epoch, one line per model, saved as a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no window, works without a display
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for i, (name, h) in enumerate(histories.items()):
        epochs, color = range(1, len(h["loss"]) + 1), f"C{i}"  # one colour per model
        ax_loss.plot(epochs, h["loss"], marker="o", color=color, label=name)
        ax_acc.plot(epochs, h["train_acc"], linestyle="--", color=color, label=f"{name} train")
        ax_acc.plot(epochs, h["test_acc"], marker="o", color=color, label=f"{name} test")
    ax_loss.set(title="training loss (cross-entropy)", xlabel="epoch", yscale="log")
    ax_acc.set(title="accuracy", xlabel="epoch", ylim=(0.8, 1.0))
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("ember: handwritten digits (scikit-learn load_digits)")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def parse_args(argv, epochs):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--out", default="demo-output", help="folder for training.png")
    parser.add_argument("--no-plot", action="store_true", help="do not draw the curves")
    return parser.parse_args(argv)


def run(model, name, argv, epochs, lr) -> dict:
    """What both digit scripts do: train, print the test accuracy, draw the curves."""
    args = parse_args(argv, epochs)
    start = time.perf_counter()
    history = train(model, args.epochs, lr, name=name)
    print(f"{name}: test accuracy {history['test_acc'][-1]:.4f} after {args.epochs} "
          f"epochs ({time.perf_counter() - start:.1f} s)")
    if not args.no_plot:
        print(f"curves: {plot_curves({name: history}, Path(args.out) / 'training.png')}")
    return history


def main(argv=None) -> dict:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(64, 256),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(256, 10),
    )
    return run(model, "MLP", argv, epochs=15, lr=3e-3)


if __name__ == "__main__":
    main()
