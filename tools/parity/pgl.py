"""PGL parity fixture: python3 tools/parity/pgl.py /path/to/MMRec OUT_DIR

Runs MMRec's PGL (src/models/pgl.py, mode local) on the tiny dataset: its degree-sensitive sample of 30% of the
edges is drawn by the reference and handed to our model as extra/kept_edges (user, item rows); the contrastive
term is on (reg_weight 0.05, the PGL authors' weight) with dropout 0, so both views are the rows themselves.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parity_common as pc  # noqa: E402

SEED = 11
OURS = {"embedding_size": 8, "feat_embed_dim": 8, "knn_k": 3, "mm_image_weight": 0.3, "n_mm_layers": 1, "n_ui_layers": 2,
        "dropout": 0.0, "reg_weight": 0.05, "mode": "local", "prune_keep": 0.3, "train_features": True}


def main(ref, out):
    src = os.path.join(ref, "src")
    pc.reference_on_path(src)
    stub = type(sys)("sparsesvd")  # imported by pgl.py for the global mode only, which this fixture does not run
    stub.sparsesvd = None
    sys.modules.setdefault("sparsesvd", stub)
    from models.pgl import PGL

    data = pc.tiny_dataset(SEED)
    root = pc.scratch_dataset(data)
    keys = ("embedding_size", "feat_embed_dim", "knn_k", "mm_image_weight", "n_mm_layers", "n_ui_layers", "dropout", "reg_weight", "mode")
    cfg = pc.reference_config(src, "PGL", root, {k: OURS[k] for k in keys})
    torch.manual_seed(SEED)
    model = PGL(cfg, pc.TrainLoader(data))
    model.pre_epoch_processing()
    idx = model.sub_graph.coalesce().indices().numpy()
    users_first = idx[0] < data["n_users"]
    kept = np.stack([idx[0][users_first], idx[1][users_first] - data["n_users"]], axis=1)
    b = pc.batch(data, SEED)
    params = {
        "user_image": model.user_image.weight, "user_text": model.user_text.weight,
        "feat_image": model.image_embedding.weight, "feat_text": model.text_embedding.weight,
        "proj_image_w": model.image_trs.weight, "proj_image_b": model.image_trs.bias,
        "proj_text_w": model.text_trs.weight, "proj_text_b": model.text_trs.bias,
    }
    init = {k: v.detach().clone().numpy() for k, v in params.items()}
    loss = model.calculate_loss(torch.tensor([b["users"], b["pos"], b["neg"]]))
    loss.backward()
    grads = {k: pc.grad_or_zero(v) for k, v in params.items()}
    for k in ("proj_image_w", "proj_text_w"):  # torch's Linear holds out×in; ours in×out
        init[k], grads[k] = init[k].T, grads[k].T
    for k in ("proj_image_b", "proj_text_b"):  # ours is 1×out
        init[k], grads[k] = init[k].reshape(1, -1), grads[k].reshape(1, -1)
    pc.save_fixture(out, "PGL", "enoche/MMRec@e775373 src/models/pgl.py", OURS, b, loss.item(), init, grads, data,
                    extra={"kept_edges": kept})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
