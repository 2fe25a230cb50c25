"""PyTorch CPU side of `npm run bench` (scripts/bench-lstm.ts starts this and drives it).

Times one LSTM forward+backward on the shapes it is given, two ways:
  nn_lstm  -- torch.nn.LSTM (batch_first), h0 given, c0 = 0, output.backward(dh)
  manual   -- the same maths as the tfjs bench's plain-ops LSTM, step by step under autograd
              (x.Wx batched over time, gate order i, f, o, g), backward of <h, dh>

Protocol (one JSON object per line on stdout, so the caller can interleave PyTorch runs with
its own, round-robin): first line {"ready": ..., "torch": version, "threads": n}; then for
every line "nn_lstm" or "manual" read from stdin, one run and {"variant": ..., "ms": ...};
"quit" (or end of input) exits.
"""
import argparse
import json
import sys
import time

import torch


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--N", type=int, default=64)
    p.add_argument("--T", type=int, default=50)
    p.add_argument("--D", type=int, default=128)
    p.add_argument("--H", type=int, default=256)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    N, T, D, H = a.N, a.T, a.D, a.H

    x = torch.randn(N, T, D, requires_grad=True)
    h0 = torch.randn(N, H, requires_grad=True)
    dh = torch.randn(N, T, H)
    Wx = (torch.randn(D, 4 * H) / D ** 0.5).requires_grad_()
    Wh = (torch.randn(H, 4 * H) / H ** 0.5).requires_grad_()
    b = torch.zeros(4 * H, requires_grad=True)
    lstm = torch.nn.LSTM(D, H, batch_first=True)
    c0 = torch.zeros(1, N, H)

    def run_nn_lstm() -> None:
        out, _ = lstm(x, (h0.unsqueeze(0), c0))
        out.backward(dh)

    def run_manual() -> None:
        xw = (x.reshape(N * T, D) @ Wx).reshape(N, T, 4 * H)
        h, c = h0, torch.zeros(N, H)
        hs = []
        for t in range(T):
            act = xw[:, t] + h @ Wh + b
            i, f, o = torch.sigmoid(act[:, :3 * H]).chunk(3, dim=1)
            g = torch.tanh(act[:, 3 * H:])
            c = f * c + i * g
            h = o * torch.tanh(c)
            hs.append(h)
        torch.stack(hs, dim=1).backward(dh)

    variants = {"nn_lstm": run_nn_lstm, "manual": run_manual}
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        name = line.strip()
        if name == "quit":
            break
        if name not in variants:
            print(json.dumps({"error": f"unknown variant {name!r}"}), flush=True)
            continue
        for t_ in (x, h0, Wx, Wh, b, *lstm.parameters()):
            t_.grad = None
        start = time.perf_counter()
        variants[name]()
        ms = (time.perf_counter() - start) * 1000
        print(json.dumps({"variant": name, "ms": ms}), flush=True)


if __name__ == "__main__":
    main()
