"""LATTICE parity fixture: python3 tools/parity/lattice.py /path/to/MMRec OUT_DIR

Runs MMRec's LATTICE (src/models/lattice.py) on the tiny dataset, LightGCN backbone (mess_dropout is read only by
the NGCF backbone; set to 0 all the same), and records its loss and gradients for the first batch of an epoch:
the batch that learns the item graph, so the gradients of the projections, the fine-tuned features and the
modality weights through the kept top-k similarities are part of the fixture.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parity_common as pc  # noqa: E402

SEED = 11
OURS = {"embedding_size": 8, "feat_embed_dim": 6, "weight_size": [8, 8], "knn_k": 3, "lambda_coeff": 0.7,
        "n_layers": 2, "cf_model": "lightgcn", "mess_dropout": [0.0, 0.0], "reg_weight": 0.1, "learning_rate": 0.001,
        "train_batch_size": 2048}
MODAL_WEIGHT = [0.2, 0.9]  # away from the initial 0.5, 0.5 so that softmax's gradient is not symmetric


def main(ref, out):
    src = os.path.join(ref, "src")
    pc.reference_on_path(src)
    torch.Tensor.cuda = lambda self, *args, **kwargs: self  # the model moves its original graphs with .cuda(); CPU here
    from models.lattice import LATTICE

    data = pc.tiny_dataset(SEED)
    root = pc.scratch_dataset(data)
    cfg = pc.reference_config(src, "LATTICE", root, dict(OURS))
    torch.manual_seed(SEED)
    model = LATTICE(cfg, pc.TrainLoader(data))
    with torch.no_grad():
        model.modal_weight.copy_(torch.tensor(MODAL_WEIGHT))
    model.pre_epoch_processing()
    b = pc.batch(data, SEED)
    params = {
        "user_emb": model.user_embedding.weight, "item_emb": model.item_id_embedding.weight,
        "feat_image": model.image_embedding.weight, "proj_image_w": model.image_trs.weight,
        "proj_image_b": model.image_trs.bias,
        "feat_text": model.text_embedding.weight, "proj_text_w": model.text_trs.weight,
        "proj_text_b": model.text_trs.bias,
        "modal_weight": model.modal_weight,
    }
    init = {k: v.detach().clone().numpy() for k, v in params.items()}
    loss = model.calculate_loss(torch.tensor([b["users"], b["pos"], b["neg"]]))
    loss.backward()
    grads = {k: pc.grad_or_zero(v) for k, v in params.items()}
    for k in ("proj_image_w", "proj_text_w"):  # torch's Linear holds out×in; ours in×out
        init[k], grads[k] = init[k].T, grads[k].T
    for k in ("proj_image_b", "proj_text_b"):  # ours is 1×out
        init[k], grads[k] = init[k].reshape(1, -1), grads[k].reshape(1, -1)
    pc.save_fixture(out, "LATTICE", "enoche/MMRec@e775373 src/models/lattice.py", OURS, b, loss.item(), init, grads, data)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
