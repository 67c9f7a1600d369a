#!/usr/bin/env python3
"""Generates shared/tests/data/srp_vectors.json from a real Cognito SRP client.

Provenance only: the test suite reads the committed JSON and never runs this script.
The client side (A, x, u, S, the HKDF key, the timestamp and the PASSWORD_CLAIM_SIGNATURE)
comes from pycognito's `aws_srp.py` (pycognito 2024.5.1), the code real users sign in
with. The server side (v and B) is the Cognito SRP-6a math of cognito-wire.md section 4,
written out here because pycognito has no server. The committed vectors were also
cross-checked (A, the HKDF key and the signature) with amazon-cognito-identity-js 6.3.21's
AuthenticationHelper.

Run it from a throwaway virtualenv, never from the repo:

    python3 -m venv /tmp/srpvenv && /tmp/srpvenv/bin/pip install pycognito==2024.5.1
    /tmp/srpvenv/bin/python scripts/gen_srp_vectors.py > shared/tests/data/srp_vectors.json
"""

import base64
import datetime
import hashlib
import json
import sys

from pycognito import aws_srp
from pycognito.aws_srp import AWSSRP

N = aws_srp.hex_to_long(aws_srp.N_HEX)
G = aws_srp.hex_to_long(aws_srp.G_HEX)
FORMAT_TIMESTAMP = AWSSRP.get_cognito_formatted_timestamp


def det_bytes(label, n):
    """Fixed pseudo-random bytes, so the vectors are reproducible."""
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{label}/{counter}".encode()).digest()
        counter += 1
    return out[:n]


def make_case(name, pool_id, user_id, password, salt_bytes, a_bytes, b_bytes, block, when):
    pool_name = pool_id.split("_", 1)[1]
    # The server sends the salt in minimal hex (no leading zero bytes or nibbles).
    salt_hex = f"{int.from_bytes(salt_bytes, 'big'):x}"

    # Server: verifier and B (cognito-wire.md section 4.3).
    k = aws_srp.hex_to_long(aws_srp.hex_hash("00" + aws_srp.N_HEX + "0" + aws_srp.G_HEX))
    up_hash = aws_srp.hash_sha256(f"{pool_name}{user_id}:{password}".encode("utf-8"))
    x = aws_srp.hex_to_long(aws_srp.hex_hash(aws_srp.pad_hex(salt_hex) + up_hash))
    v = pow(G, x, N)
    b = int.from_bytes(b_bytes, "big")
    big_b = (k * v + pow(G, b, N)) % N

    # Client: pycognito's own code, with a fixed private a and a fixed clock.
    srp = AWSSRP(user_id, password, pool_id, "clientid", client=object())
    srp.small_a_value = int.from_bytes(a_bytes, "big") % N
    srp.large_a_value = srp.calculate_a()
    timestamp = FORMAT_TIMESTAMP(when)
    AWSSRP.get_cognito_formatted_timestamp = staticmethod(lambda _dt: timestamp)
    block_b64 = base64.standard_b64encode(block).decode()
    params = {
        "USER_ID_FOR_SRP": user_id,
        "USERNAME": user_id,
        "SALT": salt_hex,
        "SRP_B": aws_srp.long_to_hex(big_b),
        "SECRET_BLOCK": block_b64,
    }
    response = srp.process_challenge(params, srp.get_auth_params())
    hkdf = srp.get_password_authentication_key(user_id, password, big_b, salt_hex)
    u = aws_srp.calculate_u(srp.large_a_value, big_b)
    s_client = pow(
        big_b - k * pow(G, x, N), srp.small_a_value + u * x, N
    )
    s_server = pow(srp.large_a_value * pow(v, u, N), b, N)
    assert s_client == s_server, "client and server disagree on S"
    return {
        "name": name,
        "pool_id": pool_id,
        "pool_name": pool_name,
        "user_id": user_id,
        "password": password,
        "salt_hex": salt_hex,
        "a_hex": aws_srp.long_to_hex(srp.small_a_value),
        "b_hex": b_bytes.hex(),
        "secret_block_b64": block_b64,
        "timestamp": timestamp,
        "timestamp_unix": int(when.replace(tzinfo=datetime.timezone.utc).timestamp()),
        "k_hex": aws_srp.long_to_hex(k),
        "x_hex": aws_srp.long_to_hex(x),
        "verifier_hex": aws_srp.long_to_hex(v),
        "srp_a": srp.get_auth_params()["SRP_A"],
        "srp_b": params["SRP_B"],
        "pad_salt": aws_srp.pad_hex(salt_hex),
        "pad_a": aws_srp.pad_hex(srp.large_a_value),
        "pad_b": aws_srp.pad_hex(big_b),
        "u_hex": aws_srp.long_to_hex(u),
        "pad_u": aws_srp.pad_hex(aws_srp.long_to_hex(u)),
        "s_hex": aws_srp.long_to_hex(s_client),
        "pad_s": aws_srp.pad_hex(s_client),
        "hkdf_hex": hkdf.hex(),
        "signature": response["PASSWORD_CLAIM_SIGNATURE"],
    }


def find(label, n, pred):
    """The first fixed byte string for `label` whose value satisfies `pred`."""
    for i in range(10_000):
        candidate = det_bytes(f"{label}#{i}", n)
        if pred(candidate):
            return candidate
    raise RuntimeError(label)


def main():
    cases = [
        make_case(
            "high-bit salt, single-digit day",
            "us-east-1_AbC12dEf3",
            "3c1e5a2e-9b1f-4b8e-8f5e-2d6a7c9b0a11",
            "Correct-Horse-9",
            find("salt1", 16, lambda s: s[0] >= 0x80),
            det_bytes("a1", 128),
            det_bytes("b1", 32),
            det_bytes("block1", 64),
            datetime.datetime(2024, 9, 3, 8, 15, 3),
        ),
        make_case(
            "low-nibble salt (odd-length hex), two-digit day, non-ASCII password",
            "eu-west-2_Zz9yX8wV7",
            "alice",
            "P\u00e4ssw\u00f6rd \u2603 1!",
            find("salt2", 16, lambda s: s[0] < 0x10 and s[0] != 0),
            det_bytes("a2", 128),
            det_bytes("b2", 32),
            det_bytes("block2", 300),
            datetime.datetime(2018, 9, 25, 13, 27, 43),
        ),
        make_case(
            "leading zero byte in salt, Jan 3",
            "ap-southeast-2_q1W2e3R4t",
            "0f8b6d4e-1111-4222-8333-944455556666",
            "hunter2hunter2",
            find("salt3", 16, lambda s: s[0] == 0 and s[1] >= 0x80),
            det_bytes("a3", 128),
            det_bytes("b3", 32),
            det_bytes("block3", 1),
            datetime.datetime(2024, 1, 3, 4, 5, 6),
        ),
    ]
    doc = {
        "source": "pycognito 2024.5.1 aws_srp.py (client side), by scripts/gen_srp_vectors.py; "
        "cross-checked with amazon-cognito-identity-js 6.3.21",
        "cases": cases,
    }
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
