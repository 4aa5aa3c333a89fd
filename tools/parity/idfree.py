"""IDFREE parity fixtures: python3 tools/parity/idfree.py /path/to/IDFREE OUT_DIR

Runs the authors' IDFREE (G-H-Li/IDFREE, src/models/idfree.py) on the tiny dataset and writes two fixture
folders under OUT_DIR (the parity resources folder):

- IDFREE: the repository's defaults (asg, auige, pe on, use_id false, lamda 1, tau 0.2) at a small size, dropout
  0, so the whole graph is used and nothing is random;
- IDFREE_use_id: use_id true and dropout 0.8: the edges the reference's torch.multinomial keeps in this batch are
  recorded (by wrapping the model's own sample_adj, which is then called as is) and handed to our model as
  extra/kept_edges, one (row, col) pair of the (users + items)^2 graph per kept edge. User 0 has no training rows
  here (its train rows are relabelled validation), so its mean features are 0 and the reference's user-user top-k
  holds NaN weights, which its sampling reads as 0 but counts in its sample size.

Both also hold extra/scores: the reference's inference scores (full_sort_predict) of users 0-3 at the initial
parameters.
"""
import os
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parity_common as pc  # noqa: E402

SEED = 13
SCORED_USERS = [0, 1, 2, 3]  # extra/scores: the reference's full_sort_predict for these users (rows), every item
COMMON = {"embedding_size": 8, "gcn_layers": 2, "knn_k": 3, "tau": 0.2, "lamda": 1.0, "m_alpha": 0.5,
          "asg": True, "auige": True, "pe": True, "use_text": True, "use_image": True}
FIXTURES = {
    "IDFREE": dict(COMMON, use_id=False, dropout=0.0),
    "IDFREE_use_id": dict(COMMON, use_id=True, dropout=0.8),
}


def linear(prefix, lin):
    return {prefix + "_w": lin.weight, prefix + "_b": lin.bias}


def reference_params(model, use_id):
    p = {}
    if use_id:
        p["user_id_emb"] = model.user_embedding.weight
        p["item_id_emb"] = model.item_id_embedding.weight
    for name, feat, mlp in (("image", model.v_feat_i, model.v_mu), ("text", model.t_feat_i, model.t_mu)):
        p["feat_" + name] = feat.weight
        p.update(linear("mlp_" + name, mlp.fcs[0]))
        p["mlp_" + name + "_ln_w"] = mlp.fcs[2].weight
        p["mlp_" + name + "_ln_b"] = mlp.fcs[2].bias
    for side, pred in (("item", model.i_edge_predictor), ("user", model.u_edge_predictor)):
        p.update(linear("asg_" + side + "_fc1", pred.fc1[0]))
        p.update(linear("asg_" + side + "_fc2", pred.fc2[0]))
    return p


def ours(name, a):
    """Our layout: Linear weights in×out, vectors as a row."""
    if name.endswith("_w") and not name.endswith("_ln_w"):
        return a.T
    if a.ndim == 1:
        return a.reshape(1, -1)
    return a


def fixture(ref_root, out, folder, values):
    from src.models.idfree import IDFREE

    data = pc.tiny_dataset(SEED)
    if values["use_id"]:  # user 0 without training rows: its mean features are 0, NaN in the reference's top-k
        data["rows"] = [(u, i, 1 if (u == 0 and x == 0) else x) for u, i, x in data["rows"]]
    root = pc.scratch_dataset(data)
    cfg = pc.reference_config(os.path.join(ref_root, "src"), "IDFREE", root, dict(values))
    cfg.update({"model": "IDFREE", "end2end": False, "save_intermediate": False,
                "save_path": tempfile.mkdtemp(prefix="idfree-saved-")})
    torch.manual_seed(SEED)
    model = IDFREE(cfg, pc.TrainLoader(data))
    model.train()
    kept = []
    if values["dropout"] > 0:
        sample = model.sample_adj

        def recording(adj, dropout):
            out_adj = sample(adj, dropout)
            kept.append(out_adj._indices().t().numpy().copy())
            return out_adj

        model.sample_adj = recording
    b = pc.batch(data, SEED)
    params = reference_params(model, values["use_id"])
    init = {k: ours(k, v.detach().clone().numpy()) for k, v in params.items()}
    loss = model.calculate_loss(torch.tensor([b["users"], b["pos"], b["neg"]]))
    loss.backward()
    grads = {k: ours(k, pc.grad_or_zero(v)) for k, v in params.items()}
    model.eval()  # inference at the same (initial) parameters: kNN graphs of the fused embeddings, no dropout
    with torch.no_grad():
        scores = model.full_sort_predict([torch.tensor(SCORED_USERS)]).numpy()
    extra = {"scores": scores}
    if kept:
        assert len(kept) == 1, "one training forward, one sample"
        extra["kept_edges"] = kept[0].astype(np.float32)
    pc.save_fixture(os.path.join(out, folder), "IDFREE", "G-H-Li/IDFREE@2d167be src/models/idfree.py", values, b,
                    loss.item(), init, grads, data, extra=extra)


def main(ref, out):
    pc.reference_on_path(ref)  # the reference imports itself as src.*
    for folder, values in FIXTURES.items():
        fixture(ref, out, folder, values)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
