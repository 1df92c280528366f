#!/usr/bin/env python3
"""Seed corpus for the fuzz targets, built from the repository's own device answers.

Reads the `example` answers of fingerprints/**/*.toml, the labelled answers of eval/dev/*.jsonl and
examples/observations.jsonl, the sample estate and catalogue, and the import test fixtures, and
writes each as one input file (named by its SHA-1, like libFuzzer does) under
fuzz/corpus/<target>/, in the byte layout that target reads (see fuzz/fuzz_targets/*.rs: most
take a selector byte first). Run from anywhere: `python3 fuzz/seed.py`.
"""

import base64
import hashlib
import json
import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"

# Order of model::Kind::ALL: the selector byte of `extract` and `identify` indexes it.
KINDS = ["http", "rtsp", "onvif", "ws-discovery", "ssdp", "sadp", "dhip", "tls-cert", "mac", "banner"]
ALIASES = {"https": "http", "wsd": "ws-discovery", "tls": "tls-cert", "cert": "tls-cert", "upnp": "ssdp"}

# Order of sightline_fuzz::REQUESTS: the request selector of `extract`.
REQUESTS = ["GET / ", "ISAPI", "RPC2", "rtsp://", "favicon", "onvif"]

# The selector of `discover`.
DISCOVER = {"sadp": 0, "dhip": 1, "ws-discovery": 2, "ssdp": 3}

IMPORT_FIXTURES = {
    0: [
        "Asset,IP Address,MAC Address,Make,Model,Serial Number,Installed\n"
        "Gate cam,192.0.2.3,bc:ad:28:00:00:01,Hikvision,DS-2CD2143G0-I,DS-2CD2143G0-I20230301AAWRF1,01/03/2023\n"
        "Printer,192.0.2.9,,HP,LaserJet M402,,\n",
        "IP Address,Installed\n192.0.2.7,31/02/2023\n192.0.2.8,2023-02-01\n",
    ],
    1: [
        '<?xml version="1.0"?><nmaprun scanner="nmap"><host><status state="up"/>'
        '<address addr="127.0.0.5" addrtype="ipv4"/><address addr="BC:AD:28:00:00:05" addrtype="mac" '
        'vendor="Hangzhou Hikvision Digital Technology"/><ports><port protocol="tcp" portid="80">'
        '<state state="open"/><service name="http" product="Hikvision IP camera httpd"/>'
        '<script id="http-title" output="Site doesn&apos;t have a title"/></port>'
        '<port protocol="tcp" portid="443"><state state="open"/><service name="https"/>'
        '<script id="ssl-cert" output="Subject: commonName=www.hikvision.com/organizationName=HIKVISION&#xa;'
        'Issuer: commonName=www.hikvision.com&#xa;Public Key type: rsa"/></port>'
        '<port protocol="tcp" portid="22"><state state="closed"/></port></ports></host></nmaprun>',
    ],
    2: [
        '{"address":"127.0.0.9","ports":[80],"manufacturer":"Hikvision","observations":[{"id":"127.0.0.9:80/http#1",'
        '"device":"127.0.0.9","kind":"http","port":80,"request":"GET / HTTP/1.1",'
        '"response":"HTTP/1.1 401 Unauthorized\\r\\nServer: DNVRS-Webs\\r\\n\\r\\n"}]}\n',
    ],
}


def kind_of(name):
    name = ALIASES.get(name, name)
    return name if name in KINDS else None


def write(target, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def split_body(response):
    """The body of an HTTP-like answer (the whole answer when it has no head)."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        i = response.find(sep)
        if i >= 0 and response.lstrip()[:5].upper() in (b"HTTP/", b"RTSP/", b"NOTIF", b"M-SEA"):
            return response[i + len(sep):]
    return response


def request_selector(request):
    for i, marker in enumerate(REQUESTS):
        if request and marker in request:
            return i
    return 0


def answers_from_toml(value, kind=None, out=None):
    """Every (kind, request, response bytes) in a parsed fingerprint file."""
    out = [] if out is None else out
    if isinstance(value, dict):
        if "kinds" in value and value["kinds"]:
            kind = kind_of(value["kinds"][0]) or kind
        if "kind" in value and isinstance(value["kind"], str):
            kind = kind_of(value["kind"]) or kind
        response = None
        if isinstance(value.get("response_base64"), str):
            response = base64.b64decode(value["response_base64"])
        elif isinstance(value.get("response"), str):
            response = value["response"].encode()
        if response is not None and kind:
            out.append((kind, value.get("request"), response))
        for v in value.values():
            answers_from_toml(v, kind, out)
    elif isinstance(value, list):
        for v in value:
            answers_from_toml(v, kind, out)
    return out


def answers_from_jsonl(path):
    out = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        kind = kind_of(r.get("kind", ""))
        if "response_base64" in r:
            response = base64.b64decode(r["response_base64"])
        elif "response" in r:
            response = r["response"].encode()
        else:
            continue
        if kind:
            out.append((kind, r.get("request"), response, r.get("device") or r.get("id")))
    return out


def seed_answer(kind, request, response):
    k = KINDS.index(kind)
    write("extract", bytes([k, request_selector(request)]) + response)
    body = split_body(response)
    start = body.lstrip().lstrip(b"\xef\xbb\xbf")
    if kind == "tls-cert":
        write("cert", response)
    elif kind in DISCOVER:
        write("discover", bytes([DISCOVER[kind]]) + response)
    if kind == "banner":
        write("kv_banner", b"\x00" + response)
    if start.startswith(b"<") and not start[:14].lower().startswith((b"<!doctype html", b"<html")):
        write("xml", bytes([k % 4]) + body)
    elif start.startswith((b"{", b"[")):
        write("json", bytes([0 if kind != "dhip" else 2]) + start)
    elif kind in ("http", "rtsp", "onvif", "ssdp") and body and not start.startswith(b"<"):
        write("kv_banner", b"\x01" + body)
    if kind in ("http", "rtsp", "onvif", "ssdp"):
        port = {"http": 0, "rtsp": 2}.get(kind, 0)
        write("probe_head", bytes([port]) + response)


def main():
    answers = []
    for path in sorted((ROOT / "fingerprints").rglob("*.toml")):
        if "registry" in path.parts:
            continue
        with path.open("rb") as f:
            answers += answers_from_toml(tomllib.load(f))
    devices = {}
    for path in sorted((ROOT / "eval" / "dev").glob("*.jsonl")) + [ROOT / "examples" / "observations.jsonl"]:
        for kind, request, response, device in answers_from_jsonl(path):
            answers.append((kind, request, response))
            devices.setdefault(device, []).append((kind, request, response))
    for kind, request, response in answers:
        seed_answer(kind, request, response)
    # Identification: every labelled device, its answers joined with 0xFE.
    for device, parts in devices.items():
        chunks = [bytes([KINDS.index(k) | request_selector(r) << 4]) + resp for k, r, resp in parts[:8]]
        write("identify", b"\xfe".join(chunks))
        # The same device as `sightline scan` JSON Lines, for the import.
        record = {
            "address": "127.0.0.1",
            "observations": [
                {"id": f"{device}#{n}", "device": device, "kind": k, "request": r or "",
                 "response": resp.decode("utf-8", "replace")}
                for n, (k, r, resp) in enumerate(parts)
            ],
        }
        write("import", b"\x02" + json.dumps(record).encode() + b"\n")
    for selector, texts in IMPORT_FIXTURES.items():
        for text in texts:
            write("import", bytes([selector]) + text.encode())
    for path in sorted((ROOT / "examples" / "estate").glob("*.toml")):
        selector = 1 if "catalogue" in path.name else 0
        write("estate", bytes([selector]) + path.read_bytes())
    counts = {d.name: len(list(d.iterdir())) for d in sorted(CORPUS.iterdir()) if d.is_dir()}
    print("seeded " + ", ".join(f"{t} {n}" for t, n in counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
