#!/usr/bin/env python3
"""Parity fixture for COHESION: runs the authors' reference (Jinfeng-Xu/COHESION) on a tiny dataset.

    python3 tools/parity/cohesion.py /work/ref/COHESION OUT_DIR

Writes OUT_DIR/{parity.inter, image_feat.npy, text_feat.npy, fixture.json, init/, grad/, extra/} with
parity_common's writer.

What runs from the checkout, unmodified:
  * preprocessing/dualgnn-gen-u-u-matrix.py, as a script, on the tiny dataset (it builds the user-user graph,
    user_graph_dict.npy) inside a scratch copy of the folder layout it expects;
  * src/models/cohesion.py: the COHESION class, its pre_epoch_processing (the epoch's user-graph sample) and
    calculate_loss, then one backward pass.
What the script supplies around it:
  * parity_common's stand-in for the data loader and its config (the checkout's overall.yaml < COHESION.yaml
    < the fixture's values);
  * placeholder modules for torch_geometric and torch_sparse, which cohesion.py imports but never calls
    (MessagePassing, remove_self_loops, add_self_loops, degree are unused); neither is packaged for Debian's
    python3-torch 1.13, and tqdm (the preprocessing's progress bar) is replaced by a pass-through if missing;
  * a latent width of 8 instead of the reference's hard-coded 64 (its `dim_latent` and the GCNLayer width),
    to keep the fixture small: the maths do not depend on the width, and ours reads it from embedding_size;
  * on CPU, `nn.Parameter(...).to('cpu')` returns the Parameter itself, so `result_embed` is registered as a
    parameter and the forward's assignment to it fails; the script unregisters it (REFERENCE.md's CPU runs
    clone it instead). It is overwritten by every forward and read only for ranking.
Dropout is 0 (no edge pruning). The epoch's user-graph sample pads users with fewer than 40 neighbours by
numpy draws; the sample is written as extra/user_graph_index.npy and extra/user_graph_weight.npy, and the
preprocessing's whole graph as extra/user_graph.npy (rows: user, neighbour, co-interaction count).
"""
import os
import runpy
import shutil
import sys
import tempfile
import types

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parity_common as pc  # noqa: E402

SEED = 14
USERS, ITEMS = 40, 30
LATENT = 8
IMAGE_DIM, TEXT_DIM = 16, 12
CONFIG = {  # our keys; the reference's equivalents below
    "embedding_size": LATENT,
    "knn_k": 3,
    "mm_image_weight": 0.1,
    "n_mm_layers": 1,
    "num_layer": 2,
    "reg_weight": 0.1,
    "learning_rate": 0.1,
    "dropout": 0.0,
    "user_neighbours": 40,
}


def tiny_dataset(rng):
    """Users 0..38 each train on 6-9 of items 0..27; user 39 trains only on item 29, which no one else trains
    on (a user without neighbours); item 28 has no training row (an isolated node). One valid and one test
    row per user, outside its training items. In parity_common's format."""
    rows = []
    train = {}
    for u in range(USERS - 1):
        items = rng.choice(28, size=rng.integers(6, 10), replace=False)
        train[u] = set(int(i) for i in items)
    train[USERS - 1] = {29}
    for u in range(USERS):
        for i in sorted(train[u]):
            rows.append((u, i, 0))
        rest = [i for i in range(ITEMS) if i not in train[u]]
        held = rng.choice(rest, size=2, replace=False)
        rows.append((u, int(held[0]), 1))
        rows.append((u, int(held[1]), 2))
    feats = {"image": rng.standard_normal((ITEMS, IMAGE_DIM)).astype(np.float32),
             "text": rng.standard_normal((ITEMS, TEXT_DIM)).astype(np.float32)}
    return {"rows": rows, "n_users": USERS, "n_items": ITEMS, "feats": feats}, train


def install_placeholders():
    """cohesion.py imports these names and calls none of them."""

    def unused(name):
        def f(*a, **k):
            raise RuntimeError(name + " is a placeholder: the reference model does not call it")

        return f

    tg = types.ModuleType("torch_geometric")
    tg_nn = types.ModuleType("torch_geometric.nn")
    tg_nn.MessagePassing = type("MessagePassing", (torch.nn.Module,), {})
    tg_utils = types.ModuleType("torch_geometric.utils")
    for n in ("remove_self_loops", "add_self_loops", "degree"):
        setattr(tg_utils, n, unused(n))
    tg.nn, tg.utils = tg_nn, tg_utils
    sys.modules.update({"torch_geometric": tg, "torch_geometric.nn": tg_nn, "torch_geometric.utils": tg_utils})
    sys.modules.setdefault("torch_sparse", types.ModuleType("torch_sparse"))
    try:
        import tqdm  # noqa: F401
    except ImportError:
        tq = types.ModuleType("tqdm")

        class Bar:
            def __init__(self, *a, **k):
                pass

            def update(self, n=1):
                pass

            def close(self):
                pass

        tq.tqdm = Bar
        sys.modules["tqdm"] = tq


def run_preprocessing(ref, scratch, data):
    """The reference's user-graph script, unmodified, in the folder layout it expects (../src/configs,
    ../data/<dataset>), on the tiny dataset. Returns its user_graph_dict."""
    src = os.path.join(scratch, "src")
    os.makedirs(os.path.join(src, "configs", "dataset"))
    shutil.copy(os.path.join(ref, "src", "configs", "overall.yaml"), os.path.join(src, "configs", "overall.yaml"))
    with open(os.path.join(src, "configs", "dataset", "parity.yaml"), "w") as f:
        f.write("USER_ID_FIELD: userID\nITEM_ID_FIELD: itemID\ninter_file_name: parity.inter\n"
                "user_graph_dict_file: user_graph_dict.npy\n")
    folder = os.path.join(scratch, "data", "parity")
    pc.write_dataset(folder, data)
    pre = os.path.join(scratch, "preprocessing")
    os.makedirs(pre)
    cwd, argv = os.getcwd(), sys.argv
    try:
        os.chdir(pre)
        sys.argv = ["dualgnn-gen-u-u-matrix.py", "-d", "parity"]
        runpy.run_path(os.path.join(ref, "preprocessing", "dualgnn-gen-u-u-matrix.py"), run_name="__main__")
    finally:
        os.chdir(cwd)
        sys.argv = argv
    return np.load(os.path.join(folder, "user_graph_dict.npy"), allow_pickle=True).item()


def main(ref, out):
    ref = os.path.abspath(ref)
    rng = np.random.default_rng(SEED)
    data, train = tiny_dataset(rng)
    install_placeholders()
    scratch = tempfile.mkdtemp(prefix="cohesion-parity-")
    try:
        user_graph_dict = run_preprocessing(ref, scratch, data)
        src = os.path.join(ref, "src")
        pc.reference_on_path(src)
        import models.cohesion as ref_model

        gcn_layer = ref_model.GCNLayer

        def narrow_gcn_layer(*a, dim_latent=None, **k):
            # the class's own super(GCNLayer, self) call reads the module name: restore it while constructing
            ref_model.GCNLayer = gcn_layer
            try:
                return gcn_layer(*a, dim_latent=LATENT, **k)
            finally:
                ref_model.GCNLayer = narrow_gcn_layer

        ref_model.GCNLayer = narrow_gcn_layer
        original_init = ref_model.COHESION.initialize_embeddings

        def narrow_init(self, config, dataset):  # runs after `self.dim_latent = 64`, before anything reads it
            self.dim_latent = LATENT
            original_init(self, config, dataset)

        ref_model.COHESION.initialize_embeddings = narrow_init

        keys = ("embedding_size", "knn_k", "mm_image_weight", "n_mm_layers", "num_layer", "reg_weight", "dropout")
        overrides = {k: CONFIG[k] for k in keys}
        overrides.update({"feat_embed_dim": LATENT, "user_graph_dict_file": "user_graph_dict.npy"})
        cfg = pc.reference_config(src, "COHESION", os.path.join(scratch, "data"), overrides)
        np.random.seed(SEED)
        torch.manual_seed(SEED)
        model = ref_model.COHESION(cfg, pc.TrainLoader(data))
        del model._parameters["result_embed"]  # see the module docstring
        model.result_embed = None
        model.pre_epoch_processing()

        users, pos, neg = [], [], []
        for u in list(range(USERS)) + [0, 5]:  # every user, two of them twice
            users.append(u)
            pos.append(int(rng.choice(sorted(train[u]))))
            neg.append(int(rng.choice([i for i in range(ITEMS) if i not in train[u]])))
        batch = {"users": users, "pos": pos, "neg": neg}

        tables = {"id_feat": model.id_feat, "weight_u": model.weight_u}
        for name, layer in (("id", model.id_gcn), ("image", model.v_gcn), ("text", model.t_gcn)):
            tables[f"pref_{name}"] = layer.preference
            tables[f"mlp_{name}_w"] = layer.MLP.weight
            tables[f"mlp_{name}_b"] = layer.MLP.bias
            tables[f"mlp1_{name}_w"] = layer.MLP_1.weight
            tables[f"mlp1_{name}_b"] = layer.MLP_1.bias
        init = {k: v.detach().clone().numpy() for k, v in tables.items()}
        loss = model.calculate_loss(torch.tensor([users, pos, neg]))
        loss.backward()
        grads = {k: pc.grad_or_zero(v) for k, v in tables.items()}  # the ID branch's MLP and preferences: none
        for k in list(init):
            if k == "weight_u":  # |U|x2x1 in the reference
                init[k], grads[k] = init[k].reshape(USERS, 2), grads[k].reshape(USERS, 2)
            elif k.endswith("_w"):  # torch's Linear holds out x in; ours in x out
                init[k], grads[k] = init[k].T, grads[k].T
            elif k.endswith("_b"):  # ours is 1 x out
                init[k], grads[k] = init[k].reshape(1, -1), grads[k].reshape(1, -1)

        graph = [(u, v, c) for u in range(USERS) for v, c in zip(user_graph_dict[u][0], user_graph_dict[u][1])]
        extra = {
            "user_graph": np.array(graph, dtype=np.float32).reshape(-1, 3),
            "user_graph_index": np.array(model.epoch_user_graph, dtype=np.float32),
            "user_graph_weight": model.user_weight_matrix.numpy(),
        }
        pc.save_fixture(out, "COHESION",
                        "Jinfeng-Xu/COHESION@3fccdaf src/models/cohesion.py, preprocessing/dualgnn-gen-u-u-matrix.py",
                        CONFIG, batch, loss.item(), init, grads, data, extra=extra)
        print(f"{len(graph)} user-graph entries")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
