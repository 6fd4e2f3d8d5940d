"""Write tests/data/torch_reference.npz: PyTorch's own outputs and gradients for small layers.

    python tests/data/make_torch_reference.py     (needs torch; run once, the file is committed)

For each case the file holds, under ``"{case}/{name}"``: PyTorch-initialised parameters under
PyTorch's names, a random input, initial states and upstream gradients, and what PyTorch
computed from them (y, h_n, c_n, every parameter gradient, dx, dh0, dc0), all float64. The test
``test_matches_pytorch_reference`` loads the parameters into rnnviz and compares.
"""

from pathlib import Path

import numpy as np
import torch

CASES = {
    "rnn_tanh_1": (torch.nn.RNN, {"nonlinearity": "tanh"}, 1, False),
    "rnn_relu_2bi": (torch.nn.RNN, {"nonlinearity": "relu"}, 2, True),
    "lstm_1": (torch.nn.LSTM, {}, 1, False),
    "lstm_2bi": (torch.nn.LSTM, {}, 2, True),
    "gru_1": (torch.nn.GRU, {}, 1, False),
    "gru_2bi": (torch.nn.GRU, {}, 2, True),
}
T, B, I, H = 6, 3, 5, 4


def main() -> None:
    torch.manual_seed(447)
    out: dict[str, np.ndarray] = {}
    for case, (cls, kwargs, layers, bi) in CASES.items():
        module = cls(I, H, num_layers=layers, bidirectional=bi, **kwargs).double()
        D = 2 if bi else 1
        x = torch.randn(T, B, I, dtype=torch.float64, requires_grad=True)
        h0 = torch.randn(layers * D, B, H, dtype=torch.float64, requires_grad=True)
        dy = torch.randn(T, B, D * H, dtype=torch.float64)
        dh_n = torch.randn(layers * D, B, H, dtype=torch.float64)
        if cls is torch.nn.LSTM:
            c0 = torch.randn(layers * D, B, H, dtype=torch.float64, requires_grad=True)
            dc_n = torch.randn(layers * D, B, H, dtype=torch.float64)
            y, (h_n, c_n) = module(x, (h0, c0))
            loss = (y * dy).sum() + (h_n * dh_n).sum() + (c_n * dc_n).sum()
        else:
            y, h_n = module(x, h0)
            loss = (y * dy).sum() + (h_n * dh_n).sum()
        loss.backward()
        arrays = {"x": x, "h0": h0, "dy": dy, "dh_n": dh_n, "y": y, "h_n": h_n}
        arrays["dx"] = x.grad
        arrays["dh0"] = h0.grad
        if cls is torch.nn.LSTM:
            arrays.update(c0=c0, dc_n=dc_n, c_n=c_n, dc0=c0.grad)
        for name, p in module.named_parameters():
            arrays[f"param.{name}"] = p
            arrays[f"grad.{name}"] = p.grad
        for name, value in arrays.items():
            out[f"{case}/{name}"] = value.detach().numpy().copy()
    path = Path(__file__).with_name("torch_reference.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {path} ({len(out)} arrays)")


if __name__ == "__main__":
    main()
