"""MGCN parity fixture: python3 tools/parity/mgcn.py /path/to/MMRec OUT_DIR

Runs MMRec's MGCN (src/models/mgcn.py) on the tiny dataset and records its loss and gradients for one batch. MGCN
draws nothing at random inside its loss, so no extras are needed; its kNN graphs, the normalised user-item graph
and its block R are built by the reference constructor from the fixture's features and train rows. The reference
moves its kNN graphs with .cuda(): on a CPU-only torch that call is made to return the tensor itself. Its kNN
normalisation imports torch_scatter.scatter_add; where that package is missing, a stand-in built on torch's own
scatter_add_ (the same sums) is registered under its name.
train_batch_size differs from the batch length on purpose: the reference divides its L2 term by the configured
batch size, not by the rows it was given.
"""
import os
import sys

import types

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parity_common as pc  # noqa: E402

SEED = 11
OURS = {"embedding_size": 8, "knn_k": 3, "n_ui_layers": 2, "n_layers": 1, "reg_weight": 0.1, "cl_loss": 0.5,
        "train_batch_size": 20, "train_features": True}


def scatter_add(src, index, dim=-1, dim_size=None):
    """torch_scatter.scatter_add for 1-D src and index: out[index[k]] += src[k] over dim_size slots."""
    size = dim_size if dim_size is not None else int(index.max()) + 1
    return torch.zeros(size, dtype=src.dtype).scatter_add_(0, index, src)


def main(ref, out):
    src = os.path.join(ref, "src")
    pc.reference_on_path(src)
    from models.mgcn import MGCN

    if not torch.cuda.is_available():
        torch.Tensor.cuda = lambda self, *args, **kwargs: self
    try:
        import torch_scatter  # noqa: F401
    except ImportError:
        sys.modules["torch_scatter"] = types.SimpleNamespace(scatter_add=scatter_add)

    data = pc.tiny_dataset(SEED)
    root = pc.scratch_dataset(data)
    keys = ("embedding_size", "knn_k", "n_ui_layers", "n_layers", "reg_weight", "cl_loss", "train_batch_size")
    cfg = pc.reference_config(src, "MGCN", root, {k: OURS[k] for k in keys})
    torch.manual_seed(SEED)
    model = MGCN(cfg, pc.TrainLoader(data))
    model.pre_epoch_processing()
    b = pc.batch(data, SEED)
    linears = {  # ours -> the reference's nn.Linear
        "proj_image": model.image_trs, "proj_text": model.text_trs,
        "gate_image": model.gate_v[0], "gate_text": model.gate_t[0],
        "prefer_image": model.gate_image_prefer[0], "prefer_text": model.gate_text_prefer[0],
        "query": model.query_common[0],
    }
    params = {"user_emb": model.user_embedding.weight, "item_emb": model.item_id_embedding.weight,
              "feat_image": model.image_embedding.weight, "feat_text": model.text_embedding.weight,
              "query_out_w": model.query_common[2].weight}
    for name, lin in linears.items():
        params[name + "_w"], params[name + "_b"] = lin.weight, lin.bias
    init = {k: v.detach().clone().numpy() for k, v in params.items()}
    loss = model.calculate_loss(torch.tensor([b["users"], b["pos"], b["neg"]]))
    loss.backward()
    grads = {k: pc.grad_or_zero(v) for k, v in params.items()}
    for k in [n + "_w" for n in linears] + ["query_out_w"]:  # torch's Linear holds out×in; ours in×out
        init[k], grads[k] = init[k].T, grads[k].T
    for k in [n + "_b" for n in linears]:  # ours is 1×out
        init[k], grads[k] = init[k].reshape(1, -1), grads[k].reshape(1, -1)
    pc.save_fixture(out, "MGCN", "enoche/MMRec@e775373 src/models/mgcn.py", OURS, b, loss.item(), init, grads, data)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
