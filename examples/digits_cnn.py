"""Train a small convolutional network on handwritten digits with ember.

Two 3x3 convolutions with max-pooling see the 8x8 images as images (the MLP in
``digits_mlp.py`` sees 64 unrelated numbers); the data, training loop, progress bars
and curves are that script's.

Run: python examples/digits_cnn.py [--epochs N] [--out DIR] [--no-plot]
"""

from digits_mlp import run  # data, training loop, curves: shared with the MLP script

import ember as torch
from ember import nn


class SmallCNN(nn.Module):
    """8x8 -> 16 maps of 4x4 -> 32 maps of 2x2 -> 10 class scores."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        x = x.view(-1, 1, 8, 8)  # the data set gives 64 pixels in a row
        return self.classifier(self.features(x).flatten(1))


def main(argv=None) -> dict:
    torch.manual_seed(0)
    return run(SmallCNN(), "CNN", argv, epochs=15, lr=1e-2)


if __name__ == "__main__":
    main()
