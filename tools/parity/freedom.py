"""FREEDOM parity fixture: python3 tools/parity/freedom.py /path/to/MMRec OUT_DIR

Runs MMRec's FREEDOM (src/models/freedom.py) on the tiny dataset with edge pruning off (dropout 0: the epoch
graph is the full normalised graph), records its loss and gradients for one batch.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parity_common as pc  # noqa: E402

SEED = 7
OURS = {"embedding_size": 8, "feat_embed_dim": 8, "knn_k": 3, "mm_image_weight": 0.3, "n_mm_layers": 1, "n_ui_layers": 2,
        "dropout": 0.0, "reg_weight": 0.1, "train_features": True}


def main(ref, out):
    src = os.path.join(ref, "src")
    pc.reference_on_path(src)
    from models.freedom import FREEDOM

    data = pc.tiny_dataset(SEED)
    root = pc.scratch_dataset(data)
    keys = ("embedding_size", "feat_embed_dim", "knn_k", "mm_image_weight", "n_mm_layers", "n_ui_layers", "dropout", "reg_weight")
    cfg = pc.reference_config(src, "FREEDOM", root, {k: OURS[k] for k in keys})
    torch.manual_seed(SEED)
    model = FREEDOM(cfg, pc.TrainLoader(data))
    model.pre_epoch_processing()
    b = pc.batch(data, SEED)
    params = {
        "user_emb": model.user_embedding.weight, "item_emb": model.item_id_embedding.weight,
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
    pc.save_fixture(out, "FREEDOM", "enoche/MMRec@e775373 src/models/freedom.py", OURS, b, loss.item(), init, grads, data)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
