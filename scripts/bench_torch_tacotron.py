"""PyTorch side of `npm run bench -- tacotron` (scripts/bench-tacotron.ts starts and drives it).

The project's Tacotron 2 (lib/models/tacotron2) at the same sizes, written the usual PyTorch way:
embedding, 3 x (conv1d, batch norm, ReLU, dropout), BiLSTM; pre-net with dropout, an
nn.LSTMCell attention LSTM, location-sensitive attention (cumulative and previous weights,
masked softmax), an nn.LSTMCell decoder LSTM, a linear layer to r frames + a stop logit; a
5-layer post-net (tanh); loss = mel MSE before and after the post-net + stop BCE + guided
attention. One timed step = forward and backward of a teacher-forced batch (no optimiser
update), the same work as the tfjs variants.

Protocol (one JSON object per line on stdout): first {"ready": true, "torch": version,
"threads": n}; then for each line "step" read from stdin one timed step and {"ms": ...};
"quit" (or end of input) exits. The batch's shapes come from --shape (a JSON file:
config, textLengths, frameLengths); its values are random (timing does not depend on them).
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Tacotron(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        E, He, De = c["embedDim"], c["encoderLstm"], 2 * c["encoderLstm"]
        self.embedding = nn.Embedding(c["vocabSize"], E)
        k = c["encoderKernel"]
        self.convs = nn.ModuleList(nn.Conv1d(E, E, k, padding=k // 2, bias=False) for _ in range(c["encoderConvLayers"]))
        self.norms = nn.ModuleList(nn.BatchNorm1d(E) for _ in range(c["encoderConvLayers"]))
        self.encoder = nn.LSTM(E, He, batch_first=True, bidirectional=True)
        P, M, r = c["prenetDim"], c["melDims"], c["r"]
        self.prenet = nn.ModuleList([nn.Linear(M, P), nn.Linear(P, P)])
        self.att_cell = nn.LSTMCell(P + De, c["attentionLstm"])
        A, Fl, kl = c["attentionDim"], c["locationFilters"], c["locationKernel"]
        self.query = nn.Linear(c["attentionLstm"], A, bias=False)
        self.memory_proj = nn.Linear(De, A, bias=False)
        self.location_conv = nn.Conv1d(2, Fl, kl, padding=kl // 2, bias=False)
        self.location = nn.Linear(Fl, A)
        self.energy = nn.Linear(A, 1, bias=False)
        self.dec_cell = nn.LSTMCell(c["attentionLstm"] + De, c["decoderLstm"])
        self.proj = nn.Linear(c["decoderLstm"] + De, r * M + 1)
        ch, kp, Lp = c["postnetChannels"], c["postnetKernel"], c["postnetLayers"]
        sizes = [M] + [ch] * (Lp - 1) + [M]
        self.postnet = nn.ModuleList(nn.Conv1d(sizes[i], sizes[i + 1], kp, padding=kp // 2) for i in range(Lp))

    def forward(self, ids, text_mask, mel):
        c = self.c
        N, L = ids.shape
        r, M = c["r"], c["melDims"]
        S = mel.shape[1] // r
        x = self.embedding(ids).transpose(1, 2)
        for conv, norm in zip(self.convs, self.norms):
            x = F.dropout(F.relu(norm(conv(x))), c["encoderDropout"], True)
        memory, _ = self.encoder(x.transpose(1, 2))
        processed = self.memory_proj(memory)
        prev = torch.cat([torch.zeros(N, 1, M), mel.reshape(N, S, r, M)[:, :-1, r - 1]], 1)
        pre = prev
        for layer in self.prenet:
            pre = F.dropout(F.relu(layer(pre)), c["prenetDropout"], True)
        att_h = att_c = torch.zeros(N, c["attentionLstm"])
        dec_h = dec_c = torch.zeros(N, c["decoderLstm"])
        context = torch.zeros(N, memory.shape[2])
        align = torch.zeros(N, L)
        align[:, 0] = 1
        cumulative = align
        outs, aligns = [], []
        for t in range(S):
            att_h, att_c = self.att_cell(torch.cat([pre[:, t], context], 1), (att_h, att_c))
            loc = self.location(self.location_conv(torch.stack([align, cumulative], 1)).transpose(1, 2))
            energy = self.energy(torch.tanh(self.query(att_h).unsqueeze(1) + processed + loc)).squeeze(2)
            align = torch.softmax(energy.masked_fill(text_mask == 0, float("-inf")), 1)
            cumulative = cumulative + align
            context = torch.bmm(align.unsqueeze(1), memory).squeeze(1)
            dec_h, dec_c = self.dec_cell(torch.cat([att_h, context], 1), (dec_h, dec_c))
            outs.append(self.proj(torch.cat([dec_h, context], 1)))
            aligns.append(align)
        out = torch.stack(outs, 1)
        mel_out = out[:, :, : r * M].reshape(N, S * r, M)
        z = mel_out.transpose(1, 2)
        for i, conv in enumerate(self.postnet):
            z = conv(z)
            if i < len(self.postnet) - 1:
                z = torch.tanh(z)
        return mel_out, mel_out + z.transpose(1, 2), out[:, :, -1], torch.stack(aligns, 1)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--shape", required=True)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    shape = json.load(open(a.shape))
    c = shape["config"]
    model = Tacotron(c)
    N, L, S = len(shape["textLengths"]), max(shape["textLengths"]), shape["steps"]
    ids = torch.randint(1, c["vocabSize"], (N, L))
    text_mask = torch.tensor([[1.0 if i < n else 0.0 for i in range(L)] for n in shape["textLengths"]])
    ids = ids * text_mask.long()
    mel = torch.randn(N, S * c["r"], c["melDims"])
    frame_mask = torch.tensor([[1.0 if i < f else 0.0 for i in range(S * c["r"])] for f in shape["frameLengths"]])
    stop_target = torch.rand(N, S).round()
    guide = torch.rand(N, S, L)

    def step() -> None:
        model.zero_grad(set_to_none=True)
        mel_out, post, stop, aligns = model(ids, text_mask, mel)
        m = frame_mask.unsqueeze(2)
        denom = m.sum() * c["melDims"]
        loss = (((mel_out - mel) * m) ** 2).sum() / denom + (((post - mel) * m) ** 2).sum() / denom
        loss = loss + F.binary_cross_entropy_with_logits(stop, stop_target) + (aligns * guide).sum() / N
        loss.backward()

    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        if line.strip() != "step":
            break
        start = time.perf_counter()
        step()
        print(json.dumps({"ms": (time.perf_counter() - start) * 1000}), flush=True)


if __name__ == "__main__":
    main()
