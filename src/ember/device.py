"""ember.device: only the CPU for now (``torch.device('cpu')`` works; others raise)."""

from __future__ import annotations


class device:
    """A device name, as torch.device. ember computes on the CPU."""

    __slots__ = ("type", "index")

    def __new__(cls, type="cpu", index=None):
        if isinstance(type, device):
            return type
        name = str(type)
        if name.split(":")[0] != "cpu":
            raise RuntimeError(
                f"ember runs on the CPU only for now; device '{name}' is not in ember yet"
            )
        self = object.__new__(cls)
        self.type, self.index = "cpu", index
        return self

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other) -> bool:
        return isinstance(other, (device, str)) and str(other).split(":")[0] == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


cpu = device("cpu")
