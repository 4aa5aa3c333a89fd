"""LGMRec parity fixture: python3 tools/parity/lgmrec.py /path/to/MMRec OUT_DIR

Runs MMRec's LGMRec (src/models/lgmrec.py) on the tiny dataset with every term weighted so that its gradient
shows (cl_weight 0.05, reg_weight 0.1) and two hypergraph layers. Its random draws are the reference's own,
recorded and handed to our model as extras:
- the Gumbel noise of each gumbel_softmax call: torch.nn.functional.gumbel_softmax runs as is; the generator's
  state is saved before the call and the same exponential draws are taken again afterwards to read the noise
  g = -log(E) it added (extra/gumbel_{items,users}_{image,text}, one value per logit);
- the dropout multipliers of the hyperedge dependencies: the model's own nn.Dropout(1 - keep_rate) runs as is
  and its mask is read off its output, 1/keep_rate where a value was kept and 0 where it was dropped
  (extra/keep_{items,users}_{image,text}; a value that was already 0 passes no gradient either way).
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parity_common as pc  # noqa: E402

SEED = 13
OURS = {"embedding_size": 8, "feat_embed_dim": 8, "cf_model": "lightgcn", "n_ui_layers": 2, "n_mm_layers": 2,
        "n_hyper_layer": 2, "hyper_num": 4, "keep_rate": 0.5, "alpha": 0.3, "cl_weight": 0.05, "reg_weight": 0.1}
# the reference's call order: gumbel_softmax on iv, uv, it, ut; then dropout on iv, uv, it, ut
DRAWS = ["items_image", "users_image", "items_text", "users_text"]


def recording_gumbel_softmax(noise):
    real = F.gumbel_softmax

    def call(logits, tau=1, hard=False, eps=1e-10, dim=-1):
        before = torch.get_rng_state()
        y = real(logits, tau=tau, hard=hard, eps=eps, dim=dim)
        after = torch.get_rng_state()
        torch.set_rng_state(before)
        g = -torch.empty_like(logits).exponential_().log()  # the draws torch's gumbel_softmax takes
        assert torch.equal(torch.get_rng_state(), after), "gumbel_softmax drew differently than assumed"
        assert torch.allclose(y, ((logits + g) / tau).softmax(dim), atol=1e-6), "recorded noise does not give the output"
        noise.append(g.detach().numpy().copy())
        return y

    return call


class RecordingDropout(torch.nn.Module):
    def __init__(self, drop, masks):
        super().__init__()
        self.drop, self.masks = drop, masks

    def forward(self, x):
        y = self.drop(x)
        scale = 1.0 / (1.0 - self.drop.p)
        self.masks.append(((y != 0).float() * scale).detach().numpy().copy())
        return y


def main(ref, out):
    src = os.path.join(ref, "src")
    pc.reference_on_path(src)
    from models.lgmrec import LGMRec

    data = pc.tiny_dataset(SEED)
    root = pc.scratch_dataset(data)
    cfg = pc.reference_config(src, "LGMRec", root, dict(OURS))
    torch.manual_seed(SEED)
    model = LGMRec(cfg, pc.TrainLoader(data))
    model.train()
    noise, masks = [], []
    F.gumbel_softmax = recording_gumbel_softmax(noise)
    model.drop = RecordingDropout(model.drop, masks)
    b = pc.batch(data, SEED)
    params = {
        "user_emb": model.user_embedding.weight, "item_emb": model.item_id_embedding.weight,
        "trs_image": model.item_image_trs, "hyper_image": model.v_hyper,
        "trs_text": model.item_text_trs, "hyper_text": model.t_hyper,
    }
    init = {k: v.detach().clone().numpy() for k, v in params.items()}
    loss = model.calculate_loss(torch.tensor([b["users"], b["pos"], b["neg"]]))
    loss.backward()
    grads = {k: pc.grad_or_zero(v) for k, v in params.items()}  # every layout is already ours (in × out)
    assert len(noise) == 4 and len(masks) == 4, (len(noise), len(masks))
    extra = {}
    for name, g, m in zip(DRAWS, noise, masks):
        extra["gumbel_" + name] = g
        extra["keep_" + name] = m
    pc.save_fixture(out, "LGMRec", "enoche/MMRec@e775373 src/models/lgmrec.py", OURS, b, loss.item(), init, grads, data,
                    extra=extra)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
