"""Shared pieces of the parity fixture generators: the tiny dataset, a stand-in for MMRec's train loader,
the reference config, the batch, and the fixture writer. See README.md for the format.

Nothing here is reference code: the generators import the reference model class from a checkout given on the
command line and only feed it data and read its loss and gradients.
"""
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import scipy.sparse as sp
import torch
import yaml


def tiny_dataset(seed, n_users=40, n_items=30, min_items=4, max_items=12, dims=(16, 12)):
    """A small MMRec-style dataset: each user gets distinct items, all but two in train, then one valid and
    one test row. Features are standard normal float32 (image first, then text)."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_users):
        k = int(rng.integers(min_items, max_items + 1))
        items = rng.choice(n_items, size=k, replace=False)
        for j, i in enumerate(items):
            label = 0 if j < k - 2 else (1 if j == k - 2 else 2)
            rows.append((u, int(i), label))
    used = {i for _, i, _ in rows}
    missing = [i for i in range(n_items) if i not in used]
    for i in missing:  # every item id occurs, so both sides count n_items
        rows.append((int(rng.integers(n_users)), i, 0))
    feats = {
        "image": rng.standard_normal((n_items, dims[0])).astype(np.float32),
        "text": rng.standard_normal((n_items, dims[1])).astype(np.float32),
    }
    return {"rows": rows, "n_users": n_users, "n_items": n_items, "feats": feats}


def write_dataset(folder, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "parity.inter"), "w") as f:
        f.write("userID\titemID\tx_label\n")
        for u, i, x in data["rows"]:
            f.write(f"{u}\t{i}\t{x}\n")
    np.save(os.path.join(folder, "image_feat.npy"), data["feats"]["image"])
    np.save(os.path.join(folder, "text_feat.npy"), data["feats"]["text"])


def train_pairs(data):
    """(user, item) of the train rows, duplicates removed, in file order."""
    seen, out = set(), []
    for u, i, x in data["rows"]:
        if x == 0 and (u, i) not in seen:
            seen.add((u, i))
            out.append((u, i))
    return out


class _Counts:
    def __init__(self, n_users, n_items):
        self.n_users, self.n_items = n_users, n_items

    def get_user_num(self):
        return self.n_users

    def get_item_num(self):
        return self.n_items


class TrainLoader:
    """What a reference model's constructor reads from MMRec's train loader: the counts and the train matrix."""

    def __init__(self, data):
        self.dataset = _Counts(data["n_users"], data["n_items"])
        pairs = train_pairs(data)
        self._rows = np.array([u for u, _ in pairs])
        self._cols = np.array([i for _, i in pairs])
        self._shape = (data["n_users"], data["n_items"])

    def inter_matrix(self, form="coo", value_field=None):
        m = sp.coo_matrix((np.ones(len(self._rows), dtype=np.float32), (self._rows, self._cols)), shape=self._shape)
        return m.asformat(form)


class ReferenceConfig(dict):
    """MMRec's Config answers None for a key it does not hold; reference models rely on that."""

    def __getitem__(self, key):
        return self.get(key)


def reference_config(ref_src, model, data_root, overrides):
    """MMRec-style config: overall.yaml < configs/model/<model>.yaml < overrides, on CPU, reading the
    dataset 'parity' under data_root."""
    cfg = ReferenceConfig()
    for path in (os.path.join(ref_src, "configs", "overall.yaml"), os.path.join(ref_src, "configs", "model", model + ".yaml")):
        with open(path) as f:
            cfg.update(yaml.safe_load(f) or {})
    cfg.update({"vision_feature_file": "image_feat.npy", "text_feature_file": "text_feat.npy",  # a dataset yaml's keys
                "inter_file_name": "parity.inter", "USER_ID_FIELD": "userID", "ITEM_ID_FIELD": "itemID"})
    cfg.update(overrides)
    cfg.update({"data_path": data_root.rstrip("/") + "/", "dataset": "parity", "device": torch.device("cpu"), "use_gpu": False})
    return cfg


def batch(data, seed, size=16):
    """size train rows drawn without replacement and one negative each, not among the user's train items."""
    rng = np.random.default_rng(seed + 1)
    pairs = train_pairs(data)
    by_user = {}
    for u, i in pairs:
        by_user.setdefault(u, set()).add(i)
    pick = rng.choice(len(pairs), size=size, replace=False)
    users, pos, neg = [], [], []
    for k in pick:
        u, i = pairs[k]
        j = int(rng.integers(data["n_items"]))
        while j in by_user[u]:
            j = int(rng.integers(data["n_items"]))
        users.append(int(u)), pos.append(int(i)), neg.append(j)
    return {"users": users, "pos": pos, "neg": neg}


def reference_on_path(ref_src):
    sys.path.insert(0, os.path.abspath(ref_src))


def scratch_dataset(data):
    """A temporary data root holding the dataset as 'parity' (reference code may write caches there)."""
    root = tempfile.mkdtemp(prefix="parity-")
    write_dataset(os.path.join(root, "parity"), data)
    return root


def _matrix(a):
    a = np.ascontiguousarray(a, dtype=np.float32)
    if a.ndim == 0:
        a = a.reshape(1, 1)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    return np.ascontiguousarray(a)


def save_fixture(out, model, reference, config, batch, loss, params, grads, data, extra=None, tolerance=1e-4):
    """Writes the fixture folder: dataset, init/ and grad/ .npy files (our layout, 2-D float32), fixture.json."""
    if os.path.exists(out):
        shutil.rmtree(out)
    write_dataset(out, data)
    spec = {"model": model, "reference": reference, "config": config, "batch": batch, "loss": float(loss),
            "params": {}, "grads": {}, "tolerance": tolerance}
    for key, arrays in (("init", params), ("grad", grads)):
        os.makedirs(os.path.join(out, key))
        for name, a in arrays.items():
            np.save(os.path.join(out, key, name + ".npy"), _matrix(a))
            spec["params" if key == "init" else "grads"][name] = f"{key}/{name}.npy"
    if extra:
        os.makedirs(os.path.join(out, "extra"))
        spec["extra"] = {}
        for name, a in extra.items():
            np.save(os.path.join(out, "extra", name + ".npy"), _matrix(a))
            spec["extra"][name] = f"extra/{name}.npy"
    with open(os.path.join(out, "fixture.json"), "w") as f:
        json.dump(spec, f, indent=1)
    print(f"wrote {out}: loss {float(loss):.7g}, {len(params)} params")


def grad_or_zero(p):
    return (p.grad if p.grad is not None else torch.zeros_like(p)).detach().numpy()
