#!/usr/bin/env python3
"""Vendors Cognito's service models for request validation (shared/model/*.json).

Reads botocore's service-2.json for cognito-idp and cognito-identity (from a botocore wheel
downloaded from PyPI, or from the paths given) and keeps only what request validation needs:
every operation's name and input shape, and each shape's type, members, required members,
min/max, pattern, enum and sensitivity. Documentation, outputs and errors are dropped.

    python3 scripts/trim-model.py            # downloads the pinned botocore into a temp dir

PATCHES records where Cognito's behaviour and the published model disagree; the service's
behaviour wins (each patch says why).
"""
import gzip
import io
import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

SERVICES = {
    "cognito-idp": "cognito-idp/2016-04-18/service-2.json.gz",
    "cognito-identity": "cognito-identity/2014-06-30/service-2.json.gz",
}
KEEP = ("type", "required", "min", "max", "pattern", "enum", "sensitive")
BOTOCORE = "botocore==1.44.18"
# (service, shape, field) -> value.
PATCHES = {
    # The model says [\S]+ (matched whole, as Coral does: no space anywhere), but Cognito's
    # password rules allow "a non-leading, non-trailing space character" (and count it as a
    # symbol), which is what this pattern (the model's own earlier one) says.
    ("cognito-idp", "PasswordType", "pattern"): r"[\S]+(.*[\S]+)?",
    # The model's pattern is a prefix domain's (one label, no dots), but CreateUserPoolDomain
    # takes custom domains (`auth.example.com`) in the same member; the operation checks a
    # prefix domain's own form itself, with Cognito's message.
    ("cognito-idp", "DomainType", "pattern"): (
        r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)*$"
    ),
}


def trim(model):
    ops = {name: op["input"]["shape"] for name, op in model["operations"].items() if "input" in op}
    ops.update({name: None for name, op in model["operations"].items() if "input" not in op})
    needed, todo = set(), [s for s in ops.values() if s]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        shape = model["shapes"][name]
        refs = [m["shape"] for m in shape.get("members", {}).values()]
        refs += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
        todo.extend(refs)
    shapes = {}
    for name in sorted(needed):
        src = model["shapes"][name]
        out = {k: src[k] for k in KEEP if k in src}
        if src.get("document"):
            out["type"] = "document"
        if "members" in src:
            out["members"] = {m: v["shape"] for m, v in src["members"].items()}
        for k in ("member", "key", "value"):
            if k in src:
                out[k] = src[k]["shape"]
        shapes[name] = out
    return {
        "version": model["metadata"]["apiVersion"],
        "targetPrefix": model["metadata"]["targetPrefix"],
        "operations": dict(sorted(ops.items())),
        "shapes": shapes,
    }


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, BOTOCORE],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob("botocore-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            for svc, path in SERVICES.items():
                raw = gzip.decompress(z.read(f"botocore/data/{path}"))
                out = trim(json.loads(raw))
                for (patched, shape, field), value in PATCHES.items():
                    if patched == svc:
                        out["shapes"][shape][field] = value
                out["source"] = wheel.name
                out["patched"] = sorted(
                    f"{shape}.{field}" for (patched, shape, field) in PATCHES if patched == svc
                )
                dest = root / "shared" / "model" / f"{svc}.json"
                dest.write_text(json.dumps(out, separators=(",", ":"), sort_keys=True) + "\n")
                print(f"{dest.relative_to(root)}: {len(out['operations'])} operations, "
                      f"{len(out['shapes'])} shapes, {dest.stat().st_size} bytes")


if __name__ == "__main__":
    main()
